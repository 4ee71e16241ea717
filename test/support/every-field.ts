import { Construct } from 'constructs';
import { Alert, GitRepository, Kustomization, Provider, Receiver } from '../../constructs';
import { FluxManifests } from '../../lib/flux-manifests';

/**
 * A GitRepository `flux-system` and a Kustomization `apps` with every spec field the constructs
 * take, as the construct tests render them and the live suite applies them.
 */
export function buildEveryField(
  scope: Construct,
  manifests: FluxManifests,
): { repository: GitRepository; kustomization: Kustomization } {
  const shared = new GitRepository(scope, 'shared', { manifests, url: 'https://github.com/mark-icy/shared' });
  const repository = new GitRepository(scope, 'flux-system', {
    manifests,
    url: 'https://github.com/mark-icy/infra-new',
    ref: { semver: '>=1.0.0 <2.0.0' },
    timeout: '90s',
    ignore: '/docs\n',
    recurseSubmodules: true,
    include: [{ repository: shared, fromPath: 'deploy', toPath: 'shared' }],
    sparseCheckout: ['apps', 'infrastructure'],
    provider: 'github',
    verify: { secretRef: 'pgp-keys' },
    proxySecretRef: { name: 'proxy' },
    suspend: true,
  });
  const infra = new Kustomization(scope, 'infra', { manifests, sourceRef: repository, prune: false });
  const kustomization = new Kustomization(scope, 'apps', {
    manifests,
    sourceRef: repository,
    prune: true,
    path: './apps/dev',
    interval: '1h',
    retryInterval: '1m',
    timeout: '5m',
    wait: true,
    force: true,
    targetNamespace: 'apps',
    dependsOn: [infra],
    decryption: { secretRef: 'sops-age' },
    postBuild: {
      substitute: { cluster: 'dev' },
      substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-vars', optional: true }],
    },
    healthChecks: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'apps' }],
    patches: [
      { patch: '- op: remove\n  path: /spec/replicas', target: { kind: 'Deployment', labelSelector: 'app=web' } },
    ],
    suspend: false,
    deletionPolicy: 'WaitForTermination',
    serviceAccountName: 'deployer',
    components: ['../components/monitoring'],
    ignoreMissingComponents: true,
    images: [{ name: 'web', newName: 'registry.example.com/web', newTag: '1.2.3' }],
    namePrefix: 'dev-',
    nameSuffix: '-a',
    commonMetadata: { labels: { team: 'platform' }, annotations: { owner: 'platform@example.com' } },
    kubeConfig: { secretRef: { name: 'remote-cluster', key: 'value' } },
    healthCheckExprs: [{ apiVersion: 'example.com/v1', kind: 'Widget', current: 'status.ready == true' }],
    buildMetadata: ['originAnnotations'],
  });
  return { repository, kustomization };
}

/**
 * A Provider, an Alert and a Receiver with every spec field of their CRD schemas, on the objects of
 * {@link buildEveryField}, as the live suite applies them. Provider's `interval` (unused by v1beta3,
 * refused) and the generic-oidc Receiver's `oidcProviders` (refused beside a secretRef) are left out.
 */
export function buildEveryNotificationField(
  scope: Construct,
  manifests: FluxManifests,
  { repository, kustomization }: { repository: GitRepository; kustomization: Kustomization },
): { provider: Provider; alert: Alert; receiver: Receiver } {
  const provider = new Provider(scope, 'github-status', {
    manifests,
    type: 'github',
    address: 'https://github.com/mark-icy/infra-new',
    channel: 'deploys',
    username: 'flux',
    secretRef: 'github-token',
    certSecretRef: 'github-ca',
    proxySecretRef: 'proxy',
    proxy: 'https://proxy.example.com:3128',
    commitStatusExpr: "event.metadata.revision + '/' + provider.metadata.name",
    serviceAccountName: 'notifier',
    timeout: '15s',
    suspend: false,
  });
  const alert = new Alert(scope, 'everything', {
    manifests,
    providerRef: provider,
    eventSeverity: 'error',
    eventSources: [kustomization, { kind: 'HelmRelease', name: '*', namespace: 'apps', matchLabels: { team: 'web' } }],
    eventMetadata: { cluster: 'dev' },
    exclusionList: ['^Dependencies do not meet'],
    inclusionList: ['.*'],
    summary: 'dev cluster',
    suspend: false,
  });
  const receiver = new Receiver(scope, 'push', {
    manifests,
    type: 'github',
    interval: '1h',
    events: ['push', 'ping'],
    secretRef: 'webhook-token',
    resources: [repository, kustomization],
    resourceFilter: "res.metadata.name == 'flux-system'",
    suspend: false,
  });
  return { provider, alert, receiver };
}
