import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TerraformVariable } from 'cdktf';
import { stringify } from 'yaml';
import { FluxManifests } from '../../lib/flux-manifests';
import { ExistingGitSecret, FluxInstall, GitRepository, GitRepositoryProps } from '../../constructs';
import { buildEveryField } from '../support/every-field';
import { manifests } from '../support/manifests';
import { manifestsOf, synthConstructs } from '../support/synth';

const v294 = manifests('v2.9.4');
const sshSecret = new ExistingGitSecret({ secretName: 'flux-system', namespace: 'flux-system' });

function gitRepository(props: Partial<GitRepositoryProps> = {}) {
  const objects = manifestsOf(
    synthConstructs(
      (scope) =>
        new GitRepository(scope, 'flux-system', {
          manifests: v294,
          url: 'ssh://git@github.com/mark-icy/infra-new',
          ...props,
        }),
    ),
  );
  return objects['gitrepository_flux-system_flux-system'];
}

describe('GitRepository', () => {
  test('renders a source.toolkit.fluxcd.io/v1 GitRepository with the defaults resolved', () => {
    assert.deepEqual(gitRepository({ ref: { branch: 'main' }, secretRef: sshSecret }), {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'flux-system', namespace: 'flux-system' },
      spec: {
        url: 'ssh://git@github.com/mark-icy/infra-new',
        interval: '1m',
        ref: { branch: 'main' },
        secretRef: { name: 'flux-system' },
      },
    });
  });

  test('renders every spec field under its upstream name', () => {
    const synthesized = synthConstructs((scope) => buildEveryField(scope, v294));
    assert.deepEqual(manifestsOf(synthesized)['gitrepository_flux-system_flux-system'].spec, {
      url: 'https://github.com/mark-icy/infra-new',
      interval: '1m',
      ref: { semver: '>=1.0.0 <2.0.0' },
      timeout: '90s',
      ignore: '/docs\n',
      recurseSubmodules: true,
      include: [{ repository: { name: 'shared' }, fromPath: 'deploy', toPath: 'shared' }],
      sparseCheckout: ['apps', 'infrastructure'],
      provider: 'github',
      proxySecretRef: { name: 'proxy' },
      verify: { mode: 'HEAD', secretRef: { name: 'pgp-keys' } },
      suspend: true,
    });
  });

  test('skips values that are tokens, known only at plan time', () => {
    const synthesized = synthConstructs((scope) => {
      const branch = new TerraformVariable(scope, 'branch', { type: 'string' }).stringValue;
      const url = new TerraformVariable(scope, 'url', { type: 'string' }).stringValue;
      new GitRepository(scope, 'flux-system', { manifests: v294, url, ref: { branch } });
    });
    assert.deepEqual(manifestsOf(synthesized)['gitrepository_flux-system_flux-system'].spec, {
      url: '${var.url}',
      interval: '1m',
      ref: { branch: '${var.branch}' },
    });
  });

  test('fails if interval is not a duration', () => {
    assert.throws(() => gitRepository({ interval: '1 minute' }), {
      message:
        'test/flux-system (GitRepository flux-system/flux-system): spec.interval: "1 minute" is not a duration; ' +
        'use Go syntax such as 10m or 1h30m (units ms, s, m, h) (source.toolkit.fluxcd.io/v1 GitRepository ' +
        'schema of Flux v2.9.4)',
    });
  });

  test('fails if timeout uses hours, which the GitRepository CRD refuses', () => {
    assert.throws(
      () => gitRepository({ timeout: '1h' }),
      /^[^\n]*: spec\.timeout: "1h" is not a duration; use Go syntax such as 10m or 1h30m \(units ms, s, m\) \([^\n]*\)$/,
    );
  });

  test('fails if the url is not ssh, https or http', () => {
    assert.throws(
      () => gitRepository({ url: 'git@github.com:mark-icy/infra-new.git' }),
      /^[^\n]*: spec\.url: "git@github.com:mark-icy\/infra-new.git" is not a git URL Flux accepts; use ssh:\/\/git@github.com\/<org>\/<repo> or https:\/\/github.com\/<org>\/<repo> \([^\n]*\)$/,
    );
  });

  test('fails if interval is zero, which Flux refuses', () => {
    assert.throws(() => gitRepository({ interval: '0s' }), {
      message:
        'test/flux-system (GitRepository flux-system/flux-system): interval "0s" is zero; Flux requires a positive ' +
        'interval (how often it reconciles), such as 1m or 10m',
    });
  });

  test('fails if the branch is empty or not a branch name, and if another ref field is empty', () => {
    assert.throws(
      () => gitRepository({ ref: { branch: '' } }),
      /^[^\n]*: ref\.branch "" is not a branch name Flux can follow; give the name alone, such as main: not empty,/,
    );
    assert.throws(
      () => gitRepository({ ref: { branch: 'refs/heads/main' } }),
      /ref\.branch "refs\/heads\/main" is not a branch name/,
    );
    assert.throws(() => gitRepository({ ref: { tag: '' } }), {
      message:
        'test/flux-system (GitRepository flux-system/flux-system): ref.tag "" is empty, which Flux reads as not ' +
        'set; give one or leave it out',
    });
  });

  test('fails if a token would go over plain http', () => {
    const token = new ExistingGitSecret({ secretName: 'git-token', namespace: 'flux-system', transport: 'https' });
    assert.throws(() => gitRepository({ url: 'http://git.example.com/org/repo', secretRef: token }), {
      message:
        'test/flux-system (GitRepository flux-system/flux-system): url "http://git.example.com/org/repo" would send ' +
        'the token of secretRef "git-token" in the clear over plain http; use the https:// URL of the repository',
    });
  });

  test('fails if props have the wrong type, in the words of the CRD schema', () => {
    assert.throws(() => gitRepository({ sparseCheckout: 'apps' as never }), {
      message:
        'test/flux-system (GitRepository flux-system/flux-system): spec.sparseCheckout "apps": must be a list of ' +
        'strings, such as ["a", "b"] (source.toolkit.fluxcd.io/v1 GitRepository schema of Flux v2.9.4)',
    });
  });

  test('fails if added to the stack that installs Flux, whose first plan has no CRDs yet', () => {
    assert.throws(
      () =>
        synthConstructs((scope) => {
          new FluxInstall(scope, 'flux', { manifests: v294 });
          new GitRepository(scope, 'flux-system', { manifests: v294, url: 'ssh://git@github.com/mark-icy/infra-new' });
        }),
      {
        message:
          "test/flux-system: GitRepository flux-system/flux-system is in stack test, which installs Flux's CRDs " +
          '(test/flux); its kubernetes_manifest needs the GitRepository CRD at plan time, so the first plan of test ' +
          'would fail. Add it to the sync stack (the sync of addFluxEnvironment), which is planned once the CRDs exist',
      },
    );
  });

  test('fails if the name is not a DNS-1123 name', () => {
    assert.throws(() => gitRepository({ name: 'Flux_System' }), /name "Flux_System" is not a valid name/);
  });

  test('fails if the secret is in another namespace', () => {
    const elsewhere = new ExistingGitSecret({ secretName: 'git', namespace: 'team-a' });
    assert.throws(
      () => gitRepository({ secretRef: elsewhere }),
      /secretRef "git" is in namespace "team-a", but a GitRepository reads Secrets of its own namespace only; create the Secret in "flux-system"/,
    );
  });

  test('fails if SSH credentials are given with an https url', () => {
    assert.throws(
      () => gitRepository({ url: 'https://github.com/mark-icy/infra-new', secretRef: sshSecret }),
      /secretRef "flux-system" holds an SSH key, but url "https:\/\/github.com\/mark-icy\/infra-new" is https; use a ssh:\/\/ URL/,
    );
  });

  test('fails if a field of ref is misspelt, naming the nearest', () => {
    assert.throws(() => gitRepository({ ref: { branch: 'main', brnach: 'main' } as never }), {
      message:
        'test/flux-system (GitRepository flux-system/flux-system): spec.ref.brnach "main": is not a field of ' +
        'spec.ref; did you mean branch? (source.toolkit.fluxcd.io/v1 GitRepository schema of Flux v2.9.4)',
    });
  });

  test('fails if a value is outside the CRD enum', () => {
    assert.throws(
      () => gitRepository({ provider: 'gcp' as never }),
      /spec\.provider: "gcp" is not one of generic, aws, azure, github/,
    );
  });

  test('fails if the manifests have no CRD for the kind', () => {
    const withoutCrd = v294.objects.filter((o) => o.metadata.name !== 'gitrepositories.source.toolkit.fluxcd.io');
    const text = `# Flux Version: v2.9.4\n${withoutCrd.map((o) => stringify(o)).join('---\n')}`;
    assert.throws(
      () => gitRepository({ manifests: FluxManifests.parse(text, 'trimmed.yaml') }),
      /Flux manifests trimmed\.yaml: no CustomResourceDefinition for GitRepository \(source\.toolkit\.fluxcd\.io\) of source-controller$/,
    );
  });
});
