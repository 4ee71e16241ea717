import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testing } from 'cdktf';
import { aks, eks, fleet, gke, patched, tenants } from '../../examples/customisation';
import { addFluxEnvironment } from '../../stacks';
import { EnvironmentSettings } from '../../settings';
import '../support/manifests';
import { assertReadmeQuotes } from '../support/readme-quotes';
import { manifestsOf, synthStack } from '../support/synth';

async function objects(settings: EnvironmentSettings) {
  const { bootstrap } = await addFluxEnvironment(Testing.app(), settings);
  return manifestsOf(synthStack(bootstrap));
}
const pod = (o: Record<string, any>, controller: string) => o[`deployment_flux-system_${controller}`].spec.template;
const annotations = (o: Record<string, any>, controller: string) =>
  o[`serviceaccount_flux-system_${controller}`].metadata.annotations;

describe('the README examples of a customised install', () => {
  test('EKS, GKE and AKS: workload identity on kustomize-controller and source-controller', async () => {
    const [onEks, onGke, onAks] = [await objects(eks), await objects(gke), await objects(aks)];
    assert.deepEqual(annotations(onEks, 'kustomize-controller'), {
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/flux-kustomize',
    });
    assert.deepEqual(annotations(onGke, 'source-controller'), {
      'iam.gke.io/gcp-service-account': 'flux-source@my-project.iam.gserviceaccount.com',
    });
    for (const controller of ['kustomize-controller', 'source-controller']) {
      assert.deepEqual(annotations(onAks, controller), {
        'azure.workload.identity/client-id': '00000000-0000-0000-0000-000000000000',
      });
      assert.equal(pod(onAks, controller).metadata.labels['azure.workload.identity/use'], 'true');
    }
    assert.equal(annotations(onEks, 'helm-controller'), undefined);
  });

  test('a large fleet: flags, resources and scheduling', async () => {
    const o = await objects(fleet);
    const kustomize = pod(o, 'kustomize-controller').spec;
    assert.deepEqual(kustomize.containers[0].args.slice(-2), ['--concurrent=20', '--requeue-dependency=5s']);
    assert.deepEqual(kustomize.containers[0].resources.limits, { cpu: '2', memory: '2Gi' });
    assert.deepEqual(kustomize.tolerations, [{ key: 'flux', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    assert.ok(pod(o, 'helm-controller').spec.containers[0].args.includes('--feature-gates=OOMWatch=true'));
    assert.ok(pod(o, 'source-controller').spec.containers[0].args.includes('--helm-cache-max-size=10'));
  });

  test('tenants: the lockdown flags', async () => {
    const args = pod(await objects(tenants), 'kustomize-controller').spec.containers[0].args;
    for (const flag of [
      '--no-cross-namespace-refs=true',
      '--no-remote-bases=true',
      '--default-service-account=default',
    ])
      assert.ok(args.includes(flag), flag);
  });

  test('patches: a JSON patch and a strategic merge patch', async () => {
    const o = await objects(patched);
    assert.equal(pod(o, 'helm-controller').spec.containers[0].args.at(-1), '--max-retry-delay=10m');
    assert.deepEqual(pod(o, 'notification-controller').spec.containers[0].env[0], {
      name: 'HTTPS_PROXY',
      value: 'http://proxy:3128',
    });
  });

  test('the README quotes each example exactly as the compiler checks it', () => {
    assertReadmeQuotes('examples/customisation.ts', 6);
  });
});
