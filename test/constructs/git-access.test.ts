import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  ExistingGitSecret,
  GITHUB_KNOWN_HOSTS,
  GitHttpsTokenSecret,
  GitHubAppSecret,
  GitHubAppSecretProps,
  GitHubDeployKey,
  GitHubDeployKeyProps,
  GitRepository,
} from '../../constructs';
import { manifests } from '../support/manifests';
import { manifestsOf, synthConstructs } from '../support/synth';

const v294 = manifests('v2.9.4');

const one = (resources: Record<string, Record<string, unknown>> | undefined) => {
  const values = Object.values(resources ?? {});
  assert.equal(values.length, 1);
  return values[0] as Record<string, any>;
};

function deployKey(props: Partial<GitHubDeployKeyProps> = {}) {
  const synthesized = synthConstructs(
    (scope) => new GitHubDeployKey(scope, 'git', { repository: 'infra-new', namespace: 'flux-system', ...props }),
  );
  return {
    key: one(synthesized.resource.tls_private_key),
    deployKey: one(synthesized.resource.github_repository_deploy_key),
    secret: one(synthesized.resource.kubernetes_secret_v1),
  };
}

describe('GitHubDeployKey', () => {
  test('makes an ECDSA P-256 key, registers it read-only as "Flux (<stack>)", stores it in the Secret', () => {
    const { key, deployKey: dk, secret } = deployKey();
    assert.equal(key.algorithm, 'ECDSA');
    assert.equal(key.ecdsa_curve, 'P256');
    assert.equal(dk.repository, 'infra-new');
    assert.equal(dk.title, 'Flux (test)', 'the title names the stack, so that its keys are told apart');
    assert.equal(dk.read_only, true);
    assert.match(dk.key, /^\$\{tls_private_key\.git_key_[0-9A-F]+\.public_key_openssh\}$/);
    assert.deepEqual(secret.metadata, { name: 'flux-system', namespace: 'flux-system' });
    assert.deepEqual(Object.keys(secret.data).sort(), ['identity', 'identity.pub', 'known_hosts']);
    assert.match(secret.data.identity, /^\$\{tls_private_key\.git_key_[0-9A-F]+\.private_key_openssh\}$/);
    assert.equal(secret.data.known_hosts, GITHUB_KNOWN_HOSTS);
  });

  test('makes an ED25519 key registered read-write when asked (image automation pushes)', () => {
    const { key, deployKey: dk } = deployKey({ algorithm: 'ED25519', readOnly: false });
    assert.equal(key.algorithm, 'ED25519');
    assert.equal(key.ecdsa_curve, undefined);
    assert.equal(dk.read_only, false);
  });

  test('fails if the algorithm or the Secret name is not usable', () => {
    assert.throws(() => deployKey({ algorithm: 'RSA' as never }), {
      message: 'test/git: algorithm "RSA": is not one of ECDSA, ED25519',
    });
    assert.throws(() => deployKey({ secretName: 'Flux_Key' }), /test\/git: secretName "Flux_Key" is not a valid name/);
  });

  test('fails if a prop is misspelt, naming the nearest', () => {
    const shared = { readonly: false };
    assert.throws(() => deployKey({ title: 'Flux', ...shared }), {
      message: 'test/git: readonly false: is not a prop of GitHubDeployKey; did you mean readOnly?',
    });
  });
});

describe('ExistingGitSecret', () => {
  test('fails if the Secret name is not one, saying what is allowed', () => {
    assert.throws(() => new ExistingGitSecret({ secretName: 'flux-system/git', namespace: 'flux-system' }), {
      message:
        'existing git Secret flux-system/flux-system/git: secretName "flux-system/git": is not a valid name; use ' +
        'lower-case letters, digits, "-" and ".", starting and ending with a letter or digit (DNS-1123), at most ' +
        '253 characters',
    });
  });
});

describe('GITHUB_KNOWN_HOSTS', () => {
  test('holds exactly the host keys whose fingerprints GitHub publishes', () => {
    const fingerprints = GITHUB_KNOWN_HOSTS.split('\n').map((line) => {
      const [host, type, key] = line.split(' ');
      assert.equal(host, 'github.com');
      return `${type} SHA256:${createHash('sha256').update(Buffer.from(key, 'base64')).digest('base64').replace(/=+$/, '')}`;
    });
    assert.deepEqual(fingerprints, [
      'ssh-ed25519 SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU',
      'ecdsa-sha2-nistp256 SHA256:p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM',
      'ssh-rsa SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s',
    ]);
  });
});

describe('GitHttpsTokenSecret', () => {
  test('stores the token as password with user git', () => {
    const synthesized = synthConstructs(
      (scope) => new GitHttpsTokenSecret(scope, 'git', { token: 'from-a-variable', namespace: 'flux-system' }),
    );
    const secret = one(synthesized.resource.kubernetes_secret_v1);
    assert.deepEqual(secret.data, { username: 'git', password: 'from-a-variable' });
    assert.equal(secret.metadata.name, 'flux-system');
  });

  test('fails if the namespace is not a valid namespace', () => {
    assert.throws(
      () => synthConstructs((scope) => new GitHttpsTokenSecret(scope, 'git', { token: 't', namespace: 'flux.system' })),
      /test\/git: namespace "flux.system" is not a valid namespace/,
    );
  });
});

describe('GitHubAppSecret', () => {
  const secretOf = (props: Partial<GitHubAppSecretProps> = {}) =>
    one(
      synthConstructs(
        (scope) =>
          new GitHubAppSecret(scope, 'git', {
            appId: 123456,
            installationId: 42,
            privateKey: '${var.github_app_private_key}',
            namespace: 'flux-system',
            ...props,
          }),
      ).resource.kubernetes_secret_v1,
    );

  test("holds the App's ids and key under the names source-controller reads", () => {
    assert.deepEqual(secretOf().data, {
      githubAppID: '123456',
      githubAppInstallationID: '42',
      githubAppPrivateKey: '${var.github_app_private_key}',
    });
    assert.equal(
      secretOf({ baseUrl: 'https://github.example.com/api/v3' }).data.githubAppBaseURL,
      'https://github.example.com/api/v3',
    );
  });

  test('makes the GitRepository ask GitHub for installation tokens over https', () => {
    const synthesized = synthConstructs((scope) => {
      const app = new GitHubAppSecret(scope, 'git', {
        appId: 1,
        installationId: 2,
        privateKey: 'k',
        namespace: 'flux-system',
      });
      new GitRepository(scope, 'repo', { url: 'https://github.com/my-org/fleet', secretRef: app, manifests: v294 });
    });
    const repository = Object.values(manifestsOf(synthesized)).find((o) => o.kind === 'GitRepository')!;
    assert.equal(repository.spec.provider, 'github');
    assert.deepEqual(repository.spec.secretRef, { name: 'flux-system' });
  });

  test('refuses ids that are not positive whole numbers, and an API that is not https', () => {
    assert.throws(() => secretOf({ appId: 0 }), /appId 0: is not a GitHub App or installation id/);
    assert.throws(
      () => secretOf({ installationId: 4.2 }),
      /installationId 4\.2: is not a GitHub App or installation id/,
    );
    assert.throws(
      () => secretOf({ baseUrl: 'http://github.example.com/api/v3' }),
      /baseUrl "http:\/\/github\.example\.com\/api\/v3": is not an https:\/\/ URL/,
    );
  });

  test('refuses a GitRepository provider other than the one its credentials are for', () => {
    assert.throws(
      () =>
        synthConstructs((scope) => {
          const app = new GitHubAppSecret(scope, 'git', {
            appId: 1,
            installationId: 2,
            privateKey: 'k',
            namespace: 'flux-system',
          });
          new GitRepository(scope, 'repo', {
            url: 'https://github.com/my-org/fleet',
            secretRef: app,
            provider: 'azure',
            manifests: v294,
          });
        }),
      /provider "azure" does not match secretRef "flux-system", which holds github credentials; leave provider out/,
    );
  });

  test("an existing Secret with a GitHub App's keys is for https only", () => {
    assert.equal(
      new ExistingGitSecret({ secretName: 'app', namespace: 'flux-system', provider: 'github' }).transport,
      'https',
    );
    assert.throws(
      () =>
        new ExistingGitSecret({ secretName: 'app', namespace: 'flux-system', provider: 'github', transport: 'ssh' }),
      /a GitHub App's keys are for https, not transport "ssh"; leave transport out/,
    );
  });
});
