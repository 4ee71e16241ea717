import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Testing } from 'cdktf';
import { addPodinfo } from '../../examples/helm';
import { addFluxEnvironment } from '../../stacks';
import '../support/manifests';
import { synthStack } from '../support/synth';

describe('the README example of a Helm release', () => {
  test('deploys a HelmRepository and a HelmRelease that the sync stack applies after apps, waited for', async () => {
    const { sync } = await addFluxEnvironment(Testing.app(), { name: 'dev', githubOrg: 'org', githubRepository: 'r' });
    const apps = sync.kustomizations.get('apps');
    assert.ok(apps);
    addPodinfo(sync, apps);
    const resources = synthStack(sync).resource.kubernetes_manifest as Record<string, any>;
    assert.deepEqual(resources['helmrepository_flux-system_podinfo-charts'].manifest.spec, {
      url: 'https://stefanprodan.github.io/podinfo',
      interval: '1m',
    });
    const release = resources['helmrelease_flux-system_podinfo'];
    assert.deepEqual(release.manifest.spec, {
      interval: '10m',
      chart: {
        spec: { chart: 'podinfo', version: '6.x', sourceRef: { kind: 'HelmRepository', name: 'podinfo-charts' } },
      },
      targetNamespace: 'apps',
      values: { replicaCount: 2 },
    });
    assert.deepEqual(release.depends_on, ['kubernetes_manifest.kustomization_flux-system_apps']);
    assert.deepEqual(release.timeouts, { create: '5m', update: '5m' }, "the environment's syncWait");
  });

  test('the README quotes it exactly as the compiler checks it', () => {
    const source = readFileSync(join(__dirname, '..', '..', 'examples', 'helm.ts'), 'utf8');
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    assert.ok(readme.includes(source.slice(source.indexOf('import'))), 'README.md does not quote examples/helm.ts');
  });
});
