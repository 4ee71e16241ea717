import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { FluxManifests } from '../../lib/flux-manifests';
import { installObjects, resolveInstallOptions } from '../../lib/install-options';
import { describeObject } from '../../lib/kubernetes-object';
import { manifests, MANIFESTS_DIR } from '../support/manifests';
import { releaseInstallYaml } from '../support/release-mirror';

describe('installObjects', () => {
  // Flux's releases publish an install.yaml of every controller; an environment of the four default
  // ones must get exactly what the four-component export gives. The six-component exports, read as a
  // release file (no header), are the closest stand-in we have.
  const versions = readdirSync(MANIFESTS_DIR)
    .filter((d) => d.endsWith('-image-automation'))
    .map((d) => d.replace(/-image-automation$/, ''))
    .filter((v) => readdirSync(MANIFESTS_DIR).includes(v));

  test('has a version with both files to compare', () => {
    assert.deepEqual(versions.sort(), ['v2.9.3', 'v2.9.4']);
  });

  for (const version of versions) {
    test(`gives four components from an all-component ${version} file the objects of the four-component export`, () => {
      const release = FluxManifests.parse(releaseInstallYaml(version), `${version} release`);
      assert.equal(release.source, 'release');
      assert.equal(release.version, version);
      assert.equal(release.components.length, 6);
      const fromRelease = installObjects(release, resolveInstallOptions({}));
      const fromExport = installObjects(manifests(version), resolveInstallOptions({}));
      assert.deepEqual(fromRelease.map(describeObject), fromExport.map(describeObject));
      fromRelease.forEach((object, i) => assert.deepEqual(object, fromExport[i], describeObject(object)));
    });
  }
});
