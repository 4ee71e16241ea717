// A Helm chart beside the sync objects, as the README shows it; the compiler checks this file, and
// a test checks that the README quotes it verbatim and what it synthesizes.
import { FluxSyncStack, HelmRelease, HelmRepository, Kustomization } from 'cdktf-flux';

// podinfo from its Helm repository, installed into the namespace that `after` applies.
export function addPodinfo(sync: FluxSyncStack, after: Kustomization): HelmRelease {
  const repository = new HelmRepository(sync, 'podinfo-charts', { url: 'https://stefanprodan.github.io/podinfo' });
  return new HelmRelease(sync, 'podinfo', {
    chart: { spec: { chart: 'podinfo', version: '6.x', sourceRef: repository } },
    targetNamespace: 'apps',
    values: { replicaCount: 2 },
    dependsOn: [after],
  });
}
