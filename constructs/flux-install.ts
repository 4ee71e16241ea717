import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Annotations, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { FluxManifests } from '../lib/flux-manifests';
import { customisedInstall } from '../lib/install-customisation';
import {
  checkInstallOptions,
  FluxInstallOptions,
  resolveInstallOptions,
  ResolvedInstallOptions,
} from '../lib/install-options';
import { KubernetesObject } from '../lib/kubernetes-object';
import { INSTALL } from '../lib/settings-check';
import { boolean, checkProps, fieldsOf, provider } from '../lib/shape';
import { MANIFESTS } from './flux-stack-defaults';
import { manifestResource } from './manifest-resource';

// The types of the customisation props, for users of FluxInstall and of an environment's `install`.
export type {
  ControllerFlags,
  ControllerResources,
  ControllerSettings,
  ControllerToleration,
  FluxController,
  MultiTenancySettings,
} from '../lib/controller-settings';
export type { InstallPatch, JsonPatchOperation } from '../lib/install-patches';
export type { PatchTarget } from '../lib/patch-target';

/** Props of {@link FluxInstall}. */
export interface FluxInstallProps extends FluxInstallOptions {
  /**
   * The install manifests of the Flux version to install, from `loadFluxManifests` or
   * `resolveFluxManifests`; the version installed is theirs.
   */
  readonly manifests: FluxManifests;
  /**
   * Take over the objects an earlier `flux install` or `flux bootstrap` created (import blocks),
   * so the first deploy updates them in place instead of failing on objects that already exist.
   * @default false
   */
  readonly adopt?: boolean;
  /**
   * The kubernetes provider to create the objects with.
   * @default - the stack's default kubernetes provider
   */
  readonly kubernetesProvider?: TerraformProvider;
}

const FLUX_INSTALL_PROPS = fieldsOf<FluxInstallProps>()({
  ...INSTALL,
  manifests: MANIFESTS,
  adopt: boolean,
  kubernetesProvider: provider,
});

/**
 * Flux's namespace, CRDs and controllers, one `kubernetes_manifest` per object, the way
 * `flux install` would apply them with the same options, then customised (controllers,
 * multiTenancy, patches) as `flux bootstrap` customises them with a kustomization.yaml.
 *
 * Each resource's address comes from the object's kind, namespace and name only
 * (`kubernetes_manifest.deployment_flux-system_source-controller`), so moving to a new
 * Flux version plans as in-place updates, never as destroy-and-create.
 *
 * @see https://fluxcd.io/flux/installation/
 */
export class FluxInstall extends Construct {
  /** The Flux version installed, from the manifests. */
  public readonly version: string;
  /** The options with their defaults resolved. */
  public readonly options: ResolvedInstallOptions;
  /** The namespace Flux runs in. */
  public readonly namespace: string;
  /** The objects applied, after the options. */
  public readonly objects: readonly KubernetesObject[];
  /** The namespace resource; git credentials and other namespaced objects depend on it. */
  public readonly namespaceResource: Manifest;
  /** The CRD resources: created after the controllers, destroyed before them. */
  public readonly crdResources: readonly Manifest[];
  /** Every resource created, namespace and CRDs included. */
  public readonly resources: readonly Manifest[];

  constructor(scope: Construct, id: string, props: FluxInstallProps) {
    super(scope, id);
    checkProps(this.node.path, 'FluxInstall', FLUX_INSTALL_PROPS, props);
    this.version = props.manifests.version;
    this.options = resolveInstallOptions(props);
    checkInstallOptions(this.node.path, props.manifests, this.options);
    this.namespace = this.options.namespace;
    const customised = customisedInstall(this.node.path, props.manifests, this.options);
    this.objects = customised.objects;
    for (const controller of customised.uncheckedFlags) {
      Annotations.of(this).addWarning(
        `the flags of ${controller} are not checked: lib/controller-flags.ts does not list that version`,
      );
    }

    // Order, and why: Terraform destroys in the reverse of the order it creates, and the sync
    // stack, which depends on this one, is destroyed first.
    // - The namespace is created first and destroyed last, once nothing in it is left, so it
    //   never sits in Terminating. Namespaced objects depend on it; cluster-wide RBAC does not.
    // - The CRDs are created last and destroyed first, while the controllers and everything they
    //   run with (service accounts, RBAC) still exist: deleting a CRD deletes its custom
    //   resources, and the controllers must be there to clear their finalizers, or the CRD
    //   sticks in Terminating. Custom resources need their CRD only when the sync stack plans.
    // Nothing else is ordered: each wave is applied in parallel.
    const make = (object: KubernetesObject, dependsOn: Manifest[]) =>
      manifestResource(this, object, { provider: props.kubernetesProvider, dependsOn, adopt: props.adopt });
    // FluxManifests refuses a file without its Namespace.
    const [namespaceObject] = this.objects.filter((o) => o.kind === 'Namespace');
    this.namespaceResource = make(namespaceObject, []);
    const restObjects = this.objects.filter((o) => o.kind !== 'Namespace' && o.kind !== 'CustomResourceDefinition');
    const rest = restObjects.map((o) => make(o, o.metadata.namespace ? [this.namespaceResource] : []));
    const runsControllers = rest.filter((_, i) =>
      ['Deployment', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding'].includes(restObjects[i].kind),
    );
    this.crdResources = this.objects
      .filter((o) => o.kind === 'CustomResourceDefinition')
      .map((o) => make(o, [this.namespaceResource, ...runsControllers]));
    const foundation = [this.namespaceResource, ...this.crdResources];
    this.resources = [...foundation, ...rest];
  }
}
