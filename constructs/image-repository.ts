import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { IMAGE_REPOSITORY_V1, ImageRepositorySpec } from '../lib/flux-types';
import { Problems } from '../lib/rules';
import { fieldsOf, required, string } from '../lib/shape';
import { copyData, FluxResource, FluxResourceProps } from './flux-resource';

/**
 * Props of {@link ImageRepository}: every field of the ImageRepository spec (lib/flux-types).
 * @see https://fluxcd.io/flux/components/image/imagerepositories/
 */
export interface ImageRepositoryProps extends FluxResourceProps, Omit<ImageRepositorySpec, 'interval'> {
  /**
   * How often Flux lists the image's tags.
   * @default 1m
   */
  readonly interval?: string;
}

/** The props an ImageRepository renders itself; every other spec field is left to the CRD schema. */
const OWN_PROPS = fieldsOf<Pick<ImageRepositoryProps, 'image'>>()({ image: required(string()) });

// The first fields, as Flux's docs write them; then the schema's order.
const SPEC_ORDER = ['image', 'interval'] satisfies (keyof ImageRepositorySpec)[];

/**
 * A Flux `ImageRepository` (image.toolkit.fluxcd.io/v1): the tags of a container image that
 * image-reflector-controller lists, for an {@link ImagePolicy} to choose from. Its CRD comes with
 * image-reflector-controller, an extra component: the install's `componentsExtra` must name it.
 * @see https://fluxcd.io/flux/components/image/imagerepositories/
 */
export class ImageRepository extends FluxResource<ImageRepositorySpec> {
  /** The image, as given. */
  public readonly image: string;
  /** How often Flux lists the tags, with the default resolved. */
  public readonly interval: string;
  private readonly props: ImageRepositoryProps;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id, props, { type: IMAGE_REPOSITORY_V1, props: OWN_PROPS });
    this.props = copyData(props);
    this.image = props.image;
    this.interval = props.interval ?? '1m';
    const problems = new Problems(this.subject);
    const reason = Token.isUnresolved(this.image) ? undefined : imageProblem(this.image);
    if (reason) problems.add(`image "${this.image}" ${reason}`, 'image');
    this.createResource(problems);
  }

  protected renderSpec(): ImageRepositorySpec {
    return this.specFrom(this.props, { interval: this.interval }, SPEC_ORDER);
  }
}

/**
 * What image-reflector-controller refuses in `image` (ParseImageReference in
 * internal/registry/helper.go): a URL scheme, and a tag or digest, since it lists every tag itself.
 */
function imageProblem(image: string): string | undefined {
  const scheme = /^([^/]*):\/\//.exec(image)?.[1];
  if (scheme !== undefined)
    return `has a URL scheme, which image-reflector-controller refuses; remove "${scheme}://", as in ghcr.io/org/app`;
  // The registry is the first part when it looks like a host, as go-containerregistry reads it.
  const [first, ...rest] = image.split('/');
  const path =
    rest.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost') ? rest.join('/') : image;
  const colon = path.indexOf(':');
  if (colon < 0) return undefined;
  const digest = path.indexOf('@');
  return (
    'has a tag or digest, which image-reflector-controller refuses (it lists every tag of the image itself); ' +
    `remove "${path.slice(digest >= 0 ? digest : colon)}"`
  );
}
