import { ControllerSettings, FluxController, LOG_LEVELS, LogLevel, MultiTenancySettings } from './controller-settings';
import { DEFAULT_COMPONENTS, EXTRA_COMPONENTS, missingFromManifests } from './flux-components';
import { FluxManifests } from './flux-manifests';
import { InstallPatch } from './install-patches';
import { cloneObject, KubernetesObject } from './kubernetes-object';
import { checkNamespace, DNS1123_SUBDOMAIN, nearest, Problems } from './rules';

const MANIFESTS_NAMESPACE = 'flux-system';
const MANIFESTS_REGISTRY = 'ghcr.io/fluxcd';
const MANIFESTS_CLUSTER_DOMAIN = 'cluster.local';

/**
 * The options of `flux install`, with its defaults.
 * @see https://fluxcd.io/flux/cmd/flux_install/
 */
export interface FluxInstallOptions {
  /**
   * Controllers to install, of the four defaults; an unknown name is refused with the nearest one.
   * An environment's `install` must keep source-controller and kustomize-controller (nothing would
   * sync without them).
   * @default source-controller, kustomize-controller, helm-controller, notification-controller
   */
  readonly components?: string[];
  /**
   * Further controllers: image-reflector-controller, image-automation-controller, source-watcher.
   * The manifests must contain them (`flux install --components-extra=... --export`).
   * @default - none
   */
  readonly componentsExtra?: string[];
  /**
   * Container registry the controller images are pulled from, instead of Flux's own.
   * @default ghcr.io/fluxcd
   */
  readonly registry?: string;
  /**
   * Name of a docker-registry Secret in the Flux namespace for pulling the controller images.
   * @default - none
   */
  readonly imagePullSecret?: string;
  /**
   * Install the NetworkPolicies that restrict traffic to the controllers.
   * @default true
   */
  readonly networkPolicy?: boolean;
  /**
   * Reconcile Flux objects in every namespace, not only the Flux namespace.
   * @default true
   */
  readonly watchAllNamespaces?: boolean;
  /**
   * The cluster's DNS domain, for the controllers' in-cluster addresses.
   * @default cluster.local
   */
  readonly clusterDomain?: string;
  /**
   * Every controller's `--log-level`: `debug`, `info` or `error`.
   * @default info
   */
  readonly logLevel?: LogLevel;
  /**
   * Taint keys the controllers tolerate (operator Exists).
   * @default - none
   */
  readonly tolerationKeys?: string[];
  /**
   * Namespace Flux is installed in, where the sync stack's objects and the Secret go too: a DNS-1123
   * label. An environment's `install` may not use the cluster's own (`default`, `kube-system`,
   * `kube-public`, `kube-node-lease`).
   * @default flux-system
   */
  readonly namespace?: string;
  /**
   * Per controller: flags, resources, workload identity (service account annotations, pod
   * labels) and scheduling, by component name. Each controller must be installed.
   * @default - the manifests' settings
   */
  readonly controllers?: Readonly<Partial<Record<FluxController, ControllerSettings>>>;
  /**
   * Lock the controllers down for multi-tenancy, as Flux's guide does with `flux bootstrap`.
   * @default - no lockdown
   */
  readonly multiTenancy?: MultiTenancySettings;
  /**
   * Patches on the objects of the install, applied in order after every other option, as the
   * `patches` of `clusters/<env>/flux-system/kustomization.yaml` are with `flux bootstrap`.
   * @default - none
   * @see https://fluxcd.io/flux/installation/configuration/bootstrap-customization/
   */
  readonly patches?: readonly InstallPatch[];
}

/** The install options with every default filled in, as {@link FluxInstall}'s `options` holds them. */
export type ResolvedInstallOptions = Required<Omit<FluxInstallOptions, 'imagePullSecret' | 'multiTenancy'>> &
  Pick<FluxInstallOptions, 'imagePullSecret' | 'multiTenancy'>;

export function resolveInstallOptions(options: FluxInstallOptions): ResolvedInstallOptions {
  return {
    components: [...(options.components ?? DEFAULT_COMPONENTS)],
    componentsExtra: [...(options.componentsExtra ?? [])],
    registry: options.registry ?? MANIFESTS_REGISTRY,
    imagePullSecret: options.imagePullSecret,
    networkPolicy: options.networkPolicy ?? true,
    watchAllNamespaces: options.watchAllNamespaces ?? true,
    clusterDomain: options.clusterDomain ?? MANIFESTS_CLUSTER_DOMAIN,
    logLevel: options.logLevel ?? 'info',
    tolerationKeys: [...(options.tolerationKeys ?? [])],
    namespace: options.namespace ?? MANIFESTS_NAMESPACE,
    controllers: structuredClone(options.controllers ?? {}),
    multiTenancy: options.multiTenancy && { ...options.multiTenancy },
    patches: structuredClone(options.patches ?? []),
  };
}

/** The controllers these options install, leaving out the names {@link checkInstallOptions} refuses. */
export function installedComponents(options: ResolvedInstallOptions): string[] {
  return [
    ...options.components.filter((c) => DEFAULT_COMPONENTS.includes(c)),
    ...options.componentsExtra.filter((c) => EXTRA_COMPONENTS.includes(c)),
  ];
}

/** Throws, naming every bad option, when the options cannot be applied to these manifests. */
export function checkInstallOptions(subject: string, manifests: FluxManifests, options: ResolvedInstallOptions): void {
  const problems = new Problems(subject);
  for (const [field, what, choices, other] of [
    ['components', 'component', DEFAULT_COMPONENTS, 'componentsExtra'],
    ['componentsExtra', 'extra component', EXTRA_COMPONENTS, 'components'],
  ] as const) {
    for (const c of options[field].filter((c) => !choices.includes(c))) {
      const guess = nearest(c, [...DEFAULT_COMPONENTS, ...EXTRA_COMPONENTS]);
      const elsewhere = guess !== undefined && !choices.includes(guess) ? ` (in ${other})` : '';
      problems.add(
        guess === c
          ? `${field} "${c}" is not a Flux ${what}; it goes in ${other}`
          : `${field} "${c}" is not a Flux ${what}; ${guess ? `did you mean ${guess}${elsewhere}? ` : ''}` +
              `choose from ${choices.join(', ')}`,
      );
    }
  }
  const installed = installedComponents(options);
  for (const c of Object.keys(options.controllers).filter((c) => !installed.includes(c))) {
    problems.add(
      `controllers.${c}: ${c} is not installed; ` +
        (EXTRA_COMPONENTS.includes(c) ? 'add it to componentsExtra' : `install one of ${installed.join(', ')}`),
    );
  }
  const missing = missingFromManifests(manifests.objects, manifests.version, installedComponents(options));
  for (const m of missing) problems.add(`the manifests ${manifests.origin}: ${m}`);
  checkNamespace(problems, 'namespace', options.namespace);
  if (!(LOG_LEVELS as readonly string[]).includes(options.logLevel)) {
    problems.add(`logLevel "${options.logLevel}" is not a Flux log level; use ${LOG_LEVELS.join(', ')}`);
  }
  if (!DNS1123_SUBDOMAIN.test(options.clusterDomain)) {
    problems.add(`clusterDomain "${options.clusterDomain}" is not a DNS domain; use one such as cluster.local`);
  }
  // The registry prefixes every image reference: host[:port] then lower-case path components.
  if (
    !/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*(:\d+)?(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/.test(
      options.registry,
    )
  ) {
    problems.add(
      `registry "${options.registry}" is not an image registry path; use host[:port][/path] with a lower-case ` +
        `path, such as registry.example.com/fluxcd, without scheme or trailing "/"`,
    );
  }
  problems.throwIfAny();
}

type PodSpec = {
  containers: { image: string; args?: string[] }[];
  imagePullSecrets?: { name: string }[];
  tolerations?: { key: string; operator: string }[];
};

function renamespace(name: string, namespace: string): string {
  return name.endsWith(`-${MANIFESTS_NAMESPACE}`) ? `${name.slice(0, -MANIFESTS_NAMESPACE.length)}${namespace}` : name;
}

function customizePodSpec(spec: PodSpec, options: ResolvedInstallOptions): void {
  for (const container of spec.containers) {
    container.image = container.image.replace(`${MANIFESTS_REGISTRY}/`, `${options.registry}/`);
    container.args = container.args?.map((arg) =>
      arg
        .replace(/^--watch-all-namespaces=.*$/, `--watch-all-namespaces=${options.watchAllNamespaces}`)
        .replace(/^--log-level=.*$/, `--log-level=${options.logLevel}`)
        .replace(`.svc.${MANIFESTS_CLUSTER_DOMAIN}.`, `.svc.${options.clusterDomain}.`),
    );
  }
  if (options.imagePullSecret) spec.imagePullSecrets = [{ name: options.imagePullSecret }];
  if (options.tolerationKeys.length > 0)
    spec.tolerations = options.tolerationKeys.map((key) => ({ key, operator: 'Exists' }));
}

/**
 * The objects `flux install` would apply with these options, as copies: the manifests
 * themselves are shared between environments and never changed.
 */
export function installObjects(manifests: FluxManifests, options: ResolvedInstallOptions): KubernetesObject[] {
  const wanted = new Set([...options.components, ...options.componentsExtra]);
  return manifests.objects
    .filter((o) => {
      const component = o.metadata.labels?.['app.kubernetes.io/component'];
      if (component && !wanted.has(component)) return false;
      return options.networkPolicy || o.kind !== 'NetworkPolicy';
    })
    .map((original) => {
      const o = cloneObject(original) as KubernetesObject & Record<string, any>;
      const meta = o.metadata as Record<string, any>;
      if (meta.namespace) meta.namespace = options.namespace;
      meta.name = o.kind === 'Namespace' ? options.namespace : renamespace(meta.name, options.namespace);
      if (meta.labels?.['app.kubernetes.io/instance']) meta.labels['app.kubernetes.io/instance'] = options.namespace;
      if (o.kind === 'ClusterRoleBinding') {
        o.roleRef.name = renamespace(o.roleRef.name, options.namespace);
        for (const subject of o.subjects ?? []) if (subject.namespace) subject.namespace = options.namespace;
      }
      if (o.kind === 'Deployment') {
        const template = o.spec.template;
        if (template.metadata.labels?.['app.kubernetes.io/instance'])
          template.metadata.labels['app.kubernetes.io/instance'] = options.namespace;
        customizePodSpec(template.spec, options);
      }
      return o;
    });
}
