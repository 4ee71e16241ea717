import { Construct } from 'constructs';
import { IMAGE_UPDATE_AUTOMATION_V1, ImageUpdateAutomationSpec, ImageUpdateAutomationSpecGit } from '../lib/flux-types';
import { Problems } from '../lib/rules';
import { Check, fieldsOf, is, problem, required } from '../lib/shape';
import { copyData, FluxResource, FluxResourceProps } from './flux-resource';
import { GitRepository } from './git-repository';

/**
 * Props of {@link ImageUpdateAutomation}: every field of the ImageUpdateAutomation spec
 * (lib/flux-types), with the repository a construct reference.
 * @see https://fluxcd.io/flux/components/image/imageupdateautomations/
 */
export interface ImageUpdateAutomationProps
  extends FluxResourceProps, Omit<ImageUpdateAutomationSpec, 'sourceRef' | 'interval' | 'git'> {
  /** The repository image-automation-controller clones, updates and pushes to. */
  readonly sourceRef: GitRepository;
  /**
   * How to check out, commit and push: the commit's author (and message, signing key), the branch
   * to push to (`push.branch`, else the branch checked out) and a `push.refspec`.
   * @see https://fluxcd.io/flux/components/image/imageupdateautomations/#git-specification
   */
  readonly git: ImageUpdateAutomationSpecGit;
  /**
   * Namespace of the object.
   * @default - the namespace of the repository
   */
  readonly namespace?: string;
  /**
   * How often Flux applies the policies to the repository.
   * @default 1m
   */
  readonly interval?: string;
}

/** The props an ImageUpdateAutomation renders itself; every other spec field is left to the CRD schema. */
const OWN_PROPS = fieldsOf<Pick<ImageUpdateAutomationProps, 'sourceRef' | 'git'>>()({
  sourceRef: required(
    is((v) => v instanceof GitRepository, 'a GitRepository construct, the only source image automation updates'),
  ),
  // The schema leaves git out of required, but image-automation-controller refuses a GitRepository
  // source without it ("necessitates field .spec.git", NewSourceManager in internal/source/source.go).
  git: ((value, path, out) => {
    if (value === undefined)
      problem(out, path, value, 'is required: the commit author, such as { commit: { author: { email } } }');
  }) satisfies Check,
});

// The first fields, as Flux's docs write them; then the schema's order.
const SPEC_ORDER = ['interval', 'sourceRef', 'git', 'update'] satisfies (keyof ImageUpdateAutomationSpec)[];

/**
 * A Flux `ImageUpdateAutomation` (image.toolkit.fluxcd.io/v1): commits the tags its
 * {@link ImagePolicy | ImagePolicies} choose into the manifests of a {@link GitRepository}
 * (the fields marked `# {"$imagepolicy": ...}`) and pushes them. Its CRD comes with
 * image-automation-controller, an extra component: the install's `componentsExtra` must name it.
 * @see https://fluxcd.io/flux/components/image/imageupdateautomations/
 */
export class ImageUpdateAutomation extends FluxResource<ImageUpdateAutomationSpec> {
  /** The repository it updates. */
  public readonly sourceRef: GitRepository;
  /** How often Flux applies the policies, with the default resolved. */
  public readonly interval: string;
  private readonly props: ImageUpdateAutomationProps;

  constructor(scope: Construct, id: string, props: ImageUpdateAutomationProps) {
    super(scope, id, props, {
      type: IMAGE_UPDATE_AUTOMATION_V1,
      props: OWN_PROPS,
      namespace: props.sourceRef?.namespace,
    });
    this.props = copyData(props);
    this.sourceRef = props.sourceRef;
    this.interval = props.interval ?? '1m';

    const problems = new Problems(this.subject);
    // Without push.branch the controller pushes to the branch it checked out: git.checkout.ref, else
    // the GitRepository's ref; when that names no branch (a tag, a semver range, a commit) it stops with
    // "push spec not provided, and cannot be inferred" (configurePush in internal/source/git.go).
    const { checkout, push } = props.git;
    if (!push?.branch) {
      const repositoryRef = (this.sourceRef.toObject().spec as { ref?: Record<string, string> }).ref;
      const [ref, where] = checkout
        ? [checkout.ref, 'git.checkout.ref']
        : [repositoryRef, `the ref of GitRepository ${this.sourceRef.namespace}/${this.sourceRef.name}`];
      if (!ref?.branch)
        problems.add(
          `git.push.branch is not set, and ${where} ${ref ? JSON.stringify(ref) : '(none)'} names no branch, so ` +
            'image-automation-controller has no branch to push its commits to; set git.push.branch, or check out ' +
            'a branch with git.checkout.ref.branch',
          'git.push',
        );
    }
    this.createResource(problems);
    this.node.addValidation({
      validate: () =>
        this.referenceProblems([
          { field: 'sourceRef', object: this.sourceRef, fix: (stack) => `create the repository in ${stack}` },
        ]),
    });
  }

  protected renderSpec(): ImageUpdateAutomationSpec {
    const { name, namespace } = this.sourceRef;
    return this.specFrom(
      this.props,
      {
        interval: this.interval,
        sourceRef: { kind: 'GitRepository', name, namespace: namespace === this.namespace ? undefined : namespace },
      },
      SPEC_ORDER,
    );
  }
}
