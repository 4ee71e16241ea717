import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { DEFAULT_COMPONENTS } from '../../lib/flux-components';
import { FluxManifests, loadFluxManifests } from '../../lib/flux-manifests';
import { installObjects, resolveInstallOptions } from '../../lib/install-options';
import { KubernetesObject } from '../../lib/kubernetes-object';
import { writeLock } from '../../lib/manifests-lock';
import { MANIFEST_FIXTURES } from '../support/manifest-fixtures';
import { manifests, MANIFESTS_DIR } from '../support/manifests';

const tmp = () => mkdtempSync(join(tmpdir(), 'cdktf-flux-test-'));
const v294 = manifests('v2.9.4');
const v294Text = readFileSync(join(MANIFESTS_DIR, 'v2.9.4', 'gotk-components.yaml'), 'utf8');

/** The v2.9.4 file as a user might have edited it by hand: objects changed or left out. */
function edited(change: (o: KubernetesObject) => KubernetesObject | undefined): string {
  const objects = v294.objects.map((o) => change(structuredClone(o))).filter((o) => o !== undefined);
  return `# Flux Version: v2.9.4\n${objects.map((o) => stringify(o)).join('---\n')}`;
}

const without =
  (kind: string, name: string) =>
  (o: KubernetesObject): KubernetesObject | undefined =>
    o.kind === kind && o.metadata.name === name ? undefined : o;

/** Refuses `text` as `file`, with the message asserted in full. */
function assertRefused(text: string, message: string, components?: string[]) {
  const file = join(tmp(), 'gotk-components.yaml');
  writeFileSync(file, text);
  assert.throws(
    () => loadFluxManifests({ path: file, cacheDir: tmp(), components }),
    (error: Error) => {
      assert.equal(error.message, `Flux manifests ${file}: ${message}`);
      return true;
    },
  );
}

describe('what the manifests must hold, whatever the lock says', () => {
  test('every shared file holds it, for each controller it was made with', () => {
    for (const { directory } of MANIFEST_FIXTURES) {
      const m = manifests(directory.slice(0, 6), directory);
      const count = directory.endsWith('-image-automation') ? 6 : 4;
      assert.equal(m.checkHolds(m.components).components.length, count, directory);
    }
  });

  test('fails if there is no Namespace', () => {
    assertRefused(edited(without('Namespace', 'flux-system')), 'no Namespace');
  });

  test('fails if the RBAC the controllers run with is missing', () => {
    assertRefused(
      edited((o) => (['ClusterRole', 'ClusterRoleBinding'].includes(o.kind) ? undefined : o)),
      'no ClusterRole crd-controller-flux-system; no ClusterRoleBinding crd-controller-flux-system; ' +
        'no ClusterRoleBinding cluster-reconciler-flux-system',
    );
  });

  test('fails if a controller has no Deployment', () => {
    assertRefused(edited(without('Deployment', 'kustomize-controller')), 'no Deployment for kustomize-controller');
  });

  test('fails if a Deployment has no pod template with containers', () => {
    assertRefused(
      edited((o) =>
        o.kind === 'Deployment' && o.metadata.name === 'helm-controller' ? { ...o, spec: { replicas: 1 } } : o,
      ),
      'Deployment helm-controller has no pod template with containers',
    );
  });

  test('fails if a container has no name or image', () => {
    assertRefused(
      v294Text.replace(/image: \S+\/source-controller:\S+/, 'workingDir: /'),
      'Deployment source-controller has a container without name or image',
    );
  });

  test("fails if a Deployment's ServiceAccount is missing", () => {
    assertRefused(
      edited(without('ServiceAccount', 'notification-controller')),
      'no ServiceAccount notification-controller for Deployment notification-controller',
    );
  });

  test("fails if a controller's CRDs are missing", () => {
    assertRefused(
      edited((o) =>
        ['kustomizations', 'gitrepositories', 'buckets'].includes(o.metadata.name.split('.')[0]) ? undefined : o,
      ),
      'no CustomResourceDefinition for GitRepository, Bucket (source.toolkit.fluxcd.io) of source-controller; ' +
        'no CustomResourceDefinition for Kustomization (kustomize.toolkit.fluxcd.io) of kustomize-controller',
    );
  });

  test('fails if a CRD has no versions with a schema', () => {
    assertRefused(
      edited((o) =>
        o.metadata.name === 'helmreleases.helm.toolkit.fluxcd.io'
          ? { ...o, spec: { group: 'helm.toolkit.fluxcd.io' } }
          : o,
      ),
      'CustomResourceDefinition helmreleases.helm.toolkit.fluxcd.io has no group, kind or versions with a schema; ' +
        'no CustomResourceDefinition for HelmRelease (helm.toolkit.fluxcd.io) of helm-controller',
    );
  });

  test('fails if a controller to be installed is not in the file at all, saying how to make one', () => {
    assertRefused(
      v294Text,
      'no image-reflector-controller, image-automation-controller (it has source-controller, kustomize-controller, ' +
        'helm-controller, notification-controller); make the file with flux install --version=v2.9.4 ' +
        '--components-extra=image-reflector-controller,image-automation-controller --export',
      [...DEFAULT_COMPONENTS, 'image-reflector-controller', 'image-automation-controller'],
    );
  });

  test('fails if the file is cut short, naming what is missing before any lock advice, pinned or not', () => {
    // Cut inside kustomize-controller's part: its CRD is there, its Deployment is not.
    const deployment = v294Text.indexOf(
      'kind: Deployment\nmetadata:\n  labels:\n    app.kubernetes.io/component: kustomize-controller',
    );
    const cut = v294Text.slice(0, v294Text.lastIndexOf('---\n', deployment));
    const missing =
      'no Deployment for kustomize-controller; no helm-controller, notification-controller (it has ' +
      'source-controller, kustomize-controller); make the file with flux install --version=v2.9.4 --export';
    const file = join(tmp(), 'gotk-components.yaml');
    writeFileSync(file, cut);
    const lockFile = join(tmp(), 'lock.json');
    const load = () => loadFluxManifests({ path: file, cacheDir: tmp(), lockFile, components: DEFAULT_COMPONENTS });
    assert.throws(load, { message: `Flux manifests ${file}: ${missing}` });
    const objects = [...cut.matchAll(/^kind: (\w+)/gm)].length;
    writeLock(
      [
        {
          version: 'v2.9.4',
          source: 'export',
          components: ['source-controller'],
          sha256: createHash('sha256').update(cut).digest('hex'),
        },
      ],
      lockFile,
    );
    assert.throws(load, { message: `Flux manifests ${file}: ${missing}` }, `pinned, ${objects} objects`);
  });

  test('fails if the file is cut short anywhere, with a message and never a crash', () => {
    const lines = v294Text.split('\n');
    for (let n = 5; n < lines.length; n += 97) {
      const text = lines.slice(0, n).join('\n');
      try {
        const m = FluxManifests.parse(text, 'cut.yaml').checkHolds(DEFAULT_COMPONENTS);
        installObjects(m, resolveInstallOptions({}));
      } catch (error) {
        assert.match((error as Error).message, /^Flux manifests cut\.yaml: /, `cut after line ${n}`);
      }
    }
  });
});
