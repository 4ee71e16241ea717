import { Construct } from 'constructs';
import { HELM_REPOSITORY_V1, HelmRepositorySpec } from '../lib/flux-types';
import { Problems } from '../lib/rules';
import { fieldsOf, required, string } from '../lib/shape';
import { copyData, FluxResource, FluxResourceProps } from './flux-resource';

/**
 * Props of {@link HelmRepository}: every field of the HelmRepository spec (lib/flux-types).
 * @see https://fluxcd.io/flux/components/source/helmrepositories/
 */
export interface HelmRepositoryProps extends FluxResourceProps, Omit<HelmRepositorySpec, 'interval'> {
  /**
   * How often Flux fetches the repository's index. An OCI repository has none: Flux does not
   * reconcile it (it is static), the HelmCharts made from it pull the registry themselves.
   * @default 1m for a repository of type default; none for type oci
   */
  readonly interval?: string;
}

/** The props a HelmRepository renders itself; every other spec field is left to the CRD schema. */
const OWN_PROPS = fieldsOf<Pick<HelmRepositoryProps, 'url'>>()({ url: required(string()) });

// The first fields, as Flux's docs write them; then the schema's order.
const SPEC_ORDER = ['type', 'url', 'interval'] satisfies (keyof HelmRepositorySpec)[];

/** What source-controller does with a HelmRepository of type oci. */
const STATIC =
  'a HelmRepository of type oci is static: source-controller does not reconcile it and never reports it Ready';

/**
 * A Flux `HelmRepository` (source.toolkit.fluxcd.io/v1): a Helm chart repository, an index over
 * HTTP(S) or an OCI registry, that a {@link HelmRelease} takes its chart from.
 * @see https://fluxcd.io/flux/components/source/helmrepositories/
 */
export class HelmRepository extends FluxResource<HelmRepositorySpec> {
  /** The repository's URL, as given. */
  public readonly url: string;
  /** How often Flux fetches the index, with the default resolved; undefined for type oci. */
  public readonly interval?: string;
  private readonly props: HelmRepositoryProps;

  constructor(scope: Construct, id: string, props: HelmRepositoryProps) {
    const oci = props.type === 'oci';
    super(scope, id, props, { type: HELM_REPOSITORY_V1, props: OWN_PROPS, neverReady: oci ? STATIC : undefined });
    this.props = copyData(props);
    this.url = props.url;
    this.interval = props.interval ?? (oci ? undefined : '1m');

    const problems = new Problems(this.subject);
    // A URL built from variables keeps its literal scheme.
    const scheme = /^([a-z]+):\/\//.exec(props.url ?? '')?.[1];
    if (oci && scheme !== undefined && scheme !== 'oci') {
      problems.add(
        `url "${props.url}" is not an OCI registry, but type is oci; use oci://<registry>/<path>, or leave type ` +
          'out for the index of a Helm repository served over HTTP(S)',
        'url',
      );
    } else if (!oci && scheme === 'oci') {
      problems.add(
        `url "${props.url}" is an OCI registry, which source-controller refuses for a HelmRepository of type ` +
          `${props.type ?? 'default'}; set type: 'oci'`,
        'url',
      );
    }
    // What source-controller reads only for an OCI registry; their defaults are harmless.
    const ignored = { insecure: props.insecure === true, provider: (props.provider ?? 'generic') !== 'generic' };
    for (const field of ['insecure', 'provider'] as const) {
      if (!oci && ignored[field])
        problems.add(
          `${field} ${JSON.stringify(props[field])} is read only for type oci (an OCI registry); for the index of ` +
            `a Helm repository it has no effect, drop it`,
          field,
        );
    }
    this.createResource(problems);
  }

  protected renderSpec(): HelmRepositorySpec {
    return this.specFrom(this.props, { interval: this.interval }, SPEC_ORDER);
  }
}
