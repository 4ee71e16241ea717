import { KubernetesObject } from './kubernetes-object';

// What a Flux install needs from its manifests, whatever file they come from and whatever the lock
// says: a file cut short or edited by hand is refused here, naming what is missing, instead of
// failing later on a field that is not there.

/** The controllers `flux install` installs when told nothing. */
export const DEFAULT_COMPONENTS = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
  'notification-controller',
];
/** The controllers `flux install --components-extra` accepts. */
export const EXTRA_COMPONENTS = ['image-reflector-controller', 'image-automation-controller', 'source-watcher'];

/** The API group and kinds each controller reconciles: the CRDs every supported Flux version has for it. */
const COMPONENT_KINDS: Record<string, { group: string; kinds: string[] }> = {
  'source-controller': {
    group: 'source.toolkit.fluxcd.io',
    kinds: ['GitRepository', 'HelmRepository', 'HelmChart', 'Bucket', 'OCIRepository'],
  },
  'kustomize-controller': { group: 'kustomize.toolkit.fluxcd.io', kinds: ['Kustomization'] },
  'helm-controller': { group: 'helm.toolkit.fluxcd.io', kinds: ['HelmRelease'] },
  'notification-controller': { group: 'notification.toolkit.fluxcd.io', kinds: ['Alert', 'Provider', 'Receiver'] },
  'image-reflector-controller': { group: 'image.toolkit.fluxcd.io', kinds: ['ImageRepository', 'ImagePolicy'] },
  'image-automation-controller': { group: 'image.toolkit.fluxcd.io', kinds: ['ImageUpdateAutomation'] },
  'source-watcher': { group: 'source.extensions.fluxcd.io', kinds: ['ArtifactGenerator'] },
};

/** Kinds a supported Flux version lacks: the first release whose manifests have their CRD. */
const KINDS_SINCE: Record<string, { group: string; kind: string; since: string }> = {
  ExternalArtifact: { group: 'source.toolkit.fluxcd.io', kind: 'ExternalArtifact', since: 'v2.7.0' },
};

/**
 * What installs the CRD of `kind` in `group`, for a message about manifests that lack it: the
 * controller it belongs to (and whether it is an extra component), and the first Flux release
 * with it when older ones lack it.
 */
export function kindOrigin(group: string, kind: string): { component?: string; extra: boolean; since?: string } {
  const component = Object.entries(COMPONENT_KINDS).find(([, k]) => k.group === group && k.kinds.includes(kind))?.[0];
  const since = Object.values(KINDS_SINCE).find((k) => k.group === group && k.kind === kind)?.since;
  return { component, extra: component !== undefined && EXTRA_COMPONENTS.includes(component), since };
}

type Crd = {
  spec?: { group?: string; names?: { kind?: string }; versions?: { schema?: { openAPIV3Schema?: unknown } }[] };
};
type PodTemplate = { metadata?: unknown; spec?: { serviceAccountName?: string; containers?: unknown } };

const componentOf = (o: KubernetesObject) => o.metadata.labels?.['app.kubernetes.io/component'];

/** The controllers a file has objects of, by their `app.kubernetes.io/component` label, in file order. */
export function componentsIn(objects: readonly KubernetesObject[]): string[] {
  return [...new Set(objects.map(componentOf).filter((c) => c !== undefined))];
}

/**
 * What the manifests lack for a Flux install of `components` and of every other controller they
 * have objects of: the namespace, the RBAC the controllers run with, and per controller its
 * Deployment (a pod template whose containers have a name and an image), ServiceAccount and CRDs.
 * Empty when nothing is missing.
 */
export function missingFromManifests(
  objects: readonly KubernetesObject[],
  version: string,
  components: readonly string[] = [],
): string[] {
  const find = (kind: string, test: (o: KubernetesObject) => boolean) =>
    objects.find((o) => o.kind === kind && test(o));
  const named = (name: string) => (o: KubernetesObject) => o.metadata.name === name;
  const problems: string[] = [];

  const namespace = find('Namespace', () => true)?.metadata.name;
  if (!namespace) problems.push('no Namespace');
  for (const [kind, name] of [
    ['ClusterRole', `crd-controller-${namespace}`],
    ['ClusterRoleBinding', `crd-controller-${namespace}`],
    ['ClusterRoleBinding', `cluster-reconciler-${namespace}`],
  ]) {
    if (namespace && !find(kind, named(name))) problems.push(`no ${kind} ${name}`);
  }
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => ({ o, spec: (o as Crd).spec }));
  for (const { o, spec } of crds) {
    if (
      !spec?.group ||
      !spec.names?.kind ||
      !spec.versions?.length ||
      spec.versions.some((v) => !v.schema?.openAPIV3Schema)
    )
      problems.push(`CustomResourceDefinition ${o.metadata.name} has no group, kind or versions with a schema`);
  }

  const present = componentsIn(objects);
  for (const component of present) {
    const deployment = find('Deployment', (o) => componentOf(o) === component);
    const template = (deployment?.spec as { template?: PodTemplate } | undefined)?.template;
    const containers = template?.spec?.containers;
    const account = template?.spec?.serviceAccountName;
    if (!deployment) problems.push(`no Deployment for ${component}`);
    else if (!template?.metadata || !Array.isArray(containers) || containers.length === 0)
      problems.push(`Deployment ${deployment.metadata.name} has no pod template with containers`);
    else if (
      containers.some(
        (c: { name?: unknown; image?: unknown }) => typeof c?.name !== 'string' || typeof c.image !== 'string',
      )
    )
      problems.push(`Deployment ${deployment.metadata.name} has a container without name or image`);
    else if (account && !find('ServiceAccount', named(account)))
      problems.push(`no ServiceAccount ${account} for Deployment ${deployment.metadata.name}`);

    const { group, kinds } = COMPONENT_KINDS[component] ?? { group: '', kinds: [] };
    const lacking = kinds.filter((k) => !crds.some(({ spec }) => spec?.group === group && spec.names?.kind === k));
    if (lacking.length > 0)
      problems.push(`no CustomResourceDefinition for ${lacking.join(', ')} (${group}) of ${component}`);
  }
  const absent = components.filter((c) => !present.includes(c));
  if (absent.length > 0) {
    const extra = components.filter((c) => EXTRA_COMPONENTS.includes(c));
    problems.push(
      `no ${absent.join(', ')} (it has ${present.join(', ') || 'no controllers'}); make the file with flux install ` +
        `--version=${version}${extra.length > 0 ? ` --components-extra=${extra.join(',')}` : ''} --export`,
    );
  }
  return problems;
}
