import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testing } from 'cdktf';
import { addFluxEnvironment } from '../../stacks';
import { EnvironmentSettings } from '../../settings';
import '../support/manifests';
import { synthStack } from '../support/synth';

async function imports(settings: Partial<EnvironmentSettings>) {
  const { bootstrap, sync } = await addFluxEnvironment(Testing.app(), { name: 'dev', ...settings });
  const importsOf = (stack: unknown) =>
    ((stack as { import?: { to: string; id: string }[] }).import ?? []).map((i) => [i.to, i.id]);
  return { bootstrap: importsOf(synthStack(bootstrap)), sync: importsOf(synthStack(sync)) };
}

describe('adopting a cluster set up by flux bootstrap', () => {
  test('imports every object the stacks manage, with the ids the providers take', async () => {
    const { bootstrap, sync } = await imports({ adopt: true });
    assert.equal(bootstrap.length, 33);
    const ids = new Map(bootstrap as [string, string][]);
    assert.equal(ids.get('kubernetes_manifest.namespace_flux-system'), 'apiVersion=v1,kind=Namespace,name=flux-system');
    assert.equal(
      ids.get('kubernetes_manifest.deployment_flux-system_source-controller'),
      'apiVersion=apps/v1,kind=Deployment,namespace=flux-system,name=source-controller',
    );
    assert.equal(
      ids.get('kubernetes_manifest.customresourcedefinition_kustomizations_kustomize_toolkit_fluxcd_io'),
      'apiVersion=apiextensions.k8s.io/v1,kind=CustomResourceDefinition,' +
        'name=kustomizations.kustomize.toolkit.fluxcd.io',
    );
    const secret = bootstrap.find(([to]) => to.startsWith('kubernetes_secret_v1.'));
    assert.deepEqual(secret?.[1], 'flux-system/flux-system');
    assert.deepEqual(
      new Map(sync as [string, string][]),
      new Map([
        [
          'kubernetes_manifest.gitrepository_flux-system_flux-system',
          'apiVersion=source.toolkit.fluxcd.io/v1,kind=GitRepository,namespace=flux-system,name=flux-system',
        ],
        [
          'kubernetes_manifest.kustomization_flux-system_infra-controllers',
          'apiVersion=kustomize.toolkit.fluxcd.io/v1,kind=Kustomization,namespace=flux-system,name=infra-controllers',
        ],
        [
          'kubernetes_manifest.kustomization_flux-system_infra-prereqs',
          'apiVersion=kustomize.toolkit.fluxcd.io/v1,kind=Kustomization,namespace=flux-system,name=infra-prereqs',
        ],
        [
          'kubernetes_manifest.kustomization_flux-system_apps',
          'apiVersion=kustomize.toolkit.fluxcd.io/v1,kind=Kustomization,namespace=flux-system,name=apps',
        ],
        [
          'kubernetes_manifest.kustomization_flux-system_secrets',
          'apiVersion=kustomize.toolkit.fluxcd.io/v1,kind=Kustomization,namespace=flux-system,name=secrets',
        ],
      ]),
    );
  });

  test('takes the fields over from their previous field manager, adopting or not', async () => {
    for (const adopt of [true, false]) {
      const { bootstrap, sync } = await addFluxEnvironment(Testing.app(), { name: 'dev', adopt });
      const manifests = [bootstrap, sync].flatMap((stack) =>
        Object.values(synthStack(stack).resource.kubernetes_manifest),
      );
      assert.equal(manifests.length, 37);
      assert.ok(
        manifests.every((m) => JSON.stringify(m.field_manager) === JSON.stringify({ force_conflicts: true })),
        'drift by another field manager is restored on the next deploy',
      );
    }
  });

  test('imports nothing otherwise', async () => {
    assert.deepEqual(await imports({}), { bootstrap: [], sync: [] });
  });

  test('leaves a Secret made outside Terraform alone', async () => {
    const { bootstrap } = await imports({
      adopt: true,
      gitAuth: { type: 'existing-secret', secretName: 'flux-system' },
    });
    assert.equal(bootstrap.length, 32);
    assert.ok(bootstrap.every(([to]) => to.startsWith('kubernetes_manifest.')));
  });
});
