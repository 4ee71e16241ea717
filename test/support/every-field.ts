import { Construct } from 'constructs';
import {
  Alert,
  Bucket,
  ExternalArtifact,
  GitRepository,
  HelmChart,
  HelmRepository,
  ImagePolicy,
  ImageRepository,
  ImageUpdateAutomation,
  Kustomization,
  Provider,
  Receiver,
} from '../../constructs';
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
    decryption: { secretRef: 'sops-age', serviceAccountName: 'sops-kms' },
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
 * Every spec field of the kinds added in code (Bucket, HelmChart, ExternalArtifact and the image
 * kinds), as the live suite applies them: objects in flux-system, `images` and `apps`. Where the
 * CRD's CEL rules let no single object hold every field (a Bucket's credentials per provider, one
 * ImagePolicy policy at a time), a second or third object holds the rest. The constructs render
 * each reference themselves, without `apiVersion`.
 */
export function buildEveryFieldOfMoreKinds(scope: Construct, manifests: FluxManifests): void {
  const ldap = new Bucket(scope, 'charts', {
    manifests,
    bucketName: 'charts',
    endpoint: 'minio.example.com',
    provider: 'generic',
    region: 'eu-west-1',
    prefix: 'flux/',
    interval: '5m',
    timeout: '30s',
    // Not true: plain http would carry the access key of secretRef, which synth refuses.
    insecure: false,
    ignore: '*.md\n',
    secretRef: { name: 'minio-credentials' },
    certSecretRef: { name: 'minio-ca' },
    proxySecretRef: { name: 'proxy' },
    sts: {
      provider: 'ldap',
      endpoint: 'https://sts.minio.example.com',
      secretRef: { name: 'ldap-credentials' },
      certSecretRef: { name: 'ldap-ca' },
    },
    suspend: true,
  });
  new Bucket(scope, 'releases', {
    manifests,
    bucketName: 'releases',
    endpoint: 's3.amazonaws.com',
    provider: 'aws',
    serviceAccountName: 'reader',
    sts: { provider: 'aws', endpoint: 'https://sts.amazonaws.com' },
  });
  const oci = new HelmRepository(scope, 'oci-charts', { manifests, type: 'oci', url: 'oci://ghcr.io/mark-icy/charts' });
  new HelmChart(scope, 'podinfo', {
    manifests,
    sourceRef: oci,
    chart: 'podinfo',
    version: '6.x',
    interval: '10m',
    reconcileStrategy: 'Revision',
    valuesFiles: ['values.yaml', 'values-dev.yaml'],
    ignoreMissingValuesFiles: true,
    verify: {
      provider: 'cosign',
      secretRef: { name: 'cosign-keys' },
      matchOIDCIdentity: [
        { issuer: '^https://token.actions.githubusercontent.com$', subject: '^https://github.com/mark-icy/.*$' },
      ],
    },
    suspend: true,
  });
  const git = new GitRepository(scope, 'infra-new', {
    manifests,
    url: 'https://github.com/mark-icy/infra-new',
    ref: { branch: 'main' },
  });
  new HelmChart(scope, 'from-git', { manifests, sourceRef: git, chart: './charts/podinfo' });
  new HelmChart(scope, 'from-bucket', { manifests, sourceRef: ldap, chart: './podinfo' });
  new ExternalArtifact(scope, 'generated', {
    manifests,
    sourceRef: {
      apiVersion: 'source.extensions.fluxcd.io/v1beta1',
      kind: 'ArtifactGenerator',
      name: 'generator',
      namespace: 'tools',
    },
  });

  const image = new ImageRepository(scope, 'app', {
    manifests,
    namespace: 'images',
    image: 'registry.example.com:5000/mark-icy/app',
    interval: '5m',
    timeout: '30s',
    secretRef: { name: 'regcred' },
    certSecretRef: { name: 'registry-ca' },
    proxySecretRef: { name: 'proxy' },
    serviceAccountName: 'puller',
    provider: 'generic',
    insecure: true,
    exclusionList: ['^.*\\.sig$', '^dev-'],
    accessFrom: { namespaceSelectors: [{ matchLabels: { 'kubernetes.io/metadata.name': 'apps' } }] },
    suspend: true,
  });
  new ImagePolicy(scope, 'app-semver', {
    manifests,
    namespace: 'apps',
    imageRepositoryRef: image,
    filterTags: { pattern: '^v(?P<version>.*)$', extract: '$version' },
    policy: { semver: { range: '>=1.0.0 <2.0.0' } },
    digestReflectionPolicy: 'Always',
    interval: '10m',
    suspend: true,
  });
  new ImagePolicy(scope, 'app-numerical', {
    manifests,
    imageRepositoryRef: image,
    policy: { numerical: { order: 'desc' } },
    digestReflectionPolicy: 'IfNotPresent',
  });
  new ImagePolicy(scope, 'app-alphabetical', {
    manifests,
    imageRepositoryRef: image,
    policy: { alphabetical: { order: 'asc' } },
    digestReflectionPolicy: 'Never',
  });
  const commit = {
    author: { email: 'fluxcdbot@users.noreply.github.com', name: 'fluxcdbot' },
    messageTemplate: 'Automated image update\n\n{{ range .Changed.Changes }}{{ .NewValue }}\n{{ end }}',
    messageTemplateValues: { env: 'dev' },
    signingKey: { secretRef: { name: 'signing-key' }, type: 'ssh' as const },
  };
  new ImageUpdateAutomation(scope, 'apps', {
    manifests,
    namespace: 'apps',
    sourceRef: git,
    interval: '30m',
    git: {
      checkout: { ref: { branch: 'main' } },
      commit,
      push: {
        branch: 'image-updates',
        refspec: 'refs/heads/image-updates:refs/heads/image-updates',
        options: { 'merge_request.create': '' },
      },
    },
    update: { path: './clusters/dev', strategy: 'Setters' },
    policySelector: {
      matchLabels: { env: 'dev' },
      matchExpressions: [{ key: 'team', operator: 'In', values: ['apps'] }],
    },
    suspend: true,
  });
  // The refs other than a branch, checked out at once: Flux takes the first of commit, name, semver, tag.
  new ImageUpdateAutomation(scope, 'pinned', {
    manifests,
    sourceRef: git,
    git: {
      checkout: {
        ref: {
          commit: '0123456789abcdef0123456789abcdef01234567',
          name: 'refs/tags/v1.0.0',
          semver: '1.x',
          tag: 'v1.0.0',
        },
      },
      commit: { author: commit.author },
      push: { branch: 'main' },
    },
  });
}

type FieldSchema = { properties?: Record<string, FieldSchema>; items?: FieldSchema };

/** Paths of the leaves of a schema (`sts.secretRef.name`, `valuesFiles[]`); a map is one leaf. */
function leaves(schema: FieldSchema, path: string): string[] {
  if (schema.properties)
    return Object.entries(schema.properties).flatMap(([k, s]) => leaves(s, path ? `${path}.${k}` : k));
  if (schema.items) return leaves(schema.items, `${path}[]`);
  return [path];
}

/** The leaf paths of `schema` that `value` sets. */
function leavesSet(schema: FieldSchema, value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (schema.properties && typeof value === 'object')
    return Object.entries(schema.properties).flatMap(([k, s]) =>
      leavesSet(s, (value as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
    );
  if (schema.items && Array.isArray(value)) return value.flatMap((v) => leavesSet(schema.items!, v, `${path}[]`));
  return [path];
}

/**
 * The spec fields of a kind's CRD schema in `manifests` that none of `objects` (of that kind) sets,
 * as paths such as `sts.secretRef.name`: what a claim of "every field" leaves out.
 */
export function specFieldsUnset(
  manifests: FluxManifests,
  apiVersion: string,
  kind: string,
  objects: { spec?: unknown }[],
): string[] {
  const [group, version] = apiVersion.split('/');
  const crd = manifests.customResourceDefinition(group, kind)?.spec as
    { versions: { name: string; schema: { openAPIV3Schema: FieldSchema } }[] } | undefined;
  const schema = crd?.versions.find((v) => v.name === version)?.schema.openAPIV3Schema.properties?.spec;
  if (!schema) throw new Error(`the manifests of Flux ${manifests.version} have no ${apiVersion} ${kind} schema`);
  const set = new Set(objects.flatMap((o) => leavesSet(schema, o.spec, '')));
  return leaves(schema, '').filter((path) => !set.has(path));
}

type DefaultingSchema = {
  properties?: Record<string, DefaultingSchema & { default?: unknown }>;
  items?: DefaultingSchema;
};

function withDefaults(schema: DefaultingSchema, value: unknown): unknown {
  if (Array.isArray(value)) return schema.items ? value.map((v) => withDefaults(schema.items!, v)) : value;
  if (!schema.properties || typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [k, s] of Object.entries(schema.properties)) {
    if (out[k] === undefined && s.default !== undefined) out[k] = structuredClone(s.default);
    if (out[k] !== undefined) out[k] = withDefaults(s, out[k]);
  }
  return out;
}

/**
 * `spec` as the API server stores it: with the defaults of the CRD schema in `manifests` for the
 * fields it leaves out, as structural defaulting fills them in.
 */
export function specWithSchemaDefaults(manifests: FluxManifests, object: Record<string, any>): unknown {
  const [group, version] = object.apiVersion.split('/');
  const crd = manifests.customResourceDefinition(group, object.kind)?.spec as
    { versions: { name: string; schema: { openAPIV3Schema: DefaultingSchema } }[] } | undefined;
  const schema = crd?.versions.find((v) => v.name === version)?.schema.openAPIV3Schema.properties?.spec;
  if (!schema)
    throw new Error(`the manifests of Flux ${manifests.version} have no ${object.apiVersion} ${object.kind} schema`);
  return withDefaults(schema, object.spec);
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
