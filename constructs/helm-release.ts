import { Construct } from 'constructs';
import { HELM_RELEASE_V2, HelmReleaseSpec, HelmReleaseSpecChart, HelmReleaseSpecChartSpec } from '../lib/flux-types';
import { check, checkNamespace, labelledName, Problems } from '../lib/rules';
import { anything, Check, fieldsOf, is, list, object, required } from '../lib/shape';
import { copyData, FluxResource, FluxResourceProps, fluxPropsTable, IFluxObject } from './flux-resource';
import { Kustomization } from './kustomization';

/** The chart of a HelmRelease: its name and version in a source, and how Flux fetches it. */
export interface HelmReleaseChartSpec extends Omit<HelmReleaseSpecChartSpec, 'sourceRef'> {
  /** The source of the chart: a {@link HelmRepository}, or a GitRepository or Bucket holding it. */
  readonly sourceRef: IFluxObject;
}

/**
 * The template of the HelmChart Flux makes for the release, in the namespace of its source.
 * @see https://fluxcd.io/flux/components/helm/helmreleases/#chart-template
 */
export interface HelmReleaseChart extends Omit<HelmReleaseSpecChart, 'spec'> {
  /** The chart: its name, version and source, with the source a construct. */
  readonly spec: HelmReleaseChartSpec;
}

/**
 * Props of {@link HelmRelease}: every field of the HelmRelease spec (lib/flux-types), with
 * construct references for the chart's source, the chart and the dependencies.
 * @see https://fluxcd.io/flux/components/helm/helmreleases/
 */
export interface HelmReleaseProps
  extends FluxResourceProps, Omit<HelmReleaseSpec, 'chart' | 'chartRef' | 'dependsOn' | 'interval'> {
  /**
   * The chart, from a source such as a {@link HelmRepository}; give chart or chartRef.
   * @default - chartRef
   */
  readonly chart?: HelmReleaseChart;
  /**
   * A chart Flux already fetched: an OCIRepository, HelmChart or ExternalArtifact; give chart or chartRef.
   * @default - chart
   */
  readonly chartRef?: IFluxObject;
  /**
   * Namespace of the object.
   * @default - the namespace of the chart's source
   */
  readonly namespace?: string;
  /**
   * How often Flux reconciles the release, correcting drift.
   * @default 10m
   */
  readonly interval?: string;
  /**
   * What must be Ready first. A HelmRelease is Flux's `dependsOn`: helm-controller checks it at
   * every reconcile. A Kustomization orders the deploy instead, since helm-controller depends on
   * HelmReleases only: the release is applied once the deploy's wait has seen the Kustomization
   * Ready (so the Kustomization needs a readyTimeout), and Flux does not hold later upgrades back
   * when the Kustomization fails. Both must be deployed by the same stack.
   * @default - none
   */
  readonly dependsOn?: (HelmRelease | Kustomization)[];
}

const fluxObject = (what: string) =>
  is((v) => ['kind', 'name', 'namespace'].every((k) => typeof (v as Record<string, unknown>)?.[k] === 'string'), what);

/** The props a HelmRelease renders itself; every other spec field is left to the CRD schema. */
const OWN_PROPS = fieldsOf<Pick<HelmReleaseProps, 'chart' | 'chartRef' | 'dependsOn'>>()({
  chart: object(
    fieldsOf<HelmReleaseChart>()({
      metadata: anything,
      spec: required(
        object(
          fieldsOf<HelmReleaseChartSpec>()({
            chart: anything,
            ignoreMissingValuesFiles: anything,
            interval: anything,
            reconcileStrategy: anything,
            sourceRef: required(fluxObject('a Flux source, such as a HelmRepository')),
            valuesFiles: anything,
            verify: anything,
            version: anything,
          }),
        ),
      ),
    }),
  ),
  chartRef: fluxObject('a Flux object holding a chart, such as an OCIRepository'),
  dependsOn: list(
    is(
      (v) => v instanceof HelmRelease || v instanceof Kustomization,
      'a HelmRelease or a Kustomization; a HelmRelease waits for its chart by itself, so drop it from dependsOn',
    ),
  ),
});

/** The shape of {@link HelmReleaseProps}, checked at run time; the settings' helmReleases too. */
export const HELM_RELEASE_PROPS = fluxPropsTable(HELM_RELEASE_V2, OWN_PROPS) satisfies Record<
  keyof HelmReleaseProps,
  Check
>;

// The first fields, as Flux's docs write them; then the schema's order.
const SPEC_ORDER = ['interval', 'chart', 'chartRef', 'dependsOn'] satisfies (keyof HelmReleaseSpec)[];

/** HelmRelease names: helm-controller writes them into the label helm.toolkit.fluxcd.io/name of what it installs. */
const HELM_RELEASE_NAME = labelledName('HelmRelease', 'helm.toolkit.fluxcd.io/name');

/**
 * A Flux `HelmRelease` (helm.toolkit.fluxcd.io/v2): installs a Helm chart with the values given
 * and keeps the release upgraded to them.
 * @see https://fluxcd.io/flux/components/helm/helmreleases/
 */
export class HelmRelease extends FluxResource<HelmReleaseSpec> {
  /** Where the chart comes from: the chart's source, or chartRef. */
  public readonly sourceRef: IFluxObject;
  /** How often Flux reconciles the release, with the default resolved. */
  public readonly interval: string;
  /** What must be Ready first, as given. */
  public readonly dependsOn: readonly (HelmRelease | Kustomization)[];
  private readonly props: HelmReleaseProps;

  constructor(scope: Construct, id: string, props: HelmReleaseProps) {
    const source = props.chart?.spec?.sourceRef ?? props.chartRef;
    const kustomizations = (props.dependsOn ?? []).filter((d) => d instanceof Kustomization);
    super(scope, id, props, {
      type: HELM_RELEASE_V2,
      props: OWN_PROPS,
      namespace: source?.namespace,
      applyAfter: kustomizations,
    });
    this.props = copyData(props);
    this.interval = props.interval ?? '10m';
    this.dependsOn = [...(props.dependsOn ?? [])];

    // The CRD states it as a CEL rule, which the schema check does not evaluate; without one of them
    // there is nothing to render.
    if (!source || (props.chart && props.chartRef)) {
      throw new Error(
        `${this.subject}: ${source ? 'both chart and chartRef are' : 'neither chart nor chartRef is'} set; give ` +
          'chart (a chart name and version in a HelmRepository, GitRepository or Bucket) or chartRef (an ' +
          'OCIRepository, HelmChart or ExternalArtifact), one of them',
      );
    }
    this.sourceRef = source;

    const problems = new Problems(this.subject);
    check(problems, 'name', this.name, HELM_RELEASE_NAME);
    checkNamespace(problems, 'targetNamespace', props.targetNamespace);
    checkNamespace(problems, 'storageNamespace', props.storageNamespace);
    this.dependsOn.forEach((d, i) => {
      if (d instanceof Kustomization && !d.readyTimeout)
        problems.add(
          `dependsOn[${i}] Kustomization ${d.namespace}/${d.name}: helm-controller waits for HelmReleases only, so ` +
            'the deploy applies this release after the Kustomization, which orders nothing unless the deploy ' +
            'waits for it to be Ready; give the Kustomization a readyTimeout (or syncWait waitFor "all")',
          `dependsOn[${i}]`,
        );
    });
    this.createResource(problems);
    this.node.addValidation({ validate: () => this.stackProblems() });
  }

  protected renderSpec(): HelmReleaseSpec {
    const { chart, chartRef } = this.props;
    const ref = (other: IFluxObject) => ({
      kind: other.kind,
      name: other.name,
      namespace: other.namespace === this.namespace ? undefined : other.namespace,
    });
    const releases = this.dependsOn.filter((d) => d instanceof HelmRelease);
    return this.specFrom(
      this.props,
      {
        interval: this.interval,
        chart: chart && {
          ...chart,
          spec: { ...chart.spec, sourceRef: ref(chart.spec.sourceRef) as HelmReleaseSpecChartSpec['sourceRef'] },
        },
        chartRef: chartRef && (ref(chartRef) as HelmReleaseSpec['chartRef']),
        dependsOn: releases.length ? releases.map((d) => ({ name: d.name, namespace: ref(d).namespace })) : undefined,
      },
      SPEC_ORDER,
    );
  }

  /** Whole-tree rule: the dependencies and the chart's source are deployed by this stack. */
  private stackProblems(): string[] {
    return this.referenceProblems([
      ...this.dependsOn.map((object, i) => ({
        field: `dependsOn[${i}]`,
        object,
        consequence:
          object instanceof Kustomization
            ? 'so the deploy of this stack cannot wait for it before applying the release'
            : undefined,
        fix: (stack: string) => `create it in ${stack} or drop the dependency`,
      })),
      {
        field: this.props.chart ? 'chart.spec.sourceRef' : 'chartRef',
        object: this.sourceRef,
        fix: (stack: string) => `create the source in ${stack}`,
      },
    ]);
  }
}
