import { Construct } from 'constructs';
import { KUSTOMIZATION_V1, KustomizationSpec, KustomizationSpecDecryption } from '../lib/flux-types';
import { check, checkNamespace, labelledName, Problems, Rule, SOURCE_PATH } from '../lib/rules';
import { Check, checkProps, fieldsOf, is, list, object, problem, required, string } from '../lib/shape';
import { copyData, FluxResource, FluxResourceProps, fluxPropsTable, IFluxObject } from './flux-resource';

/**
 * How kustomize-controller decrypts SOPS-encrypted manifests before it applies them: with keys
 * from a Secret, or with the cloud KMS its service account may use.
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#decryption
 */
export interface KustomizationDecryption extends Omit<KustomizationSpecDecryption, 'provider' | 'secretRef'> {
  /**
   * The decryption engine; `sops` is the only one the CRD accepts.
   * @default sops
   */
  readonly provider?: KustomizationSpecDecryption['provider'];
  /** Name of the Secret with the decryption keys. @default - keys from the controller's environment */
  readonly secretRef?: string;
}

/**
 * Props of {@link Kustomization}: every field of the Kustomization spec (lib/flux-types), with
 * construct references for the source and the dependencies.
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/
 */
export interface KustomizationProps
  extends FluxResourceProps, Omit<KustomizationSpec, 'sourceRef' | 'dependsOn' | 'interval' | 'decryption'> {
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
   * How often Flux reapplies the manifests, correcting drift.
   * @default 10m
   */
  readonly interval?: string;
  /** Kustomizations that must be ready first; they must be deployed by the same stack. @default - none */
  readonly dependsOn?: Kustomization[];
  /**
   * Decrypt SOPS-encrypted manifests before applying them.
   * @default - no decryption
   */
  readonly decryption?: KustomizationDecryption;
}

const dependency = is(
  (v) => v instanceof Kustomization,
  'a Kustomization; a Kustomization depends only on Kustomizations (it waits for its sourceRef by itself), so ' +
    'drop it from dependsOn',
);

/** The props a Kustomization renders itself; every other spec field is left to the CRD schema. */
const OWN_PROPS = fieldsOf<Pick<KustomizationProps, 'sourceRef' | 'prune' | 'dependsOn' | 'decryption'>>()({
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
  dependsOn: list(dependency),
  decryption: object(
    fieldsOf<KustomizationDecryption>()({ provider: string(), secretRef: string(), serviceAccountName: string() }),
  ),
});

/**
 * The shape of {@link KustomizationProps}, checked at run time; the environment settings'
 * Kustomizations are checked with it too. Values of spec fields are left to the CRD schema.
 */
export const KUSTOMIZATION_PROPS = fluxPropsTable(KUSTOMIZATION_V1, OWN_PROPS) satisfies Record<
  keyof KustomizationProps,
  Check
>;

// The order of the fields this construct rendered before it took every field of the schema.
const ORDER = ['interval', 'retryInterval', 'timeout', 'sourceRef', 'path', 'prune', 'wait', 'force'] as const;
const SPEC_ORDER = [
  ...ORDER,
  ...(['targetNamespace', 'decryption', 'postBuild', 'healthChecks', 'patches', 'suspend'] as const),
  ...(['deletionPolicy', 'serviceAccountName', 'dependsOn'] as const),
] satisfies (keyof KustomizationSpec)[];

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
export class Kustomization extends FluxResource<KustomizationSpec> {
  /** Where the manifests come from. */
  public readonly sourceRef: IFluxObject;
  /** The path in the source, as given. */
  public readonly path?: string;
  /** How often Flux reapplies the manifests, with the default resolved. */
  public readonly interval: string;
  private readonly props: KustomizationProps;
  private readonly dependencies: Kustomization[];

  constructor(scope: Construct, id: string, props: KustomizationProps) {
    super(scope, id, props, {
      type: KUSTOMIZATION_V1,
      props: OWN_PROPS,
      namespace: props.sourceRef?.namespace,
      lateFields: ['dependsOn'],
      objectLevelIdentity: (spec) =>
        spec.decryption?.serviceAccountName ? 'decryption.serviceAccountName' : undefined,
    });
    this.props = copyData(props);
    this.sourceRef = props.sourceRef;
    this.path = props.path;
    this.interval = props.interval ?? '10m';
    this.dependencies = [...(props.dependsOn ?? [])];

    const problems = new Problems(this.subject);
    check(problems, 'name', this.name, KUSTOMIZATION_NAME);
    check(problems, 'path', props.path, SOURCE_PATH);
    checkNamespace(problems, 'targetNamespace', props.targetNamespace);
    for (const variable of Object.keys(props.postBuild?.substitute ?? {}).filter((v) => !VARIABLE.test(v)))
      problems.add(`postBuild.substitute "${variable}" ${VARIABLE.text}`, `postBuild.substitute.${variable}`);
    this.createResource(problems);
    this.node.addValidation({ validate: () => this.dependencyProblems() });
  }

  /** The Kustomizations that must be ready before this one, in order. */
  public get dependsOn(): readonly Kustomization[] {
    return [...this.dependencies];
  }

  /**
   * Makes this Kustomization wait for `others` to be Ready. Checked at synth: a cycle, and a
   * Kustomization of another stack, are refused.
   * @param others - Kustomizations of the same stack
   */
  public addDependsOn(...others: Kustomization[]): void {
    checkProps(this.subject, 'Kustomization', { dependsOn: list(dependency) }, { dependsOn: others });
    this.dependencies.push(...others);
  }

  protected renderSpec(): KustomizationSpec {
    const { sourceRef, decryption } = this.props;
    const namespace = (other: IFluxObject) => (other.namespace === this.namespace ? undefined : other.namespace);
    return this.specFrom(
      this.props,
      {
        interval: this.interval,
        sourceRef: {
          kind: sourceRef.kind as KustomizationSpec['sourceRef']['kind'],
          name: sourceRef.name,
          namespace: namespace(sourceRef),
        },
        decryption: decryption && {
          provider: decryption.provider ?? 'sops',
          secretRef: decryption.secretRef ? { name: decryption.secretRef } : undefined,
          serviceAccountName: decryption.serviceAccountName,
        },
        dependsOn: this.dependencies.length
          ? this.dependencies.map((d) => ({ name: d.name, namespace: namespace(d) }))
          : undefined,
      },
      SPEC_ORDER,
    );
  }

  /** Whole-tree rules: every dependency and the source are deployed by this stack, and no cycle. */
  private dependencyProblems(): string[] {
    const problems = this.referenceProblems([
      ...this.dependencies.map((object) => ({
        field: 'dependsOn',
        object,
        fix: (stack: string) => `create it in ${stack} or drop the dependency`,
      })),
      { field: 'sourceRef', object: this.sourceRef, fix: (stack: string) => `create the source in ${stack}` },
    ]);
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
