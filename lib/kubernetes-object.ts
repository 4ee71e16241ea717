/**
 * A Kubernetes object as it appears in a manifest: plain JSON, no tokens. The install's objects
 * ({@link FluxManifests}' `objects`) are these, parsed from the manifests file.
 */
export interface KubernetesObject {
  /** Group and version of the kind, such as `apps/v1` or `v1`. */
  readonly apiVersion: string;
  /** Kind of the object, such as `Deployment`. */
  readonly kind: string;
  /** Its name, namespace, labels and annotations. */
  readonly metadata: ObjectMeta;
  /** Every other field (`spec`, `data`, ...), as the manifest writes it. */
  readonly [field: string]: unknown;
}

/** The metadata of a {@link KubernetesObject}: what names it, and its labels and annotations. */
export interface ObjectMeta {
  /** Name of the object, unique for its kind in its namespace. */
  readonly name: string;
  /** Namespace of the object; absent for a cluster-scoped kind (a CRD, a ClusterRole, a Namespace). */
  readonly namespace?: string;
  /** Labels, by key. */
  readonly labels?: Record<string, string>;
  /** Annotations, by key. */
  readonly annotations?: Record<string, string>;
  /** Every other metadata field, as the manifest writes it. */
  readonly [field: string]: unknown;
}

/**
 * The Terraform resource name of an object, derived from kind, namespace and name only,
 * so that the address survives Flux upgrades and construct-tree refactoring:
 * `deployment_flux-system_source-controller`, `customresourcedefinition_gitrepositories_source_toolkit_fluxcd_io`.
 */
export function objectAddress(kind: string, name: string, namespace?: string): string {
  const parts = [kind.toLowerCase(), ...(namespace ? [namespace] : []), name];
  return parts.join('_').replace(/[^A-Za-z0-9_-]/g, '_');
}

/** `Kind namespace/name`, or `Kind name` when cluster-scoped, for messages. */
export function describeObject(object: KubernetesObject): string {
  const { name, namespace } = object.metadata;
  return `${object.kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** A deep copy, so transformations never touch the parsed manifests shared between environments. */
export function cloneObject<T>(value: T): T {
  return structuredClone(value);
}
