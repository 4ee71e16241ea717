import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { App } from 'cdktf';
import { durationMs, fluxObjectsOf, LiveFluxObject, syncProblems } from '../../cli/flux-sync-status';
import { RECONCILE_REQUEST_ANNOTATION } from '../../constructs';
import { addFluxEnvironment } from '../../stacks';
import '../support/manifests';

const REVISION = 'main@sha1:0123456789abcdef0123456789abcdef01234567';
const ready = (generation: number, extra: object = {}) => ({
  observedGeneration: generation,
  conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: 'ok', observedGeneration: generation }],
  ...extra,
});

function gitRepository(status: LiveFluxObject['status'], generation = 2, request?: string): LiveFluxObject {
  return {
    kind: 'GitRepository',
    metadata: {
      name: 'flux-system',
      namespace: 'flux-system',
      generation,
      annotations: request ? { [RECONCILE_REQUEST_ANNOTATION]: request } : undefined,
    },
    status,
  };
}

function kustomization(status: LiveFluxObject['status'], generation = 1): LiveFluxObject {
  return {
    kind: 'Kustomization',
    metadata: { name: 'apps', namespace: 'flux-system', generation },
    spec: { sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
    status,
  };
}

const healthySource = gitRepository(ready(2, { artifact: { revision: REVISION } }));

describe('syncProblems', () => {
  test('counts nothing against objects Ready for their spec, Kustomizations at the revision of their source', () => {
    assert.deepEqual(syncProblems([healthySource, kustomization(ready(1, { lastAppliedRevision: REVISION }))]), []);
  });

  test("names each object that is not Ready with Flux's reason and message", () => {
    const failing = gitRepository({
      observedGeneration: 2,
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'GitOperationFailed',
          message: 'couldn\'t find remote ref "refs/heads/nope"',
        },
      ],
    });
    const waiting = kustomization({
      observedGeneration: 1,
      conditions: [{ type: 'Ready', status: 'False', reason: 'ArtifactFailed', message: 'Source artifact not found' }],
    });
    assert.deepEqual(syncProblems([failing, waiting]), [
      {
        object: 'GitRepository flux-system/flux-system',
        reason: 'GitOperationFailed: couldn\'t find remote ref "refs/heads/nope"',
      },
      { object: 'Kustomization flux-system/apps', reason: 'ArtifactFailed: Source artifact not found' },
    ]);
  });

  test('does not count a Ready condition left from an earlier generation', () => {
    const stale = gitRepository(ready(1, { artifact: { revision: REVISION } }), 2);
    assert.match(
      syncProblems([stale])[0].reason,
      /not reconciled its current spec yet \(generation 2, Ready is of 1: Succeeded: ok\)/,
    );
  });

  test('does not count a Ready status from before the reconcile this deploy requested', () => {
    const before = gitRepository(ready(2, { lastHandledReconcileAt: 'earlier' }), 2, 'digest-of-spec');
    assert.match(syncProblems([before])[0].reason, /Ready from before the reconcile this deploy requested/);
    const handled = gitRepository(ready(2, { lastHandledReconcileAt: 'digest-of-spec' }), 2, 'digest-of-spec');
    assert.deepEqual(syncProblems([handled]), []);
  });

  test('does not count a Kustomization that applied another revision than its source holds', () => {
    const behind = kustomization(ready(1, { lastAppliedRevision: 'main@sha1:old' }));
    assert.deepEqual(syncProblems([healthySource, behind]), [
      {
        object: 'Kustomization flux-system/apps',
        reason: `applied main@sha1:old, but its source GitRepository flux-system/flux-system is at ${REVISION}`,
      },
    ]);
  });

  test('counts nothing against an OCI HelmRepository, on which Flux never reports', () => {
    const oci: LiveFluxObject = {
      kind: 'HelmRepository',
      metadata: { name: 'podinfo', namespace: 'flux-system', generation: 1 },
      spec: { type: 'oci' },
    };
    assert.deepEqual(syncProblems([oci]), []);
    assert.equal(
      syncProblems([{ ...oci, spec: {} }])[0].reason,
      'Flux has not reported on it yet (no Ready condition)',
    );
  });

  test('counts nothing against a v1beta3 Alert or Provider, on which Flux never reports', () => {
    const metadata = { name: 'webhook', namespace: 'flux-system', generation: 1 };
    const apiVersion = 'notification.toolkit.fluxcd.io/v1beta3';
    assert.deepEqual(
      syncProblems([
        { apiVersion, kind: 'Provider', metadata },
        { apiVersion, kind: 'Alert', metadata },
      ]),
      [],
    );
    assert.equal(
      syncProblems([{ apiVersion: 'notification.toolkit.fluxcd.io/v1', kind: 'Receiver', metadata }])[0].reason,
      'Flux has not reported on it yet (no Ready condition)',
    );
  });

  test('names objects missing from the cluster or not reconciled at all', () => {
    const ref = { address: 'a', apiVersion: 'v', kind: 'Kustomization', name: 'apps', namespace: 'flux-system' };
    assert.deepEqual(syncProblems([{ missing: ref }, gitRepository(undefined, 1)]), [
      { object: 'Kustomization flux-system/apps', reason: 'not on the cluster' },
      {
        object: 'GitRepository flux-system/flux-system',
        reason: 'Flux has not reported on it yet (no Ready condition)',
      },
    ]);
  });
});

describe('fluxObjectsOf', () => {
  test("reads a synthesized sync stack's Flux objects, their waits and its cluster variables", async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-status-'));
    const app = new App({ outdir });
    await addFluxEnvironment(app, { name: 'dev', kubeContext: 'dev', syncWait: { waitFor: 'source', timeout: '2m' } });
    app.synth();
    const dir = (stack: string) => join(outdir, 'stacks', stack);
    assert.equal(fluxObjectsOf(dir('dev-flux-bootstrap'), 'dev-flux-bootstrap'), undefined, 'no Flux object');
    const sync = fluxObjectsOf(dir('dev-flux-sync'), 'dev-flux-sync', { TF_VAR_kubeconfig_path: '/k/config' });
    assert.deepEqual(
      { ...sync, objects: sync?.objects.map((o) => `${o.kind} ${o.name} ${o.waitTimeout ?? '-'}`) },
      {
        stack: 'dev-flux-sync',
        kubeconfigPath: '/k/config',
        kubeContext: 'dev',
        objects: [
          'GitRepository flux-system 2m',
          'Kustomization apps -',
          'Kustomization infra-controllers -',
          'Kustomization infra-prereqs -',
          'Kustomization secrets -',
        ],
      },
    );
  });

  test('reads Go durations', () => {
    assert.deepEqual(['5m', '1m30s', '250ms', '1h'].map(durationMs), [300_000, 90_000, 250, 3_600_000]);
  });
});
