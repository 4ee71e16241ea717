import { Construct } from 'constructs';
import { EXTERNAL_ARTIFACT_V1, ExternalArtifactSpec } from '../lib/flux-types';
import { Problems } from '../lib/rules';
import { fieldsOf, is } from '../lib/shape';
import { copyData, FluxResource, FluxResourceProps, IFluxObject } from './flux-resource';

/**
 * Props of {@link ExternalArtifact}: the ExternalArtifact spec (lib/flux-types), with the
 * object that produces the artifact as a construct reference.
 * @see https://fluxcd.io/flux/components/source/externalartifacts/
 */
export interface ExternalArtifactProps extends FluxResourceProps, Omit<ExternalArtifactSpec, 'sourceRef'> {
  /**
   * The custom resource whose controller produces the artifact (such as a source-watcher
   * ArtifactGenerator), for a reader of the object.
   * @default - none
   */
  readonly sourceRef?: IFluxObject;
}

/** The props an ExternalArtifact renders itself; every other spec field is left to the CRD schema. */
const OWN_PROPS = fieldsOf<Pick<ExternalArtifactProps, 'sourceRef'>>()({
  sourceRef: is(
    (v) =>
      ['apiVersion', 'kind', 'name', 'namespace'].every((k) => typeof (v as Record<string, unknown>)?.[k] === 'string'),
    'a Flux object, such as the ArtifactGenerator that produces the artifact',
  ),
});

/**
 * A Flux `ExternalArtifact` (source.toolkit.fluxcd.io/v1, from Flux v2.7.0): an artifact that a
 * controller other than source-controller produces and keeps in its status, which a
 * {@link Kustomization} or a {@link HelmRelease} (`chartRef`) can use as a source. Flux writes
 * nothing into its spec; this declares the object that the producing controller then fills in.
 * The manifests of an older Flux lack its CRD, and the construct is refused with that fix.
 * @see https://fluxcd.io/flux/components/source/externalartifacts/
 */
export class ExternalArtifact extends FluxResource<ExternalArtifactSpec> {
  /** The object that produces the artifact, as given. */
  public readonly sourceRef?: IFluxObject;
  private readonly props: ExternalArtifactProps;

  constructor(scope: Construct, id: string, props: ExternalArtifactProps = {}) {
    super(scope, id, props, { type: EXTERNAL_ARTIFACT_V1, props: OWN_PROPS });
    this.props = copyData(props);
    this.sourceRef = props.sourceRef;
    this.createResource(new Problems(this.subject));
  }

  protected renderSpec(): ExternalArtifactSpec {
    const source = this.props.sourceRef;
    return this.specFrom(this.props, {
      sourceRef: source && {
        apiVersion: source.apiVersion,
        kind: source.kind,
        name: source.name,
        namespace: source.namespace === this.namespace ? undefined : source.namespace,
      },
    });
  }
}
