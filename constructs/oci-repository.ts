import { Construct } from 'constructs';
import { OCI_REPOSITORY_V1, OCIRepositorySpec } from '../lib/flux-types';
import { checkPlainHttpCredentials, Problems } from '../lib/rules';
import { copyData, FluxResource, FluxResourceProps } from './flux-resource';

/**
 * Props of {@link OCIRepository}: every field of the OCIRepository spec (lib/flux-types).
 * @see https://fluxcd.io/flux/components/source/ocirepositories/
 */
export interface OCIRepositoryProps extends FluxResourceProps, Omit<OCIRepositorySpec, 'interval'> {
  /**
   * How often Flux checks the registry for a new artifact.
   * @default 1m
   */
  readonly interval?: string;
}

// The order of the fields, fixed once released: the reconcile request hashes the spec as sent.
const SPEC_ORDER = [
  'url',
  'ref',
  'interval',
  'secretRef',
  'provider',
  'insecure',
] satisfies (keyof OCIRepositorySpec)[];

/**
 * A Flux `OCIRepository` (source.toolkit.fluxcd.io/v1): manifests from an OCI artifact in a
 * container registry, as `flux push artifact` publishes them ("gitless" GitOps).
 * @see https://fluxcd.io/flux/components/source/ocirepositories/
 */
export class OCIRepository extends FluxResource<OCIRepositorySpec> {
  /** How often Flux checks the registry, with the default resolved. */
  public readonly interval: string;
  private readonly props: OCIRepositoryProps;

  constructor(scope: Construct, id: string, props: OCIRepositoryProps) {
    super(scope, id, props, {
      type: OCI_REPOSITORY_V1,
      // As source-controller: for a cloud provider, when no Secret gives the registry's login.
      objectLevelIdentity: (spec) =>
        spec.serviceAccountName && !spec.secretRef && (spec.provider ?? 'generic') !== 'generic'
          ? 'serviceAccountName'
          : undefined,
    });
    this.props = copyData(props);
    this.interval = props.interval ?? '1m';
    const problems = new Problems(this.subject);
    const refs = (['tag', 'semver', 'digest'] as const).filter((f) => props.ref?.[f] !== undefined);
    for (const field of refs) {
      if (props.ref?.[field] === '')
        problems.add(`ref.${field} "" is empty, which Flux reads as not set; give one or leave it out`, `ref.${field}`);
    }
    checkPlainHttpCredentials(problems, props, 'the registry credentials', 'the registry');
    this.createResource(problems);
  }

  protected renderSpec(): OCIRepositorySpec {
    return this.specFrom(this.props, { interval: this.interval }, SPEC_ORDER);
  }
}
