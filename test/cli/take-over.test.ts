import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { madeByUs, objectsNotInState, TAKE_OVER_FILE, writeTakeOver } from '../../cli/take-over';

describe('taking over objects that are on the cluster but not in state', () => {
  test("counts as ours what the provider's field managers or Flux's install made", () => {
    const managed = (manager: string) => ({ metadata: { managedFields: [{ manager }] } });
    assert.equal(madeByUs(managed('Terraform')), true, 'kubernetes_manifest applies as Terraform');
    assert.equal(madeByUs(managed('HashiCorp')), true, "kubernetes_secret_v1's user agent");
    assert.equal(madeByUs({ metadata: { labels: { 'app.kubernetes.io/part-of': 'flux' } } }), true, 'flux install');
    assert.equal(madeByUs(managed('kubectl-create')), false, 'made by hand');
    assert.equal(madeByUs({ metadata: {} }), false);
  });

  test('asks nothing of the cluster when every object is in state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdktf-flux-take-over-'));
    const config = {
      variable: { kubeconfig_path: { default: join(dir, 'no-such-kubeconfig') } },
      resource: {
        kubernetes_manifest: {
          namespace_x: { manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } } },
        },
      },
    };
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(config));
    assert.deepEqual(await objectsNotInState(dir, new Set(['kubernetes_manifest.namespace_x'])), {
      takeOver: [],
      inTheWay: [],
    });
  });

  test('writes one import block per object, through its own provider configuration, and removes them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdktf-flux-take-over-'));
    const forget = writeTakeOver(dir, [
      {
        address: 'kubernetes_manifest.namespace_x',
        label: 'Namespace x',
        importId: 'apiVersion=v1,kind=Namespace,name=x',
        provider: 'kubernetes.client_2',
      },
    ]);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, TAKE_OVER_FILE), 'utf8')), {
      import: [
        {
          to: 'kubernetes_manifest.namespace_x',
          id: 'apiVersion=v1,kind=Namespace,name=x',
          provider: 'kubernetes.client_2',
        },
      ],
    });
    forget();
    assert.throws(() => readFileSync(join(dir, TAKE_OVER_FILE)), /ENOENT/);
  });
});
