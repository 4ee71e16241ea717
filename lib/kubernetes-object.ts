/** A Kubernetes object as it appears in a manifest: plain JSON, no tokens. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly [field: string]: unknown;
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
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
