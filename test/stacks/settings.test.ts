import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TerraformStack, Testing } from 'cdktf';
import { addFluxEnvironment } from '../../stacks';
import { EnvironmentSettings } from '../../settings';
import '../support/manifests';
import { WRONG_SETTINGS } from '../support/wrong-settings';

/** The message a synth of these environments fails with, or undefined if it passes. */
async function refusal(settings: Record<string, unknown>[]): Promise<string | undefined> {
  try {
    const app = Testing.app();
    for (const s of settings) await addFluxEnvironment(app, s as unknown as EnvironmentSettings);
    for (const stack of app.node.findAll().filter(TerraformStack.isStack)) Testing.synth(stack as TerraformStack, true);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('environment settings, as data', () => {
  for (const wrong of WRONG_SETTINGS) {
    test(`fails if given ${wrong.mistake}, naming the setting and the value`, async () => {
      const message = await refusal(wrong.settings);
      assert.ok(message, 'accepted');
      assert.ok(
        message.includes(wrong.setting.split('.').pop()!),
        `the setting ${wrong.setting} is not named:\n${message}`,
      );
      assert.ok(
        message.includes(wrong.value.replace(/^"|"$/g, '')),
        `the value ${wrong.value} is not named:\n${message}`,
      );
    });
  }

  test('reports each problem once, all of them at once', async () => {
    const message = await refusal([
      {
        name: 'dev',
        adopt: 'yes',
        gitAuth: { type: 'deploy-key', readonly: true },
        install: { logLevel: 'debug', networkPolicy: 'no' },
      },
    ]);
    assert.equal(
      message,
      [
        'environment "dev": 3 problems:',
        '  install.networkPolicy "no": must be true or false (a boolean, not a string)',
        '  gitAuth.readonly "readonly": is not a setting of gitAuth; the settings are type, algorithm, readOnly',
        '  adopt "yes": must be true or false (a boolean, not a string)',
      ].join('\n'),
    );
  });

  test('accepts every setting in its documented form', async () => {
    const knownHosts =
      '[127.0.0.1]:2222 ecdsa-sha2-nistp256 ' +
      'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNu' +
      'G5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=';
    const all: EnvironmentSettings = {
      name: 'prod-eu-1',
      fluxVersion: 'v2.9.4',
      githubOrg: 'mark-icy',
      githubRepository: 'infra.new_2',
      branch: 'release/2026-11',
      clusterPath: 'clusters/prod',
      appsPath: './apps/prod',
      kubeconfigPath: '~/.kube/prod',
      kubeContext: 'prod',
      install: {
        namespace: 'flux',
        registry: 'registry.example.com:5000/mirror/fluxcd',
        imagePullSecret: 'regcred',
        tolerationKeys: ['node-role.kubernetes.io/infra'],
        logLevel: 'debug',
        networkPolicy: false,
        watchAllNamespaces: true,
        clusterDomain: 'k8s.example',
        components: ['source-controller', 'kustomize-controller'],
      },
      gitAuth: { type: 'deploy-key', algorithm: 'ED25519', readOnly: false },
      gitHost: { hostname: '127.0.0.1', sshPort: 2222, knownHosts, apiUrl: 'http://127.0.0.1:8080/' },
      adopt: false,
      backend: { type: 's3', bucket: 'platform-tf-state', region: 'eu-west-1', useLockfile: true },
      encryptState: true,
    };
    assert.equal(await refusal([all as unknown as Record<string, unknown>]), undefined);
  });
});
