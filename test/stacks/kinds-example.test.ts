import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Testing } from 'cdktf';
import { addBucketChart, addImageAutomation } from '../../examples/kinds';
import { addFluxEnvironment } from '../../stacks';
import { MANIFESTS_DIR } from '../support/manifests';
import { assertReadmeQuotes } from '../support/readme-quotes';
import { manifestsOf, synthStack } from '../support/synth';

describe('the README example of more Flux kinds', () => {
  test('synthesizes in the sync stack of an install with the image automation controllers', async () => {
    const { sync } = await addFluxEnvironment(Testing.app(), {
      name: 'dev',
      manifestsPath: join(MANIFESTS_DIR, 'v2.9.4-image-automation', 'gotk-components.yaml'),
      install: { componentsExtra: ['image-reflector-controller', 'image-automation-controller'] },
    });
    addBucketChart(sync);
    addImageAutomation(sync);
    const objects = manifestsOf(synthStack(sync));
    assert.deepEqual(objects['helmchart_flux-system_podinfo-chart'].spec, {
      interval: '1m',
      chart: './podinfo',
      sourceRef: { kind: 'Bucket', name: 'charts' },
    });
    assert.deepEqual(objects['imagepolicy_flux-system_podinfo-policy'].spec, {
      imageRepositoryRef: { name: 'podinfo-image' },
      policy: { semver: { range: '1.x' } },
    });
    assert.deepEqual(objects['imageupdateautomation_flux-system_flux-system-images'].spec.sourceRef, {
      kind: 'GitRepository',
      name: 'flux-system',
    });
  });

  test('fails if the install leaves the image automation controllers out', async () => {
    const { sync } = await addFluxEnvironment(Testing.app(), {
      name: 'dev',
      manifestsPath: join(MANIFESTS_DIR, 'v2.9.4-image-automation', 'gotk-components.yaml'),
    });
    addImageAutomation(sync);
    assert.throws(
      () => synthStack(sync),
      /ImageRepository flux-system\/podinfo-image: the Flux install dev-flux-bootstrap\/flux does not install the ImageRepository CRD .*add image-reflector-controller to the install's componentsExtra/,
    );
  });

  test('the README quotes each example exactly as the compiler checks it', () => {
    assertReadmeQuotes('examples/kinds.ts', 2);
  });
});
