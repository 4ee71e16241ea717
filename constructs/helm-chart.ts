import { Construct } from 'constructs';
import { HELM_CHART_V1, HelmChartSpec } from '../lib/flux-types';
import { Problems } from '../lib/rules';
import { fieldsOf, is, required } from '../lib/shape';
import { Bucket } from './bucket';
import { copyData, FluxResource, FluxResourceProps } from './flux-resource';
import { GitRepository } from './git-repository';
import { HelmRepository } from './helm-repository';

/**
 * Props of {@link HelmChart}: every field of the HelmChart spec (lib/flux-types), with the chart's
 * source a construct reference.
 * @see https://fluxcd.io/flux/components/source/helmcharts/
 */
export interface HelmChartProps extends FluxResourceProps, Omit<HelmChartSpec, 'sourceRef' | 'interval'> {
  /**
   * Where the chart is: a {@link HelmRepository} (the chart's name in its index or registry), or a
   * {@link GitRepository} or {@link Bucket} (the chart's path in it). It must be in the HelmChart's
   * namespace.
   */
  readonly sourceRef: HelmRepository | GitRepository | Bucket;
  /**
   * Namespace of the object: source-controller looks the source up in it.
   * @default - the namespace of the source
   */
  readonly namespace?: string;
  /**
   * How often Flux checks the source for a new chart version or revision.
   * @default 1m
   */
  readonly interval?: string;
}

/** The props a HelmChart renders itself; every other spec field is left to the CRD schema. */
const OWN_PROPS = fieldsOf<Pick<HelmChartProps, 'sourceRef'>>()({
  sourceRef: required(
    is(
      (v) => v instanceof HelmRepository || v instanceof GitRepository || v instanceof Bucket,
      'a HelmRepository, GitRepository or Bucket construct, the sources source-controller takes a chart from',
    ),
  ),
});

// The first fields, as Flux's docs write them; then the schema's order.
const SPEC_ORDER = ['interval', 'chart', 'version', 'sourceRef'] satisfies (keyof HelmChartSpec)[];

/**
 * A Flux `HelmChart` (source.toolkit.fluxcd.io/v1): a chart fetched from a HelmRepository, or
 * packaged from a path of a GitRepository or Bucket, as an artifact a {@link HelmRelease} installs
 * with `chartRef`. helm-controller makes one of its own for a HelmRelease given `chart`; declare one
 * to share a chart between releases or to pin its values files.
 * @see https://fluxcd.io/flux/components/source/helmcharts/
 */
export class HelmChart extends FluxResource<HelmChartSpec> {
  /** Where the chart is. */
  public readonly sourceRef: HelmRepository | GitRepository | Bucket;
  /** How often Flux checks the source, with the default resolved. */
  public readonly interval: string;
  private readonly props: HelmChartProps;

  constructor(scope: Construct, id: string, props: HelmChartProps) {
    super(scope, id, props, { type: HELM_CHART_V1, props: OWN_PROPS, namespace: props.sourceRef?.namespace });
    this.props = copyData(props);
    this.sourceRef = props.sourceRef;
    this.interval = props.interval ?? '1m';

    const problems = new Problems(this.subject);
    const source = `${this.sourceRef.kind} ${this.sourceRef.namespace}/${this.sourceRef.name}`;
    // spec.sourceRef has no namespace: source-controller gets the source from the HelmChart's own
    // namespace (getSource in helmchart_controller.go), so one elsewhere is never found.
    if (this.sourceRef.namespace !== this.namespace)
      problems.add(
        `sourceRef ${source} is not in namespace ${this.namespace}, where source-controller looks for the ` +
          `source of a HelmChart; leave namespace out (it defaults to the source's) or create the source in ` +
          this.namespace,
        'sourceRef',
      );
    // source-controller verifies only charts it pulls from an OCI registry (the verifiers are made for
    // HelmRepositories of type oci alone); elsewhere verify would be silently skipped, or, for a
    // GitRepository or Bucket, refused by a CEL rule of the CRD at apply.
    const oci =
      this.sourceRef instanceof HelmRepository && (this.sourceRef.toObject().spec as { type?: string }).type === 'oci';
    if (props.verify !== undefined && !oci)
      problems.add(
        `verify ${JSON.stringify(props.verify)}: source-controller verifies only charts from an OCI registry, ` +
          `and sourceRef ${source} is not a HelmRepository of type oci; drop verify, or take the chart from an ` +
          'OCI HelmRepository',
        'verify',
      );
    this.createResource(problems);
    this.node.addValidation({
      validate: () =>
        this.referenceProblems([
          { field: 'sourceRef', object: this.sourceRef, fix: (stack) => `create the source in ${stack}` },
        ]),
    });
  }

  protected renderSpec(): HelmChartSpec {
    const { kind, name } = this.sourceRef;
    return this.specFrom(
      this.props,
      { interval: this.interval, sourceRef: { kind: kind as HelmChartSpec['sourceRef']['kind'], name } },
      SPEC_ORDER,
    );
  }
}
