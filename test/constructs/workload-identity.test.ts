import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testing } from 'cdktf';
import { Bucket, GitRepository, Kustomization, OCIRepository, Provider } from '../../constructs';
import { FluxController } from '../../lib/controller-settings';
import { addFluxEnvironment } from '../../stacks';
import { manifestsOf, synthStack } from '../support/synth';

/**
 * The sync stack of an environment whose install turns on ObjectLevelWorkloadIdentity for
 * `gated`, with one object of each kind that names a service account for its cloud provider.
 */
async function identities(gated: FluxController[]) {
  const controllers = Object.fromEntries(
    gated.map((c) => [c, { flags: { featureGates: { ObjectLevelWorkloadIdentity: true } } }]),
  );
  const { sync } = await addFluxEnvironment(Testing.app(), { name: 'dev', install: { controllers } });
  const serviceAccountName = 'flux-cloud';
  new GitRepository(sync, 'azure-repo', {
    url: 'https://dev.azure.com/mark-icy/infra/_git/apps',
    ref: { branch: 'main' },
    provider: 'azure',
    serviceAccountName,
  });
  new OCIRepository(sync, 'ecr', {
    url: 'oci://111122223333.dkr.ecr.eu-west-1.amazonaws.com/apps',
    ref: { tag: 'latest' },
    provider: 'aws',
    serviceAccountName,
  });
  new Bucket(sync, 'gcs', {
    bucketName: 'apps',
    endpoint: 'storage.googleapis.com',
    provider: 'gcp',
    serviceAccountName,
  });
  new Kustomization(sync, 'secrets-sops', {
    sourceRef: sync.source,
    path: './secrets',
    prune: true,
    decryption: { provider: 'sops', serviceAccountName },
  });
  new Provider(sync, 'pubsub', {
    type: 'googlepubsub',
    channel: 'flux-events',
    address: 'my-project',
    serviceAccountName,
  });
  return sync;
}

describe('a service account of the object for its cloud provider (object-level workload identity)', () => {
  test("is refused where the controller's feature gate is off, naming the setting to turn it on", async () => {
    const sync = await identities([]);
    assert.throws(
      () => synthStack(sync),
      (e: Error) => {
        const gate = (kind: string, field: string, controller: string) =>
          `${kind}: ${field} authenticates to the cloud provider as a service account of the object's own, which ` +
          `${controller} refuses unless its ObjectLevelWorkloadIdentity feature gate is on, and the Flux install ` +
          `dev-flux-bootstrap/flux leaves it off; set install.controllers['${controller}'].flags.featureGates.` +
          `ObjectLevelWorkloadIdentity: true, or leave ${field} out to use the controller's own service account`;
        for (const message of [
          gate('GitRepository flux-system/azure-repo', 'serviceAccountName', 'source-controller'),
          gate('OCIRepository flux-system/ecr', 'serviceAccountName', 'source-controller'),
          gate('Bucket flux-system/gcs', 'serviceAccountName', 'source-controller'),
          gate('Kustomization flux-system/secrets-sops', 'decryption.serviceAccountName', 'kustomize-controller'),
          gate('Provider flux-system/pubsub', 'serviceAccountName', 'notification-controller'),
        ])
          assert.ok(e.message.includes(message), `not in the error: ${message}\n${e.message}`);
        return true;
      },
    );
  });

  test('synthesizes once the install turns the gate on for each controller', async () => {
    const sync = await identities(['source-controller', 'kustomize-controller', 'notification-controller']);
    const objects = manifestsOf(synthStack(sync));
    assert.equal(objects['bucket_flux-system_gcs'].spec.serviceAccountName, 'flux-cloud');
    assert.equal(objects['provider_flux-system_pubsub'].spec.serviceAccountName, 'flux-cloud');
    assert.deepEqual(objects['kustomization_flux-system_secrets-sops'].spec.decryption, {
      provider: 'sops',
      serviceAccountName: 'flux-cloud',
    });
  });

  test('is left alone where the controller does not use it for a cloud provider', async () => {
    const { sync } = await addFluxEnvironment(Testing.app(), { name: 'dev' });
    // The service account's image pull secrets log in to a generic registry; a Secret of the
    // registry's login comes before a cloud provider's identity: no gate is needed for either.
    new OCIRepository(sync, 'pull-secrets', {
      url: 'oci://registry.example.com/apps',
      ref: { tag: 'latest' },
      serviceAccountName: 'puller',
    });
    new OCIRepository(sync, 'ghcr', {
      url: 'oci://ghcr.io/mark-icy/apps',
      ref: { tag: 'latest' },
      provider: 'aws',
      secretRef: { name: 'ghcr-login' },
      serviceAccountName: 'puller',
    });
    assert.doesNotThrow(() => synthStack(sync));
  });
});
