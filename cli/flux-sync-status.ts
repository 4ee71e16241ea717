// What `cdktf-flux deploy` and `cdktf-flux review` read from the cluster: the Flux objects a stack
// applies, and whether Flux reports each one Ready for the spec the stack gave it, with Flux's
// own reason and message when it does not.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { manifestFileOf } from '../constructs/manifest-resource';
import { RECONCILE_REQUEST_ANNOTATION } from '../constructs/ready-wait';

/** A Flux object a stack applies, as its synthesized configuration names it. */
export interface FluxObjectRef {
  readonly address: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** The create timeout of its `wait`, when the deploy waits for it. */
  readonly waitTimeout?: string;
}

/** The Flux objects of one synthesized stack and the cluster they go to. */
export interface StackFluxObjects {
  readonly stack: string;
  readonly kubeconfigPath: string;
  readonly kubeContext: string;
  readonly objects: readonly FluxObjectRef[];
}

/** The parts of a live Flux object the readiness rules read. */
export interface LiveFluxObject {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; generation?: number; annotations?: Record<string, string> };
  readonly spec?: { suspend?: boolean; type?: string; sourceRef?: { kind: string; name: string; namespace?: string } };
  readonly status?: {
    observedGeneration?: number;
    lastHandledReconcileAt?: string;
    lastAppliedRevision?: string;
    artifact?: { revision?: string };
    conditions?: { type: string; status: string; reason?: string; message?: string; observedGeneration?: number }[];
  };
}

interface StackJson {
  variable?: Record<string, { default?: string }>;
  resource?: { kubernetes_manifest?: Record<string, { manifest: unknown; timeouts?: { create?: string } }> };
}

const expandHome = (path: string) => (path.startsWith('~/') ? join(homedir(), path.slice(2)) : path);

/**
 * The Flux objects `cdktf.out/stacks/<stack>` applies, with the cluster its variables select
 * (TF_VAR_kubeconfig_path and TF_VAR_kube_context override the defaults, as for OpenTofu).
 * Undefined when the stack applies none.
 */
export function fluxObjectsOf(stackDir: string, stack: string, env = process.env): StackFluxObjects | undefined {
  const file = join(stackDir, 'cdk.tf.json');
  if (!existsSync(file)) return undefined;
  const config = JSON.parse(readFileSync(file, 'utf8')) as StackJson;
  const objects: FluxObjectRef[] = [];
  for (const [name, resource] of Object.entries(config.resource?.kubernetes_manifest ?? {})) {
    const path = manifestFileOf(resource.manifest);
    const manifest = (path ? JSON.parse(readFileSync(join(stackDir, path), 'utf8')) : resource.manifest) as {
      apiVersion?: string;
      kind?: string;
      metadata?: { name?: string; namespace?: string };
    };
    if (!/\.toolkit\.fluxcd\.io\//.test(manifest.apiVersion ?? '')) continue;
    objects.push({
      address: `kubernetes_manifest.${name}`,
      apiVersion: manifest.apiVersion!,
      kind: manifest.kind ?? '',
      name: manifest.metadata?.name ?? '',
      namespace: manifest.metadata?.namespace ?? '',
      waitTimeout: resource.timeouts?.create,
    });
  }
  if (objects.length === 0) return undefined;
  return { stack, ...stackCluster(config, env), objects };
}

/** The cluster a stack's variables select: TF_VAR_kubeconfig_path and TF_VAR_kube_context win, as for OpenTofu. */
export function stackCluster(
  config: { variable?: Record<string, { default?: string }> },
  env = process.env,
): { kubeconfigPath: string; kubeContext: string } {
  const variable = (name: string) => env[`TF_VAR_${name}`] ?? config.variable?.[name]?.default ?? '';
  return {
    kubeconfigPath: expandHome(variable('kubeconfig_path') || '~/.kube/config'),
    kubeContext: variable('kube_context'),
  };
}

/**
 * An ES module, by a path resolved from here. tsc's CommonJS output would turn `import()` into
 * `require()`, which loads an ES module (the cluster client is one) only from Node.js 20.19 on.
 */
const importModule = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;

function importEsm<T>(specifier: string): Promise<T> {
  return importModule(pathToFileURL(require.resolve(specifier)).href) as Promise<T>;
}

/**
 * A client of the cluster, loaded only when needed and by deep path: the package's index loads a
 * class for every API of Kubernetes (~0.9 s against ~0.45 s for these two modules).
 */
export async function kubernetesClient(cluster: { kubeconfigPath: string; kubeContext: string }) {
  const [{ KubeConfig }, { KubernetesObjectApi }] = await Promise.all([
    importEsm<typeof import('@kubernetes/client-node/dist/config.js')>('@kubernetes/client-node/dist/config.js'),
    importEsm<typeof import('@kubernetes/client-node/dist/object.js')>('@kubernetes/client-node/dist/object.js'),
  ]);
  const config = new KubeConfig();
  config.loadFromFile(cluster.kubeconfigPath);
  if (cluster.kubeContext) config.setCurrentContext(cluster.kubeContext);
  return KubernetesObjectApi.makeApiClient(config);
}

const label = (o: { kind: string; metadata: { name: string; namespace?: string } }) =>
  `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/**
 * Why Flux does not count `object` as synced, in Flux's own words where it gave any; undefined
 * when it is Ready for its current spec. A Ready condition from an earlier generation does not
 * count, nor a Kustomization that applied another revision than its source holds.
 */
export function notSyncedReason(
  object: LiveFluxObject,
  sourceOf: (kind: string, namespace: string, name: string) => LiveFluxObject | undefined,
): string | undefined {
  if (object.spec?.suspend) return undefined;
  // An OCI HelmRepository is static: source-controller never reconciles it, nor reports on it.
  if (object.kind === 'HelmRepository' && object.spec?.type === 'oci') return undefined;
  // So are v1beta3 Alerts and Providers: notification-controller reads them for each event.
  if (/^notification\.toolkit\.fluxcd\.io\/v1beta3$/.test(object.apiVersion ?? '') && object.kind !== 'Receiver')
    return undefined;
  const { generation, annotations } = object.metadata;
  const status = object.status ?? {};
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  if (!ready) return 'Flux has not reported on it yet (no Ready condition)';
  const flux = `${ready.reason ?? ready.status}: ${ready.message ?? ''}`;
  // Flux stamps each condition with the generation it judged.
  const judged = ready.observedGeneration ?? generation ?? 0;
  if (generation !== undefined && judged < generation)
    return `Flux has not reconciled its current spec yet (generation ${generation}, Ready is of ${judged}: ${flux})`;
  if (ready.status !== 'True') return flux;
  const requested = annotations?.[RECONCILE_REQUEST_ANNOTATION];
  if (requested !== undefined && status.lastHandledReconcileAt !== requested)
    return `Ready from before the reconcile this deploy requested; Flux has not handled it yet`;
  const ref = object.spec?.sourceRef;
  if (object.kind === 'Kustomization' && ref) {
    const namespace = ref.namespace ?? object.metadata.namespace ?? '';
    const revision = sourceOf(ref.kind, namespace, ref.name)?.status?.artifact?.revision;
    if (revision && status.lastAppliedRevision !== revision) {
      const source = label({ kind: ref.kind, metadata: { name: ref.name, namespace } });
      return `applied ${status.lastAppliedRevision ?? 'nothing'}, but its source ${source} is at ${revision}`;
    }
  }
  return undefined;
}

/** An object Flux does not count as synced, and why. */
export interface NotSynced {
  /** `Kind namespace/name`. */
  readonly object: string;
  readonly reason: string;
}

/** Every object that is not synced, with its reason. */
export function syncProblems(objects: readonly (LiveFluxObject | { missing: FluxObjectRef })[]): NotSynced[] {
  const live = objects.filter((o): o is LiveFluxObject => !('missing' in o));
  const sourceOf = (kind: string, namespace: string, name: string) =>
    live.find((o) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? '') === namespace);
  return objects.flatMap((o) => {
    if ('missing' in o)
      return [{ object: `${o.missing.kind} ${o.missing.namespace}/${o.missing.name}`, reason: 'not on the cluster' }];
    const reason = notSyncedReason(o, sourceOf);
    return reason ? [{ object: label(o), reason }] : [];
  });
}

/** syncProblems of a stack already deployed; undefined when none of its objects is on the cluster yet. */
export function deployedSyncProblems(
  objects: readonly (LiveFluxObject | { missing: FluxObjectRef })[],
): NotSynced[] | undefined {
  return objects.every((o) => 'missing' in o) ? undefined : syncProblems(objects);
}

/** Reads the stack's Flux objects from its cluster. */
export async function readFluxObjects(
  stack: StackFluxObjects,
): Promise<(LiveFluxObject | { missing: FluxObjectRef })[]> {
  const client = await kubernetesClient(stack);
  return Promise.all(
    stack.objects.map(async (ref) => {
      try {
        const { apiVersion, kind, name, namespace } = ref;
        return (await client.read({ apiVersion, kind, metadata: { name, namespace } })) as unknown as LiveFluxObject;
      } catch (error) {
        if ((error as { code?: number }).code === 404) return { missing: ref };
        throw error;
      }
    }),
  );
}

/** Reads until every object is synced or `timeoutMs` has passed; returns what is still not synced. */
export async function waitForSync(stack: StackFluxObjects, timeoutMs: number, pollMs = 2000): Promise<NotSynced[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const problems = syncProblems(await readFluxObjects(stack));
    if (problems.length === 0 || Date.now() >= deadline) return problems;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
  }
}

/** A Go duration (`5m`, `1m30s`) in milliseconds. */
export function durationMs(duration: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const [, value, unit] of duration.matchAll(/([0-9.]+)(ms|s|m|h)/g)) total += Number(value) * units[unit];
  return total;
}
