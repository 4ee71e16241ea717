import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Lazy, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { PATCH_TARGET, PatchTarget } from '../lib/patch-target';
import { check, checkNamespace, labelledName, Problems, Rule, SOURCE_PATH } from '../lib/rules';
import { boolean, checkProps, fieldsOf, is, list, object, problem, record, required, string } from '../lib/shape';
import { compact, createFluxResource, FLUX_RESOURCE_PROPS, FluxResourceProps, IFluxObject } from './flux-resource';

/** @see https://fluxcd.io/flux/components/kustomize/kustomizations/#decryption */
export interface KustomizationDecryption {
  /** @default sops */
  readonly provider?: 'sops';
  /** Name of the Secret with the decryption keys. @default - keys from the controller's environment */
  readonly secretRef?: string;
}

/** @see https://fluxcd.io/flux/components/kustomize/kustomizations/#post-build-variable-substitution */
export interface KustomizationPostBuild {
  /** Variables to substitute, `${name}` in the manifests. @default - none */
  readonly substitute?: Record<string, string>;
  /** ConfigMaps and Secrets whose data are variables. @default - none */
  readonly substituteFrom?: {
    readonly kind: 'ConfigMap' | 'Secret';
    readonly name: string;
    readonly optional?: boolean;
  }[];
}

/** An object whose readiness the Kustomization waits for. */
export interface KustomizationHealthCheck {
  /** @default - the object's preferred version */
  readonly apiVersion?: string;
  readonly kind: string;
  readonly name: string;
  /** @default - the Kustomization's targetNamespace */
  readonly namespace?: string;
}

/** A strategic-merge or JSON6902 patch, applied to the objects `target` selects. */
export interface KustomizationPatch {
  readonly patch: string;
  /** @default - the objects the patch names */
  readonly target?: PatchTarget;
}

/** Props of {@link Kustomization}. */
export interface KustomizationProps extends FluxResourceProps {
  /** Where the manifests come from, such as a {@link GitRepository}. */
  readonly sourceRef: IFluxObject;
  /**
   * Whether Flux deletes what it applied once it is removed from the source. Set it
   * deliberately: with `true`, deleting this Kustomization deletes its objects too.
   */
  readonly prune: boolean;
  /**
   * Namespace of the object.
   * @default - the namespace of the source
   */
  readonly namespace?: string;
  /**
   * Directory in the source with the manifests or kustomization.yaml.
   * @default - the root of the source
   */
  readonly path?: string;
  /**
   * How often Flux reapplies the manifests, correcting drift.
   * @default 10m
   */
  readonly interval?: string;
  /** Interval between retries after a failure. @default - the interval */
  readonly retryInterval?: string;
  /** Timeout of build, apply and health checks. @default - the interval */
  readonly timeout?: string;
  /** Wait for every applied object to become ready. @default false */
  readonly wait?: boolean;
  /** Recreate objects that cannot be patched (immutable fields). @default false */
  readonly force?: boolean;
  /** Namespace for every namespaced object applied. @default - the namespaces in the manifests */
  readonly targetNamespace?: string;
  /** Kustomizations that must be ready first; they must be deployed by the same stack. @default - none */
  readonly dependsOn?: Kustomization[];
  /** @default - no decryption */
  readonly decryption?: KustomizationDecryption;
  /** @default - no substitution */
  readonly postBuild?: KustomizationPostBuild;
  /** @default - none */
  readonly healthChecks?: KustomizationHealthCheck[];
  /** @default - none */
  readonly patches?: KustomizationPatch[];
  /** @default false */
  readonly suspend?: boolean;
  /**
   * What happens to the applied objects when this Kustomization is deleted.
   * @default MirrorPrune (delete them when prune is true)
   */
  readonly deletionPolicy?: 'MirrorPrune' | 'Delete' | 'WaitForTermination' | 'Orphan';
  /** Service account to impersonate when applying. @default - the controller's own */
  readonly serviceAccountName?: string;
}

const dependency = is(
  (v) => v instanceof Kustomization,
  'a Kustomization; a Kustomization depends only on Kustomizations (it waits for its sourceRef by itself), so ' +
    'drop it from dependsOn',
);

/**
 * The shape of {@link KustomizationProps}, checked at run time; the environment settings'
 * Kustomizations are checked with it too. Values are left to the CRD schema and the rules.
 */
export const KUSTOMIZATION_PROPS = fieldsOf<KustomizationProps>()({
  ...FLUX_RESOURCE_PROPS,
  sourceRef: required(
    is(
      (v) => ['kind', 'name', 'namespace'].every((k) => typeof (v as Record<string, unknown>)?.[k] === 'string'),
      'a Flux source, such as a GitRepository',
    ),
  ),
  prune: (value, path, out) => {
    if (typeof value !== 'boolean')
      problem(out, path, value, 'is required, true or false: whether Flux deletes what is removed from the repository');
  },
  namespace: string(),
  path: string(),
  interval: string(),
  retryInterval: string(),
  timeout: string(),
  wait: boolean,
  force: boolean,
  targetNamespace: string(),
  dependsOn: list(dependency),
  decryption: object(fieldsOf<KustomizationDecryption>()({ provider: string(), secretRef: string() })),
  postBuild: object(
    fieldsOf<KustomizationPostBuild>()({
      substitute: record(string()),
      substituteFrom: list(
        object(
          fieldsOf<NonNullable<KustomizationPostBuild['substituteFrom']>[number]>()({
            kind: required(string()),
            name: required(string()),
            optional: boolean,
          }),
        ),
      ),
    }),
  ),
  healthChecks: list(
    object(
      fieldsOf<KustomizationHealthCheck>()({
        apiVersion: string(),
        kind: required(string()),
        name: required(string()),
        namespace: string(),
      }),
    ),
  ),
  patches: list(
    object(
      fieldsOf<KustomizationPatch>()({
        patch: required(string()),
        target: object(PATCH_TARGET),
      }),
    ),
  ),
  suspend: boolean,
  deletionPolicy: string(),
  serviceAccountName: string(),
});

/** Kustomization names: Flux writes them into the label kustomize.toolkit.fluxcd.io/name of what it applies. */
export const KUSTOMIZATION_NAME = labelledName('Kustomization', 'kustomize.toolkit.fluxcd.io/name');
// What kustomize-controller substitutes: ^[_[:alpha:]][_[:alpha:][:digit:]]*$ (ASCII).
const VARIABLE: Rule = {
  test: (v) => /^[_A-Za-z][_A-Za-z0-9]*$/.test(v),
  text:
    'is not a variable name Flux substitutes (it fails the whole Kustomization); use letters, digits and "_", ' +
    'starting with a letter or "_", such as cluster_name',
};

/**
 * A Flux `Kustomization` (kustomize.toolkit.fluxcd.io/v1): applies a path of a source to the
 * cluster and keeps it applied.
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/
 */
export class Kustomization extends Construct implements IFluxObject {
  public readonly apiVersion = 'kustomize.toolkit.fluxcd.io/v1';
  public readonly kind = 'Kustomization';
  /** `metadata.name`, the construct id unless given. */
  public readonly name: string;
  /** `metadata.namespace`, the source's unless given. */
  public readonly namespace: string;
  /** Where the manifests come from. */
  public readonly sourceRef: IFluxObject;
  /** The path in the source, as given. */
  public readonly path?: string;
  /** The `kubernetes_manifest` that applies it. */
  public readonly resource: Manifest;
  private readonly dependencies: Kustomization[];

  constructor(scope: Construct, id: string, props: KustomizationProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = props.namespace ?? props.sourceRef?.namespace;
    const subject = `${this.node.path} (Kustomization ${this.namespace}/${this.name})`;
    checkProps(subject, 'Kustomization', KUSTOMIZATION_PROPS, props);
    this.sourceRef = props.sourceRef;
    this.path = props.path;
    this.dependencies = [...(props.dependsOn ?? [])];
    const interval = props.interval ?? '10m';

    const problems = new Problems(subject);
    check(problems, 'name', this.name, KUSTOMIZATION_NAME);
    check(problems, 'path', props.path, SOURCE_PATH);
    checkNamespace(problems, 'targetNamespace', props.targetNamespace);
    for (const variable of Object.keys(props.postBuild?.substitute ?? {}).filter((v) => !VARIABLE.test(v)))
      problems.add(`postBuild.substitute "${variable}" ${VARIABLE.text}`, `postBuild.substitute.${variable}`);

    const spec = compact({
      interval,
      retryInterval: props.retryInterval,
      timeout: props.timeout,
      sourceRef: compact({
        kind: props.sourceRef.kind,
        name: props.sourceRef.name,
        namespace: props.sourceRef.namespace === this.namespace ? undefined : props.sourceRef.namespace,
      }),
      path: props.path,
      prune: props.prune,
      wait: props.wait,
      force: props.force,
      targetNamespace: props.targetNamespace,
      decryption: props.decryption
        ? compact({
            provider: props.decryption.provider ?? 'sops',
            secretRef: props.decryption.secretRef ? { name: props.decryption.secretRef } : undefined,
          })
        : undefined,
      postBuild: props.postBuild
        ? compact({
            substitute: props.postBuild.substitute && { ...props.postBuild.substitute },
            substituteFrom: props.postBuild.substituteFrom?.map((s) => compact({ ...s })),
          })
        : undefined,
      healthChecks: props.healthChecks?.map((h) => compact({ ...h })),
      patches: props.patches?.map((p) => compact({ patch: p.patch, target: p.target && compact({ ...p.target }) })),
      suspend: props.suspend,
      deletionPolicy: props.deletionPolicy,
      serviceAccountName: props.serviceAccountName,
    });
    const metadata = { name: this.name, namespace: this.namespace };
    const object = {
      apiVersion: this.apiVersion,
      kind: this.kind,
      metadata,
      spec: compact({ ...spec, dependsOn: this.dependsOnRefs() }),
    };
    // dependsOn stays open until synth, for addDependsOn.
    const lazyDependsOn = Lazy.anyValue({ produce: () => this.dependsOnRefs() });
    const manifest = { ...object, spec: compact({ ...spec, dependsOn: lazyDependsOn }) };
    this.resource = createFluxResource(this, props, object, problems, manifest);
    this.node.addValidation({ validate: () => this.dependencyProblems() });
  }

  /** The Kustomizations that must be ready before this one, in order. */
  public get dependsOn(): readonly Kustomization[] {
    return [...this.dependencies];
  }

  /** Makes this Kustomization wait for `others`; checked for cycles at synth. */
  public addDependsOn(...others: Kustomization[]): void {
    const subject = `${this.node.path} (Kustomization ${this.namespace}/${this.name})`;
    checkProps(subject, 'Kustomization', { dependsOn: list(dependency) }, { dependsOn: others });
    this.dependencies.push(...others);
  }

  private dependsOnRefs(): { name: string; namespace?: string }[] | undefined {
    if (this.dependencies.length === 0) return undefined;
    return this.dependencies.map((d) =>
      compact({ name: d.name, namespace: d.namespace === this.namespace ? undefined : d.namespace }),
    );
  }

  /** Whole-tree rules: every dependency and the source are deployed by this stack, and no cycle. */
  private dependencyProblems(): string[] {
    const problems: string[] = [];
    const stack = TerraformStack.of(this);
    for (const dependency of this.dependencies) {
      const other = TerraformStack.of(dependency);
      if (other !== stack) {
        problems.push(
          `Kustomization ${this.namespace}/${this.name}: dependsOn Kustomization ` +
            `${dependency.namespace}/${dependency.name} of stack ${other.node.id}, ` +
            `which stack ${stack.node.id} does not deploy, so Flux would wait for it forever; create it in ` +
            `${stack.node.id} or drop the dependency`,
        );
      }
    }
    if (this.sourceRef instanceof Construct && TerraformStack.of(this.sourceRef) !== stack) {
      problems.push(
        `Kustomization ${this.namespace}/${this.name}: sourceRef ${this.sourceRef.kind} ` +
          `${this.sourceRef.namespace}/${this.sourceRef.name} belongs to stack ` +
          `${TerraformStack.of(this.sourceRef).node.id}, which stack ${stack.node.id} does not deploy; create ` +
          `the source in ${stack.node.id}`,
      );
    }
    const cycle = findCycle(this);
    if (cycle) {
      problems.push(
        `Kustomization ${this.namespace}/${this.name}: dependsOn cycle ${cycle.map((k) => k.name).join(' -> ')}; ` +
          'Flux would never apply any of them, remove one of these dependencies',
      );
    }
    return problems;
  }
}

/** The dependency path from `start` back to itself, if there is one. */
function findCycle(start: Kustomization): Kustomization[] | undefined {
  const visit = (node: Kustomization, path: Kustomization[], seen: Set<Kustomization>): Kustomization[] | undefined => {
    for (const next of node.dependsOn) {
      if (next === start) return [...path, next];
      if (seen.has(next)) continue;
      seen.add(next);
      const found = visit(next, [...path, next], seen);
      if (found) return found;
    }
    return undefined;
  };
  return visit(start, [start], new Set());
}
