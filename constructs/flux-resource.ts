import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { TerraformProvider, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { schemaProblems } from '../lib/crd-schema';
import { FluxManifests } from '../lib/flux-manifests';
import { describeObject, KubernetesObject } from '../lib/kubernetes-object';
import { check, checkName, checkNamespace, INTERVAL, POSITIVE_DURATION, Problems } from '../lib/rules';
import { boolean, fieldsOf, list, provider, string } from '../lib/shape';
import { FluxInstall } from './flux-install';
import { FluxStackDefaults, MANIFESTS } from './flux-stack-defaults';
import { manifestResource } from './manifest-resource';

/** A Flux object other objects can point at: a source for a Kustomization, a dependency. */
export interface IFluxObject {
  /** Such as `source.toolkit.fluxcd.io/v1`. */
  readonly apiVersion: string;
  /** Such as `GitRepository`. */
  readonly kind: string;
  /** `metadata.name` of the object. */
  readonly name: string;
  /** `metadata.namespace` of the object. */
  readonly namespace: string;
}

/** Props every Flux custom resource takes. */
export interface FluxResourceProps {
  /**
   * The Flux manifests installed on the cluster; objects are checked against their CRD schemas.
   * @default - the stack's, set with FluxStackDefaults (every stack of addFluxEnvironment has them)
   */
  readonly manifests?: FluxManifests;
  /**
   * Name of the object.
   * @default - the construct id
   */
  readonly name?: string;
  /** @default - the stack's default kubernetes provider */
  readonly kubernetesProvider?: TerraformProvider;
  /**
   * Take over an object of the same kind, namespace and name that is already on the cluster
   * (an import block), instead of creating it.
   * @default - the stack's, set with FluxStackDefaults; else false
   */
  readonly adopt?: boolean;
  /**
   * Wait, in the deploy that creates or changes this object, until Flux reports it Ready for
   * this very spec, for at most this long; the deploy fails otherwise.
   * @default - the stack's, set with FluxStackDefaults; else no wait
   */
  readonly readyTimeout?: string;
  /**
   * Values outside the spec whose change, like a change of the spec, asks Flux to reconcile and
   * is waited for (with readyTimeout), such as the version of the credentials the object reads.
   * @default - the spec alone
   */
  readonly reconcileOn?: string[];
}

/** The shape of the props every Flux object takes, for the run-time check of its props. */
export const FLUX_RESOURCE_PROPS = fieldsOf<FluxResourceProps>()({
  manifests: MANIFESTS,
  name: string(),
  kubernetesProvider: provider,
  adopt: boolean,
  readyTimeout: string(),
  reconcileOn: list(string()),
});

/** Drops undefined fields, so the manifest holds only what the user set. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Checks a Flux object the way the API server would (name, namespace, the CRD's schema) on top
 * of the caller's own rules, throws every problem at once, and creates its `kubernetes_manifest`.
 * `manifest` may differ from `object` by tokens only known at synth (see Kustomization.addDependsOn).
 */
export function createFluxResource(
  scope: Construct,
  props: FluxResourceProps,
  object: KubernetesObject,
  problems: Problems,
  manifest: KubernetesObject = object,
): Manifest {
  // Its CRD would not exist yet when the stack that installs it is first planned.
  const stack = TerraformStack.of(scope);
  const install = stack.node.findAll().find((c) => c instanceof FluxInstall);
  if (install) {
    throw new Error(
      `${scope.node.path}: ${describeObject(object)} is in stack ${stack.node.id}, which installs Flux's CRDs ` +
        `(${install.node.path}); its kubernetes_manifest needs the ${object.kind} CRD at plan time, so the first ` +
        `plan of ${stack.node.id} would fail. Add it to the sync stack (the sync of addFluxEnvironment), which ` +
        `is planned once the CRDs exist`,
    );
  }
  const defaults = FluxStackDefaults.of(scope);
  const manifests = props.manifests ?? defaults?.manifests;
  if (!manifests) {
    throw new Error(
      `${scope.node.path}: no Flux manifests to check ${object.kind} ${object.metadata.name} against; pass ` +
        `manifests, or set them on the stack with FluxStackDefaults.set`,
    );
  }
  const readyTimeout = props.readyTimeout ?? defaults?.readyTimeout;
  check(problems, 'readyTimeout', readyTimeout, POSITIVE_DURATION);
  checkName(problems, 'name', object.metadata.name);
  checkNamespace(problems, 'namespace', object.metadata.namespace);
  const interval = (object.spec as { interval?: unknown } | undefined)?.interval;
  if (typeof interval === 'string') check(problems, 'interval', interval, INTERVAL);
  // A field a rule above or the construct's own rules reported is not reported by the schema again.
  for (const { field, message } of schemaProblems(manifests, object))
    if (!problems.reported(field.replace(/^spec\./, ''))) problems.add(message, field);
  problems.throwIfAny();
  return manifestResource(scope, manifest, {
    provider: props.kubernetesProvider,
    adopt: props.adopt ?? defaults?.adopt,
    readyTimeout,
    reconcileOn: props.reconcileOn,
  });
}
