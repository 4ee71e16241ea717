import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testing } from 'cdktf';
import { gitless, layered } from '../../examples/sources';
import { addFluxEnvironment } from '../../stacks';
import { EnvironmentSettings } from '../../settings';
import '../support/manifests';
import { assertReadmeQuotes } from '../support/readme-quotes';
import { manifestsOf, synthStack } from '../support/synth';

async function stacks(settings: Partial<EnvironmentSettings>) {
  const { bootstrap, sync } = await addFluxEnvironment(Testing.app(), { name: 'dev', ...settings });
  return { bootstrap: synthStack(bootstrap), sync: synthStack(sync), syncStack: sync };
}

const oci: EnvironmentSettings['syncSource'] = { type: 'oci', url: 'oci://registry.example.com/fleet/dev' };

describe('sources: the environment syncs from an OCI artifact or more sources than its repository', () => {
  test('an OCI sync source: the OCIRepository flux-system at tag latest, applied by each Kustomization', async () => {
    const { sync, syncStack } = await stacks({ syncSource: oci });
    const objects = manifestsOf(sync);
    assert.equal(objects['gitrepository_flux-system_flux-system'], undefined);
    assert.deepEqual(objects['ocirepository_flux-system_flux-system'].spec, {
      url: 'oci://registry.example.com/fleet/dev',
      ref: { tag: 'latest' },
      interval: '1m0s',
    });
    for (const name of ['infra-controllers', 'infra-prereqs', 'apps', 'secrets'])
      assert.deepEqual(objects[`kustomization_flux-system_${name}`].spec.sourceRef, {
        kind: 'OCIRepository',
        name: 'flux-system',
      });
    assert.equal(syncStack.gitRepository, undefined);
    assert.equal(syncStack.source.kind, 'OCIRepository');
    assert.equal(sync.data, undefined, 'nothing is read from the bootstrap state: there is no repository');
  });

  test('an OCI sync source needs no git access: no deploy key, no GitHub provider, no repository', async () => {
    const { bootstrap } = await stacks({ syncSource: oci });
    assert.deepEqual(Object.keys(bootstrap.resource), ['kubernetes_manifest']);
    assert.equal(bootstrap.provider?.github, undefined);
    assert.equal(bootstrap.variable?.github_org, undefined);
    assert.equal(bootstrap.output, undefined);
  });

  test('a private registry: a docker-registry Secret, or plain http for a registry on its network', async () => {
    const { sync } = await stacks({
      syncSource: { ...oci, ref: { semver: '>=1.0.0' }, secretName: 'regcred', interval: '5m' },
    });
    assert.deepEqual(manifestsOf(sync)['ocirepository_flux-system_flux-system'].spec, {
      url: 'oci://registry.example.com/fleet/dev',
      ref: { semver: '>=1.0.0' },
      interval: '5m',
      secretRef: { name: 'regcred' },
    });
    const insecure = await stacks({ syncSource: { ...oci, insecure: true } });
    assert.equal(manifestsOf(insecure.sync)['ocirepository_flux-system_flux-system'].spec.insecure, true);
    await assert.rejects(() => stacks({ syncSource: { ...oci, insecure: true, secretName: 'regcred' } }), {
      message: /insecure would send the registry credentials of secretRef "regcred" over plain http/,
    });
  });

  test('Kustomizations name their source: a second repository and an OCI artifact beside the own one', async () => {
    const { sync } = await stacks({
      sources: [
        { type: 'git', name: 'platform', url: 'ssh://git@github.com/my-org/platform', secretName: 'platform-git' },
        { type: 'oci', name: 'apps-artifact', url: 'oci://registry.example.com/apps', ref: { tag: 'v1.2.0' } },
      ],
      kustomizations: [
        { name: 'platform', path: './clusters/dev', prune: true, source: 'platform' },
        { name: 'apps', path: './', prune: true, source: 'apps-artifact', dependsOn: ['platform'] },
        { name: 'cluster', path: './apps/dev', prune: true },
      ],
    });
    const objects = manifestsOf(sync);
    assert.deepEqual(objects['gitrepository_flux-system_platform'].spec, {
      url: 'ssh://git@github.com/my-org/platform',
      interval: '1m0s',
      ref: { branch: 'main' },
      secretRef: { name: 'platform-git' },
    });
    assert.equal(objects['ocirepository_flux-system_apps-artifact'].spec.ref.tag, 'v1.2.0');
    const sourceOf = (k: string) => objects[`kustomization_flux-system_${k}`].spec.sourceRef;
    assert.deepEqual(sourceOf('platform'), { kind: 'GitRepository', name: 'platform' });
    assert.deepEqual(sourceOf('apps'), { kind: 'OCIRepository', name: 'apps-artifact' });
    assert.deepEqual(sourceOf('cluster'), { kind: 'GitRepository', name: 'flux-system' });
  });

  test('refuses an unknown source, a source name taken twice, and git access without a repository', async () => {
    await assert.rejects(
      () => stacks({ kustomizations: [{ name: 'apps', path: './apps', prune: true, source: 'platfrom' }] }),
      {
        message:
          'dev-flux-sync: kustomizations: "apps" source "platfrom" is not a source of this environment; declare ' +
          'it in sources or use one of flux-system',
      },
    );
    await assert.rejects(
      () => stacks({ sources: [{ type: 'oci', name: 'flux-system', url: 'oci://registry.example.com/x' }] }),
      { message: /sources: "flux-system" is the environment's own source; give each source its own name/ },
    );
    await assert.rejects(() => stacks({ syncSource: oci, gitAuth: { type: 'https-token' } }), {
      message: /gitAuth "https-token" has no repository to authenticate to, since syncSource is an OCI artifact/,
    });
  });

  test('without sources the environment synthesizes what it did before', async () => {
    const [plain, explicit] = [await stacks({}), await stacks({ syncSource: { type: 'git' }, sources: [] })];
    assert.deepEqual(explicit.sync, plain.sync);
    assert.deepEqual(explicit.bootstrap, plain.bootstrap);
  });
});

describe('the README examples of sources', () => {
  test('gitless: an OCIRepository flux-system with its registry Secret; layered: sources by name', async () => {
    const edge = await addFluxEnvironment(Testing.app(), gitless);
    assert.equal(edge.sync.source.kind, 'OCIRepository');
    assert.deepEqual(manifestsOf(synthStack(edge.sync))['ocirepository_flux-system_flux-system'].spec.secretRef, {
      name: 'ghcr',
    });
    const prod = manifestsOf(synthStack((await addFluxEnvironment(Testing.app(), layered)).sync));
    assert.deepEqual(
      ['platform', 'policies', 'apps'].map((k) => prod[`kustomization_flux-system_${k}`].spec.sourceRef),
      [
        { kind: 'GitRepository', name: 'platform' },
        { kind: 'OCIRepository', name: 'policies' },
        { kind: 'GitRepository', name: 'flux-system' },
      ],
    );
  });

  test('the README quotes each example exactly as the compiler checks it', () => {
    assertReadmeQuotes('examples/sources.ts', 3);
  });
});
