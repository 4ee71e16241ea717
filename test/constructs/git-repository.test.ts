import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TerraformVariable } from 'cdktf';
import { stringify } from 'yaml';
import { FluxManifests } from '../../lib/flux-manifests';
import { ExistingGitSecret, GitRepository, GitRepositoryProps } from '../../constructs';
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
    assert.throws(
      () => gitRepository({ interval: '1 minute' }),
      /test\/flux-system \(GitRepository flux-system\/flux-system\): interval "1 minute" is not a duration; use Go syntax such as 10m or 1h30m/,
    );
  });

  test('fails if timeout uses hours, which the GitRepository CRD refuses', () => {
    assert.throws(
      () => gitRepository({ timeout: '1h' }),
      /timeout "1h" is not a duration; use Go syntax such as 10m or 1h30m \(units ms, s, m\)/,
    );
  });

  test('fails if the url is not ssh, https or http', () => {
    assert.throws(
      () => gitRepository({ url: 'git@github.com:mark-icy/infra-new.git' }),
      /url "git@github.com:mark-icy\/infra-new.git" is not a git URL Flux accepts; use ssh:\/\/git@github.com\/<org>\/<repo>/,
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

  test('fails if a field is unknown to the CRD schema', () => {
    assert.throws(
      () => gitRepository({ ref: { branch: 'main', brnach: 'main' } as never }),
      /spec\.ref: unknown field "brnach" \(source\.toolkit\.fluxcd\.io\/v1 GitRepository schema of Flux v2\.9\.4\)/,
    );
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
