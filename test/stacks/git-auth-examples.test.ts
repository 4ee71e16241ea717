import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testing } from 'cdktf';
import { deployKey, existingSecret, githubApp, githubAppSecret, httpsToken } from '../../examples/git-auth';
import { addFluxEnvironment } from '../../stacks';
import { EnvironmentSettings } from '../../settings';
import '../support/manifests';
import { assertReadmeQuotes } from '../support/readme-quotes';
import { manifestsOf, synthStack } from '../support/synth';

async function synthesized(settings: EnvironmentSettings) {
  const { bootstrap, sync } = await addFluxEnvironment(Testing.app(), settings);
  const stack = synthStack(bootstrap);
  const repository = manifestsOf(synthStack(sync))['gitrepository_flux-system_flux-system'];
  const secrets = Object.values(stack.resource.kubernetes_secret_v1 ?? {}) as Record<string, any>[];
  return { stack, repository, secretKeys: secrets.map((s) => Object.keys(s.data).sort()) };
}

describe('the README examples of git authentication', () => {
  test('each synthesizes the credentials it names, and the GitRepository asks for them', async () => {
    const rows = [];
    for (const settings of [deployKey, githubApp, githubAppSecret, httpsToken, existingSecret]) {
      const { stack, repository, secretKeys } = await synthesized(settings);
      rows.push({
        name: settings.name,
        url: String(stack.output?.repository_url.value).replace(/\/\$\{.*$/, ''),
        provider: repository.spec.provider,
        secretKeys,
        deployKey: stack.resource.github_repository_deploy_key !== undefined,
      });
    }
    assert.deepEqual(rows, [
      {
        name: 'deploy-key',
        url: 'ssh://git@github.com',
        provider: undefined,
        secretKeys: [['identity', 'identity.pub', 'known_hosts']],
        deployKey: true,
      },
      {
        name: 'github-app',
        url: 'https://github.com',
        provider: 'github',
        secretKeys: [['githubAppID', 'githubAppInstallationID', 'githubAppPrivateKey']],
        deployKey: false,
      },
      { name: 'github-app-secret', url: 'https://github.com', provider: 'github', secretKeys: [], deployKey: false },
      {
        name: 'https-token',
        url: 'https://github.com',
        provider: undefined,
        secretKeys: [['password', 'username']],
        deployKey: false,
      },
      { name: 'existing-secret', url: 'https://github.com', provider: undefined, secretKeys: [], deployKey: false },
    ]);
  });

  test('the README quotes each example exactly as the compiler checks it', () => {
    assertReadmeQuotes('examples/git-auth.ts', 6);
  });
});
