import { Construct } from 'constructs';
import { IMAGE_POLICY_V1, ImagePolicySpec } from '../lib/flux-types';
import { Problems } from '../lib/rules';
import { fieldsOf, is, required } from '../lib/shape';
import { copyData, FluxResource, FluxResourceProps } from './flux-resource';
import { ImageRepository } from './image-repository';

/**
 * Props of {@link ImagePolicy}: every field of the ImagePolicy spec (lib/flux-types), with the
 * image repository a construct reference.
 * @see https://fluxcd.io/flux/components/image/imagepolicies/
 */
export interface ImagePolicyProps extends FluxResourceProps, Omit<ImagePolicySpec, 'imageRepositoryRef'> {
  /**
   * The repository whose tags the policy chooses from. One in another namespace must let this
   * namespace in with its `accessFrom`.
   */
  readonly imageRepositoryRef: ImageRepository;
  /**
   * Namespace of the object.
   * @default - the namespace of the image repository
   */
  readonly namespace?: string;
}

/** The props an ImagePolicy renders itself; every other spec field is left to the CRD schema. */
const OWN_PROPS = fieldsOf<Pick<ImagePolicyProps, 'imageRepositoryRef'>>()({
  imageRepositoryRef: required(is((v) => v instanceof ImageRepository, 'an ImageRepository construct')),
});

// The first fields, as Flux's docs write them; then the schema's order.
const SPEC_ORDER = ['imageRepositoryRef', 'filterTags', 'policy'] satisfies (keyof ImagePolicySpec)[];

/**
 * A Flux `ImagePolicy` (image.toolkit.fluxcd.io/v1): which tag of an {@link ImageRepository} is
 * the latest (by semver, number or alphabet), for an {@link ImageUpdateAutomation} to write into
 * the repository. Its CRD comes with image-reflector-controller, an extra component.
 *
 * It has no interval of its own unless `digestReflectionPolicy` is `Always` (a CEL rule of the CRD,
 * enforced at apply): it is evaluated whenever its repository lists new tags.
 * @see https://fluxcd.io/flux/components/image/imagepolicies/
 */
export class ImagePolicy extends FluxResource<ImagePolicySpec> {
  /** The repository whose tags it chooses from. */
  public readonly imageRepositoryRef: ImageRepository;
  private readonly props: ImagePolicyProps;

  constructor(scope: Construct, id: string, props: ImagePolicyProps) {
    const repository = props.imageRepositoryRef;
    super(scope, id, props, { type: IMAGE_POLICY_V1, props: OWN_PROPS, namespace: repository?.namespace });
    this.props = copyData(props);
    this.imageRepositoryRef = repository;

    const problems = new Problems(this.subject);
    // image-reflector-controller lets a policy of another namespace read a repository only when the
    // repository's accessFrom selects that namespace (acl.HasAccessToRef); without accessFrom, never.
    const accessFrom = (repository.toObject().spec as { accessFrom?: unknown }).accessFrom;
    if (repository.namespace !== this.namespace && accessFrom === undefined)
      problems.add(
        `imageRepositoryRef ImageRepository ${repository.namespace}/${repository.name} is in another namespace and ` +
          `has no accessFrom, so image-reflector-controller denies this policy in ${this.namespace} access to it; ` +
          `give the repository accessFrom with a namespaceSelectors entry matching ${this.namespace}, or leave ` +
          "namespace out (it defaults to the repository's)",
        'imageRepositoryRef',
      );
    this.createResource(problems);
    this.node.addValidation({
      validate: () =>
        this.referenceProblems([
          { field: 'imageRepositoryRef', object: repository, fix: (stack) => `create the repository in ${stack}` },
        ]),
    });
  }

  protected renderSpec(): ImagePolicySpec {
    const repository = this.imageRepositoryRef;
    return this.specFrom(
      this.props,
      {
        imageRepositoryRef: {
          name: repository.name,
          namespace: repository.namespace === this.namespace ? undefined : repository.namespace,
        },
      },
      SPEC_ORDER,
    );
  }
}
