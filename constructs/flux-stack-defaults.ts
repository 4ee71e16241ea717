import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { FluxManifests } from '../lib/flux-manifests';
import { boolean, checkProps, fieldsOf, is, required, string } from '../lib/shape';
import { checkFrameworkCopies } from './framework-copies';

/** The props check of a construct that takes Flux manifests. */
export const MANIFESTS = is(
  (v) => v instanceof FluxManifests,
  'Flux manifests (from loadFluxManifests or resolveFluxManifests)',
);

/** What every Flux object of a stack shares, set once on the stack. */
export interface FluxStackDefaultsProps {
  /** The Flux manifests installed on the cluster; objects are checked against their CRD schemas. */
  readonly manifests: FluxManifests;
  /**
   * The namespace Flux is installed in: Flux objects of the stack go there unless they say otherwise.
   * @default flux-system
   */
  readonly namespace?: string;
  /**
   * Take over objects already on the cluster (import blocks) instead of creating them.
   * @default false
   */
  readonly adopt?: boolean;
  /**
   * Wait, in the deploy that creates or changes a Flux object, until Flux reports it Ready for
   * that spec, for at most this long (see waitForReady).
   * @default - no wait
   */
  readonly readyTimeout?: string;
}

const FLUX_STACK_DEFAULTS_PROPS = fieldsOf<FluxStackDefaultsProps>()({
  manifests: required(MANIFESTS),
  namespace: string(),
  adopt: boolean,
  readyTimeout: string(),
});

const byStack = new WeakMap<TerraformStack, FluxStackDefaultsProps>();

/**
 * The Flux manifests, namespace and adoption of a stack, found from any construct in it, the way aws-cdk
 * finds a construct's stack with `Stack.of(this)`: the stacks set them once, so a user adding a
 * Kustomization passes only what is about that Kustomization.
 */
export class FluxStackDefaults {
  /**
   * Sets the defaults of `stack`'s Flux objects, for every one created after; the stacks of
   * {@link addFluxEnvironment} set them. Unknown keys and values of the wrong type are refused.
   * @param stack - the stack
   * @param defaults - the manifests, namespace, adoption and wait of its Flux objects
   */
  public static set(stack: TerraformStack, defaults: FluxStackDefaultsProps): void {
    checkFrameworkCopies(stack);
    checkProps(`${stack.node.id}: FluxStackDefaults`, 'FluxStackDefaults', FLUX_STACK_DEFAULTS_PROPS, defaults);
    byStack.set(stack, defaults);
  }

  /**
   * The defaults of the stack `scope` is in, or undefined where none were set.
   * @param scope - any construct of the stack
   */
  public static of(scope: Construct): FluxStackDefaultsProps | undefined {
    checkFrameworkCopies(scope);
    return byStack.get(TerraformStack.of(scope));
  }
}
