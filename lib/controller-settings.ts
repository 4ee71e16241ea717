import { acceptedFlags } from './controller-flags';
import { JsonPatchOperation, NamedPatch } from './install-patches';
import { KubernetesObject } from './kubernetes-object';
import { nearest } from './rules';

// The customisations every platform team asks of a Flux install, typed, so that nobody writes a
// patch for them: controller flags, resources, workload identity, scheduling, and the
// multi-tenancy lockdown. Each becomes a patch on the install's objects (lib/install-patches.ts),
// applied before the patches a user writes, so the same checks and the same review apply.

export const LOG_LEVELS = ['debug', 'info', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The Flux controllers, as `flux install` names its components. */
export type FluxController =
  | 'source-controller'
  | 'kustomize-controller'
  | 'helm-controller'
  | 'notification-controller'
  | 'image-reflector-controller'
  | 'image-automation-controller'
  | 'source-watcher';

/**
 * Command-line flags of one controller. Each replaces the flag the manifests set, or is added.
 * Flags are checked against those the controller's version accepts (lib/controller-flags.ts).
 */
export interface ControllerFlags {
  /**
   * `--concurrent`: how many objects the controller reconciles at once; large fleets raise it.
   * @default - the controller's own (4 in Flux v2.6 to v2.9)
   */
  readonly concurrent?: number;
  /**
   * `--requeue-dependency`: how soon an object whose dependencies are not Ready is tried again, as
   * a Go duration; large fleets lower it.
   * @default - the controller's own (30s in Flux v2.6 to v2.9)
   */
  readonly requeueDependency?: string;
  /**
   * `--feature-gates`, by gate name, such as `{ OOMWatch: true }`; merged with any the manifests set.
   * @default - the controller's own
   */
  readonly featureGates?: Readonly<Record<string, boolean>>;
  /**
   * `--log-level` of this controller.
   * @default - the install's logLevel
   */
  readonly logLevel?: LogLevel;
  /**
   * Any other flag, by its name without `--`, such as `{ 'max-retry-delay': '10m' }`.
   * @default - none
   */
  readonly other?: Readonly<Record<string, string | number | boolean>>;
}

/** A toleration of the controller's pod. @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/ */
export interface ControllerToleration {
  /** The taint key; empty with operator Exists tolerates every taint. @default - every key */
  readonly key?: string;
  /**
   * `Equal` tolerates the taint with this key and value; `Exists` any value of the key (a value is
   * then refused).
   * @default Equal
   */
  readonly operator?: 'Exists' | 'Equal';
  /** The taint value, with operator Equal. @default - empty */
  readonly value?: string;
  /**
   * The taint effect tolerated.
   * @default - every effect
   */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /** How long a NoExecute taint is tolerated, in seconds. @default - forever */
  readonly tolerationSeconds?: number;
}

/** Compute resources of the controller's container, merged with those of the manifests. */
export interface ControllerResources {
  /** Such as `{ cpu: '2', memory: '2Gi' }`. @default - the manifests' */
  readonly limits?: Readonly<Record<string, string>>;
  /** Such as `{ cpu: '100m', memory: '256Mi' }`. @default - the manifests' */
  readonly requests?: Readonly<Record<string, string>>;
}

/** What to change in one controller's Deployment and ServiceAccount. */
export interface ControllerSettings {
  /** Command-line flags. @default - the manifests' */
  readonly flags?: ControllerFlags;
  /**
   * Compute resources, merged with the manifests' (a limit given replaces that limit only).
   * @default - the manifests'
   */
  readonly resources?: ControllerResources;
  /**
   * Annotations of the controller's ServiceAccount: workload identity, such as
   * `eks.amazonaws.com/role-arn` (EKS), `iam.gke.io/gcp-service-account` (GKE) or
   * `azure.workload.identity/client-id` (AKS).
   * @default - none
   */
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
  /** Labels of the controller's pods, such as `azure.workload.identity/use: "true"` (AKS). @default - the manifests' */
  readonly podLabels?: Readonly<Record<string, string>>;
  /**
   * Node labels the pods must match, merged with the manifests' `kubernetes.io/os: linux`.
   * @default - the manifests'
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /**
   * The pods' affinity, as a Kubernetes `Affinity` object (nodeAffinity, podAffinity, podAntiAffinity).
   * @default - none
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#affinity-and-anti-affinity
   */
  readonly affinity?: Readonly<Record<string, unknown>>;
  /** Tolerations, added to those of the install's tolerationKeys. @default - none */
  readonly tolerations?: readonly ControllerToleration[];
  /**
   * The PriorityClass of the controller's pods, which must exist on the cluster.
   * @default system-cluster-critical (the manifests')
   */
  readonly priorityClassName?: string;
}

/**
 * Multi-tenancy lockdown, as Flux's guide sets it with `flux bootstrap`: objects may not refer to
 * objects in other namespaces (`--no-cross-namespace-refs=true` on kustomize-, helm- and
 * notification-controller and the image controllers), Kustomizations may not use remote bases
 * (`--no-remote-bases=true` on kustomize-controller), and Kustomizations and HelmReleases without
 * a service account apply as this one (`--default-service-account` on kustomize- and
 * helm-controller). Each flag goes to the controllers of these that are installed.
 * @see https://fluxcd.io/flux/installation/configuration/multitenancy/
 */
export interface MultiTenancySettings {
  /** The service account that tenants' objects without one apply as. @default default */
  readonly defaultServiceAccount?: string;
}

// From Flux's multi-tenancy lockdown guide: which controllers take which flag.
const LOCKDOWN: { flag: string; controllers: string[]; value: (m: MultiTenancySettings) => string }[] = [
  {
    flag: 'no-cross-namespace-refs',
    controllers: [
      'kustomize-controller',
      'helm-controller',
      'notification-controller',
      'image-reflector-controller',
      'image-automation-controller',
    ],
    value: () => 'true',
  },
  { flag: 'no-remote-bases', controllers: ['kustomize-controller'], value: () => 'true' },
  {
    flag: 'default-service-account',
    controllers: ['kustomize-controller', 'helm-controller'],
    value: (m) => m.defaultServiceAccount ?? 'default',
  },
];

/** The flags the typed settings set, by setting. */
export const TYPED_FLAGS: Readonly<Record<keyof ControllerFlags, string | undefined>> = {
  concurrent: 'concurrent',
  requeueDependency: 'requeue-dependency',
  featureGates: 'feature-gates',
  logLevel: 'log-level',
  other: undefined,
};

/** What the patches of the typed settings need to know of the install. */
export interface ControllerPatchOptions {
  readonly controllers?: Readonly<Partial<Record<FluxController, ControllerSettings>>>;
  readonly multiTenancy?: MultiTenancySettings;
}

type Deployment = KubernetesObject & {
  spec: {
    template: {
      spec: {
        containers: { name: string; image: string; args?: string[] }[];
        serviceAccountName?: string;
        tolerations?: unknown[];
      };
    };
  };
};

const flagName = (arg: string) => /^--?([^=]+)/.exec(arg)?.[1];

const flagValue = (arg: string) => arg.split('=').slice(1).join('=');

/** The `name=value` pairs of a `--feature-gates` value (`A=true,B=false`), in order. */
const gatesOf = (value: string): [string, string][] =>
  value
    .split(',')
    .filter(Boolean)
    .map((g) => g.split('=') as [string, string]);

/** The `--name=value` flags a controller runs with once `wanted` are set, as JSON patch operations. */
function flagOperations(container: number, args: readonly string[], wanted: Map<string, string>): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  for (const [name, value] of wanted) {
    const at = args.findIndex((a) => flagName(a) === name);
    let text = value;
    if (name === 'feature-gates' && at >= 0) {
      // Merge with the gates the manifests set: one --feature-gates flag, the later value winning.
      const gates = new Map([...gatesOf(flagValue(args[at])), ...gatesOf(value)]);
      text = [...gates].map(([g, v]) => `${g}=${v}`).join(',');
    }
    const path = `/spec/template/spec/containers/${container}/args`;
    ops.push(
      at >= 0
        ? { op: 'replace', path: `${path}/${at}`, value: `--${name}=${text}` }
        : { op: 'add', path: `${path}/-`, value: `--${name}=${text}` },
    );
  }
  return ops;
}

/** The flags one controller's settings ask for, with the setting each comes from. */
function wantedFlags(
  controller: string,
  settings: ControllerPatchOptions,
): Map<string, { value: string; from: string }> {
  const wanted = new Map<string, { value: string; from: string }>();
  if (settings.multiTenancy)
    for (const l of LOCKDOWN.filter((l) => l.controllers.includes(controller)))
      wanted.set(l.flag, { value: l.value(settings.multiTenancy), from: 'multiTenancy' });
  const flags = settings.controllers?.[controller as FluxController]?.flags ?? {};
  const at = `controllers.${controller}.flags`;
  for (const [name, value] of Object.entries(flags.other ?? {}))
    wanted.set(name, { value: String(value), from: `${at}.other.${name}` });
  if (flags.concurrent !== undefined)
    wanted.set('concurrent', { value: String(flags.concurrent), from: `${at}.concurrent` });
  if (flags.requeueDependency !== undefined)
    wanted.set('requeue-dependency', { value: flags.requeueDependency, from: `${at}.requeueDependency` });
  if (flags.logLevel !== undefined) wanted.set('log-level', { value: flags.logLevel, from: `${at}.logLevel` });
  if (flags.featureGates && Object.keys(flags.featureGates).length > 0)
    wanted.set('feature-gates', {
      value: Object.entries(flags.featureGates)
        .map(([g, on]) => `${g}=${on}`)
        .join(','),
      from: `${at}.featureGates`,
    });
  return wanted;
}

/** The feature gates a controller's Deployment turns on or off with `--feature-gates`, by name. */
export function featureGatesOf(deployment: KubernetesObject): Map<string, boolean> {
  const args = (deployment as Deployment).spec.template.spec.containers[0]?.args ?? [];
  const flag = args.find((a) => flagName(a) === 'feature-gates');
  const gates = gatesOf(flag ? flagValue(flag) : '');
  return new Map(gates.map(([gate, on]) => [gate, on === 'true']));
}

/** The image tag a controller's Deployment runs: its version. */
export function controllerVersion(deployment: KubernetesObject): string | undefined {
  const image = (deployment as Deployment).spec.template.spec.containers[0]?.image ?? '';
  return /:([^:/@]+)(@.*)?$/.exec(image)?.[1];
}

/**
 * The patches the typed settings make, and the problems of the flags they set: a flag the
 * controller's version does not accept, named with the setting and the nearest accepted flag.
 * `unchecked` lists the controllers whose version the flags table does not know.
 */
export function controllerPatches(
  objects: readonly KubernetesObject[],
  settings: ControllerPatchOptions,
): { patches: NamedPatch[]; problems: string[]; unchecked: string[] } {
  const patches: NamedPatch[] = [];
  const problems: string[] = [];
  const unchecked: string[] = [];
  const deployments = objects.filter((o) => o.kind === 'Deployment') as Deployment[];
  for (const deployment of deployments) {
    const controller = deployment.metadata.name;
    const { namespace } = deployment.metadata;
    const target = { kind: 'Deployment', name: controller, namespace };
    const own = settings.controllers?.[controller as FluxController];
    const pod = deployment.spec.template.spec;
    const container = Math.max(
      0,
      pod.containers.findIndex((c) => c.name === 'manager'),
    );
    const wanted = wantedFlags(controller, settings);
    if (wanted.size > 0) {
      const version = controllerVersion(deployment) ?? '(no tag)';
      const accepted = acceptedFlags(controller, version);
      if (!accepted) unchecked.push(`${controller} ${version}`);
      for (const [name, { from }] of wanted) {
        if (!accepted || accepted.includes(name)) continue;
        const near = nearest(name, accepted);
        problems.push(
          `${from}: ${controller} ${version} has no flag --${name}` +
            (near ? `; did you mean ${near}?` : '; see its --help for the flags it takes'),
        );
      }
      const sources = [...new Set([...wanted.values()].map((w) => w.from.replace(/\.other\..*$/, '.other')))];
      const values = new Map([...wanted].map(([n, w]) => [n, w.value]));
      patches.push({
        source: sources.join(' and '),
        target,
        patch: flagOperations(container, pod.containers[container].args ?? [], values),
      });
    }
    if (!own) continue;
    const at = `controllers.${controller}`;
    const podPatch = {
      ...(own.podLabels && { metadata: { labels: own.podLabels } }),
      spec: {
        ...(own.nodeSelector && { nodeSelector: own.nodeSelector }),
        ...(own.affinity && { affinity: own.affinity }),
        ...(own.tolerations && { tolerations: [...(pod.tolerations ?? []), ...own.tolerations] }),
        ...(own.priorityClassName && { priorityClassName: own.priorityClassName }),
        ...(own.resources && { containers: [{ name: pod.containers[container].name, resources: own.resources }] }),
      },
    };
    if (Object.keys(podPatch.spec).length > 0 || podPatch.metadata)
      patches.push({ source: at, target, patch: { spec: { template: podPatch } } });
    if (own.serviceAccountAnnotations)
      patches.push({
        source: `${at}.serviceAccountAnnotations`,
        target: { kind: 'ServiceAccount', name: pod.serviceAccountName ?? controller, namespace },
        patch: { metadata: { annotations: own.serviceAccountAnnotations } },
      });
  }
  return { patches, problems, unchecked };
}
