import { Construct } from 'constructs';
import { BUCKET_V1, BucketSpec } from '../lib/flux-types';
import { checkPlainHttpCredentials, Problems } from '../lib/rules';
import { copyData, FluxResource, FluxResourceProps } from './flux-resource';

/**
 * Props of {@link Bucket}: every field of the Bucket spec (lib/flux-types).
 * @see https://fluxcd.io/flux/components/source/buckets/
 */
export interface BucketProps extends FluxResourceProps, Omit<BucketSpec, 'interval'> {
  /**
   * How often Flux lists the bucket for a new revision of its objects.
   * @default 1m
   */
  readonly interval?: string;
}

// The order of the fields, fixed once released: the reconcile request hashes the spec as sent.
const SPEC_ORDER = [
  'interval',
  'provider',
  'bucketName',
  'endpoint',
  'region',
  'prefix',
  'secretRef',
] satisfies (keyof BucketSpec)[];

/**
 * A Flux `Bucket` (source.toolkit.fluxcd.io/v1): the objects of an S3-compatible, GCS or Azure
 * Blob bucket as a source for a {@link Kustomization} or a {@link HelmChart}.
 *
 * Which credentials suit which `provider` (no `serviceAccountName` with `generic`, `sts` only
 * with `aws` and `generic`) is stated by CEL rules of the CRD, which the API server enforces at
 * apply.
 * @see https://fluxcd.io/flux/components/source/buckets/
 */
export class Bucket extends FluxResource<BucketSpec> {
  /** How often Flux lists the bucket, with the default resolved. */
  public readonly interval: string;
  private readonly props: BucketProps;

  constructor(scope: Construct, id: string, props: BucketProps) {
    super(scope, id, props, {
      type: BUCKET_V1,
      // As source-controller: for any provider but generic.
      objectLevelIdentity: (spec) =>
        spec.serviceAccountName && (spec.provider ?? 'generic') !== 'generic' ? 'serviceAccountName' : undefined,
    });
    this.props = copyData(props);
    this.interval = props.interval ?? '1m';
    const problems = new Problems(this.subject);
    checkPlainHttpCredentials(problems, props, 'the access key', 'the object store');
    this.createResource(problems);
  }

  protected renderSpec(): BucketSpec {
    return this.specFrom(this.props, { interval: this.interval }, SPEC_ORDER);
  }
}
