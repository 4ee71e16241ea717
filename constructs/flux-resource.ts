import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Lazy, TerraformProvider, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { schemaProblems, unservedKind } from '../lib/crd-schema';
import { featureGatesOf } from '../lib/controller-settings';
import { kindOrigin } from '../lib/flux-components';
import { FluxKind } from '../lib/flux-kind';
import { FluxManifests } from '../lib/flux-manifests';
import { KubernetesObject } from '../lib/kubernetes-object';
import { check, checkName, checkNamespace, INTERVAL, POSITIVE_DURATION, Problems } from '../lib/rules';
import { anything, boolean, Check, checkProps, fieldsOf, list, provider, string } from '../lib/shape';
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
   * Name of the object: a DNS-1123 subdomain (lower-case letters, digits, `-` and `.`).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the object: a DNS-1123 label. With the install's `watchAllNamespaces` off, one
   * other than the Flux namespace is refused (Flux would never see the object).
   * @default - the kind's default, else the stack's Flux namespace (set with FluxStackDefaults: the
   * install's namespace in every stack of addFluxEnvironment), else flux-system
   */
  readonly namespace?: string;
  /**
   * The kubernetes provider configuration the object is applied with, for a stack with more than one.
   * @default - the stack's default kubernetes provider
   */
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
  namespace: string(),
  kubernetesProvider: provider,
  adopt: boolean,
  readyTimeout: string(),
  reconcileOn: list(string()),
});

/**
 * One check per spec field of a kind, leaving its value to the CRD schema: a props table with these
 * refuses an unknown prop by name and lets every field of the schema through.
 */
export function specFieldChecks<Spec>(type: FluxKind<Spec>): Record<keyof Spec & string, Check> {
  return Object.fromEntries(type.specFields.map((field) => [field, anything])) as Record<keyof Spec & string, Check>;
}

/** The props table of a kind: its own props, the base's, and every spec field, left to the CRD schema. */
export function fluxPropsTable<Spec, Own extends Record<string, Check>>(
  type: FluxKind<Spec>,
  own: Own,
): Record<keyof Spec & string, Check> & typeof FLUX_RESOURCE_PROPS & Own {
  return { ...specFieldChecks(type), ...FLUX_RESOURCE_PROPS, ...own };
}

/** A deep copy of plain data without its undefined fields; tokens and other objects are kept as they are. */
export function copyData<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => copyData(v)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const fields = Object.entries(value).filter(([, v]) => v !== undefined);
    return Object.fromEntries(fields.map(([k, v]) => [k, copyData(v)])) as T;
  }
  return value;
}

/** What a kind gives the base: its generated description, its own props and its defaults. */
export interface FluxResourceOptions<Spec> {
  /** The kind and version, from lib/flux-types. */
  readonly type: FluxKind<Spec>;
  /**
   * The run-time shape of the props the kind renders itself (references, conveniences); every other
   * spec field is passed through as given and left to the CRD schema.
   * @default - none
   */
  readonly props?: Record<string, Check>;
  /**
   * The kind's default namespace, such as a HelmRelease's source's.
   * @default - the stack's Flux namespace, else flux-system
   */
  readonly namespace?: string;
  /**
   * Spec fields a method may change after construction (such as `dependsOn`): rendered at synth.
   * @default - none: the spec is rendered when the kind calls `createResource`
   */
  readonly lateFields?: readonly (keyof Spec & string)[];
  /**
   * Why Flux never reports this object Ready, for an object it does not reconcile (an OCI
   * HelmRepository is static): the stack's readyTimeout does not apply to it, and one given in its
   * props is refused with this reason.
   * @default - Flux reports it Ready once reconciled
   */
  readonly neverReady?: string;
  /**
   * Objects the deploy applies first (Terraform's depends_on), for an order Flux itself does not
   * keep, such as a HelmRelease after a Kustomization.
   * @default - none
   */
  readonly applyAfter?: readonly {
    /** The `kubernetes_manifest` of the object. */
    readonly resource: Manifest;
  }[];
  /**
   * The spec field, if any, by which the object authenticates to its cloud provider as a service
   * account of its own (object-level workload identity): the controller that reconciles it
   * refuses that unless its `ObjectLevelWorkloadIdentity` feature gate is on.
   * @default - the kind has no such field
   */
  readonly objectLevelIdentity?: (spec: Spec) => string | undefined;
}

/** The feature gate of Flux's controllers that lets an object name a service account for its cloud provider. */
const OBJECT_LEVEL_IDENTITY = 'ObjectLevelWorkloadIdentity';

/** A reference of a Flux object to another, for the whole-tree rule that both are of one stack. */
export interface FluxReference {
  /** The prop that holds it, such as `dependsOn[0]`. */
  readonly field: string;
  /** The object it points at. */
  readonly object: IFluxObject;
  /**
   * What the reference across stacks would do.
   * @default - so Flux would wait for it forever
   */
  readonly consequence?: string;
  /** What would make it right, such as `create the source in dev-flux-sync`, given the object's stack. */
  readonly fix: (stack: string) => string;
}

/**
 * The base of every Flux object: one `kubernetes_manifest`, its props checked by shape (an unknown
 * prop refused by name, every spec field of the schema let through) and the object against the CRD
 * schema of the installed Flux, each problem once and all at once; applied as the API server stores
 * it, its literal text escaped, with conflicts forced, adopted or waited for as the stack says
 * (FluxStackDefaults). A kind is a small subclass: it renders its references and defaults
 * (`renderSpec`), states the rules no schema states, and calls `createResource`.
 */
export abstract class FluxResource<Spec extends object> extends Construct implements IFluxObject {
  public readonly apiVersion: string;
  public readonly kind: string;
  /** `metadata.name`, the construct id unless given. */
  public readonly name: string;
  /** `metadata.namespace`, with the default resolved. */
  public readonly namespace: string;
  /**
   * How long the deploy that creates or changes it waits for Flux to report it Ready, with the
   * stack's default resolved; undefined when it does not wait.
   */
  public readonly readyTimeout?: string;
  /** `path (Kind namespace/name)`: how messages name the object. */
  protected readonly subject: string;
  private readonly common: FluxResourceProps;
  private readonly givenReadyTimeout?: string;
  private readonly options: FluxResourceOptions<Spec>;
  private readonly manifests: FluxManifests;
  private manifest?: Manifest;

  protected constructor(scope: Construct, id: string, props: FluxResourceProps, options: FluxResourceOptions<Spec>) {
    super(scope, id);
    this.options = options;
    this.apiVersion = options.type.apiVersion;
    this.kind = options.type.kind;
    this.name = props.name ?? id;
    const defaults = FluxStackDefaults.of(this);
    this.namespace = props.namespace ?? options.namespace ?? defaults?.namespace ?? 'flux-system';
    this.subject = `${this.node.path} (${this.kind} ${this.namespace}/${this.name})`;
    checkProps(this.subject, this.kind, fluxPropsTable(options.type, options.props ?? {}), props);

    // Its CRD would not exist yet when the stack that installs it is first planned.
    const stack = TerraformStack.of(this);
    const install = stack.node.findAll().find((c) => c instanceof FluxInstall);
    if (install) {
      throw new Error(
        `${this.node.path}: ${this.kind} ${this.namespace}/${this.name} is in stack ${stack.node.id}, which ` +
          `installs Flux's CRDs (${install.node.path}); its kubernetes_manifest needs the ${this.kind} CRD at plan ` +
          `time, so the first plan of ${stack.node.id} would fail. Add it to the sync stack (the sync of ` +
          `addFluxEnvironment), which is planned once the CRDs exist`,
      );
    }
    const manifests = props.manifests ?? defaults?.manifests;
    if (!manifests) {
      throw new Error(
        `${this.node.path}: no Flux manifests to check ${this.kind} ${this.name} against; pass manifests, or set ` +
          `them on the stack with FluxStackDefaults.set`,
      );
    }
    // Its kubernetes_manifest could not be planned on a cluster without the CRD: refused before any field.
    const unserved = unservedKind(manifests, this.apiVersion, this.kind);
    if (unserved) throw new Error(`${this.subject}: ${unserved}`);
    this.manifests = manifests;
    this.givenReadyTimeout = props.readyTimeout;
    this.readyTimeout = options.neverReady ? undefined : (props.readyTimeout ?? defaults?.readyTimeout);
    this.common = { ...props, adopt: props.adopt ?? defaults?.adopt, readyTimeout: this.readyTimeout };
  }

  /** The `kubernetes_manifest` that applies it. */
  public get resource(): Manifest {
    if (!this.manifest) throw new Error(`${this.subject}: its constructor did not call createResource`);
    return this.manifest;
  }

  /** The spec as it is applied, with the kind's references and defaults. */
  protected abstract renderSpec(): Spec;

  /**
   * The spec fields of `props` as given, with the fields the kind renders itself (`own`: references,
   * defaults) in their place, in `order` and then the schema's order. Keep a kind's order once
   * released: the reconcile request hashes the spec as sent, so a new order would change the hash
   * and ask every existing object to reconcile once.
   */
  protected specFrom(props: object, own: Partial<Spec>, order: readonly (keyof Spec & string)[] = []): Spec {
    const given = props as Record<string, unknown>;
    const rendered = own as Record<string, unknown>;
    const fields = [...order, ...this.options.type.specFields.filter((f) => !order.includes(f))];
    const values = fields.map((f) => [f, f in rendered ? rendered[f] : given[f]] as const);
    return Object.fromEntries(values.filter(([, v]) => v !== undefined)) as Spec;
  }

  /** The object as it is applied. */
  public toObject(): KubernetesObject {
    const metadata = { name: this.name, namespace: this.namespace };
    return { apiVersion: this.apiVersion, kind: this.kind, metadata, spec: copyData(this.renderSpec()) };
  }

  /**
   * Checks the object after the kind's own rules (in `problems`): its name and namespace, the CRD
   * schema for every field no rule reported, then that the interval is more than nothing; throws every
   * problem at once, else creates the `kubernetes_manifest`. Each kind calls it at the end of its
   * constructor, once renderSpec has what it needs.
   */
  protected createResource(problems: Problems): void {
    const { neverReady } = this.options;
    const given = this.givenReadyTimeout;
    if (neverReady && given !== undefined)
      problems.add(
        `readyTimeout "${given}": ${neverReady}, so the deploy would wait for it until it fails; ` +
          'leave readyTimeout out',
        'readyTimeout',
      );
    check(problems, 'readyTimeout', this.common.readyTimeout, POSITIVE_DURATION);
    checkName(problems, 'name', this.name);
    checkNamespace(problems, 'namespace', this.namespace);
    for (const { field, message } of this.schemaProblems(problems)) problems.add(message, field);
    problems.throwIfAny();

    const object = this.toObject();
    const late = this.options.lateFields ?? [];
    const spec = Object.fromEntries(
      Object.keys(object.spec as object)
        .concat(late.filter((f) => !(f in (object.spec as object))))
        .map((f) => {
          const value = (object.spec as Record<string, unknown>)[f];
          const lazy = Lazy.anyValue({ produce: () => (this.renderSpec() as Record<string, unknown>)[f] });
          return [f, late.includes(f as keyof Spec & string) ? lazy : value];
        }),
    );
    this.manifest = manifestResource(
      this,
      { ...object, spec },
      {
        provider: this.common.kubernetesProvider,
        dependsOn: this.options.applyAfter?.map((o) => o.resource),
        adopt: this.common.adopt,
        readyTimeout: this.common.readyTimeout,
        reconcileOn: this.common.reconcileOn,
      },
    );
    this.node.addValidation({ validate: () => this.installProblems() });
    // What changed after construction (addDependsOn) is checked against the schema at synth.
    if (late.length > 0) {
      this.node.addValidation({
        validate: () => this.schemaProblems(new Problems(this.subject)).map((p) => `${this.subject}: ${p.message}`),
      });
    }
  }

  /**
   * Whole-tree rule: every reference is to an object this stack deploys, or Flux would wait for
   * something no deploy of this stack creates. For `node.addValidation`; references that are not
   * constructs (objects made elsewhere) are left alone.
   */
  protected referenceProblems(references: readonly FluxReference[]): string[] {
    const stack = TerraformStack.of(this);
    return references.flatMap(({ field, object, consequence = 'so Flux would wait for it forever', fix }) => {
      if (!(object instanceof Construct)) return [];
      const other = TerraformStack.of(object);
      if (other === stack) return [];
      return [
        `${this.kind} ${this.namespace}/${this.name}: ${field} ${object.kind} ${object.namespace}/${object.name} ` +
          `of stack ${other.node.id}, which stack ${stack.node.id} does not deploy, ${consequence}; ` +
          fix(stack.node.id),
      ];
    });
  }

  /**
   * Whole-tree rule: the Flux install of a stack this one depends on (the bootstrap stack of
   * addFluxEnvironment) installs this kind's CRD. Manifests may hold more controllers than the
   * install takes (a release's install.yaml holds all of them), so that they have the CRD is not
   * enough: without it on the cluster, this object could not be planned.
   */
  private installProblems(): string[] {
    const stacks = new Set<TerraformStack>();
    const visit = (stack: TerraformStack) =>
      stack.dependencies.filter((d) => !stacks.has(d)).forEach((d) => (stacks.add(d), visit(d)));
    visit(TerraformStack.of(this));
    const [group] = this.apiVersion.split('/');
    const { component, extra } = kindOrigin(group, this.kind);
    const installs = [...stacks].flatMap((s) => s.node.findAll().filter((c) => c instanceof FluxInstall));
    return installs.flatMap((install) => {
      const served = install.objects.some((o) => {
        const spec = o.spec as { group?: string; names?: { kind?: string } } | undefined;
        return o.kind === 'CustomResourceDefinition' && spec?.group === group && spec.names?.kind === this.kind;
      });
      if (served) return this.identityProblems(install, component);
      const installed = [...install.options.components, ...install.options.componentsExtra].join(', ');
      const fix = component
        ? `add ${component} to the install's ${extra ? 'componentsExtra' : 'components'}`
        : `install the controller that serves ${this.kind}`;
      return [
        `${this.kind} ${this.namespace}/${this.name}: the Flux install ${install.node.path} does not install the ` +
          `${this.kind} CRD ` +
          `(${group}; it installs ${installed}), so this object could not be planned; ${fix}`,
      ];
    });
  }

  /**
   * A service account of the object's own for its cloud provider is refused by its controller
   * unless the install turns on the controller's ObjectLevelWorkloadIdentity feature gate (Flux's
   * controllers since v2.6 check `auth.IsObjectLevelWorkloadIdentityEnabled` before using it).
   */
  private identityProblems(install: FluxInstall, controller: string | undefined): string[] {
    const field = this.options.objectLevelIdentity?.(this.renderSpec());
    const deployment = install.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === controller);
    if (!field || !deployment || featureGatesOf(deployment).get(OBJECT_LEVEL_IDENTITY)) return [];
    return [
      `${this.kind} ${this.namespace}/${this.name}: ${field} authenticates to the cloud provider as a service ` +
        `account of the object's own, which ${controller} refuses unless its ${OBJECT_LEVEL_IDENTITY} feature gate ` +
        `is on, and the Flux install ${install.node.path} leaves it off; set install.controllers['${controller}']` +
        `.flags.featureGates.${OBJECT_LEVEL_IDENTITY}: true, or leave ${field} out to use the controller's own ` +
        'service account',
    ];
  }

  /** The problems of the object's fields that `reported` has none of: the schema's, then the interval rule. */
  private schemaProblems(reported: Problems): { field: string; message: string }[] {
    const object = this.toObject();
    const found = schemaProblems(this.manifests, object)
      .map(({ field, message }) => ({ field: field.replace(/^spec\./, ''), message }))
      .filter(({ field }) => !reported.reported(field));
    // Syntax is the schema's; that the interval is not zero is Flux's own rule, which no schema states.
    const interval = (object.spec as { interval?: unknown } | undefined)?.interval;
    const syntax = found.some((p) => p.field === 'interval') || reported.reported('interval');
    if (typeof interval === 'string' && !syntax && !Token.isUnresolved(interval) && !INTERVAL.test(interval))
      found.push({ field: 'interval', message: `interval "${interval}" ${INTERVAL.text}` });
    return found;
  }
}
