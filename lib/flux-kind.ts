/**
 * One kind and version of a Flux custom resource, as lib/flux-types describes it (generated from
 * the CRDs): what a FluxResource needs to render it and to check props before the CRD schema does.
 */
export interface FluxKind<Spec> {
  /** Such as `kustomize.toolkit.fluxcd.io/v1`. */
  readonly apiVersion: string;
  /** Such as `Kustomization`. */
  readonly kind: string;
  /** Every field of the spec, in the order of the schema. */
  readonly specFields: readonly (keyof Spec & string)[];
}
