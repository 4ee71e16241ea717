import { Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  GIT_REPOSITORY_V1,
  GitRepositorySpec,
  GitRepositorySpecInclude,
  GitRepositorySpecVerify,
} from '../lib/flux-types';
import { BRANCH, check, Problems } from '../lib/rules';
import { fieldsOf, is, list, object, required, string } from '../lib/shape';
import { copyData, FluxResource, FluxResourceProps } from './flux-resource';
import { IGitCredentials } from './git-credentials';

/**
 * Another GitRepository's content copied into this one's artifact (`fromPath` of it to `toPath`).
 * @see https://fluxcd.io/flux/components/source/gitrepositories/#include
 */
export interface GitRepositoryInclude extends Omit<GitRepositorySpecInclude, 'repository'> {
  /** The GitRepository to include, in the same namespace: its construct, rendered as its name. */
  readonly repository: GitRepository;
}

/**
 * Verification of the commits (or tags) Flux fetches against trusted PGP public keys: an artifact
 * whose signature does not verify is not produced.
 * @see https://fluxcd.io/flux/components/source/gitrepositories/#verification
 */
export interface GitRepositoryVerify extends Omit<GitRepositorySpecVerify, 'mode' | 'secretRef'> {
  /**
   * What is verified: the commit HEAD points to (`HEAD`, or `head`), the tag (`Tag`), or both
   * (`TagAndHEAD`); the CRD refuses other values.
   * @default HEAD
   */
  readonly mode?: GitRepositorySpecVerify['mode'];
  /** Name of the Secret with the trusted PGP public keys. */
  readonly secretRef: string;
}

/**
 * Props of {@link GitRepository}: every field of the GitRepository spec (lib/flux-types), with
 * construct references for the credentials and the included repositories.
 * @see https://fluxcd.io/flux/components/source/gitrepositories/
 */
export interface GitRepositoryProps
  extends FluxResourceProps, Omit<GitRepositorySpec, 'interval' | 'secretRef' | 'include' | 'verify'> {
  /**
   * How often Flux checks the repository for new commits.
   * @default 1m
   */
  readonly interval?: string;
  /**
   * The credentials; they must be in the same namespace and suit the URL's scheme.
   * @default - anonymous access
   */
  readonly secretRef?: IGitCredentials;
  /**
   * Other GitRepositories whose content is copied into this one's artifact.
   * @default - none
   */
  readonly include?: GitRepositoryInclude[];
  /**
   * Verify the fetched commits' signatures against trusted PGP keys.
   * @default - commits are not verified
   */
  readonly verify?: GitRepositoryVerify;
}

/** The props a GitRepository renders itself; every other spec field is left to the CRD schema. */
const OWN_PROPS = fieldsOf<Pick<GitRepositoryProps, 'url' | 'secretRef' | 'include' | 'verify'>>()({
  url: required(string()),
  secretRef: is(
    (v) =>
      ['secretName', 'namespace', 'transport'].every((k) => typeof (v as Record<string, unknown>)?.[k] === 'string'),
    'git credentials, such as a GitHubDeployKey or an ExistingGitSecret',
  ),
  include: list(
    object(
      fieldsOf<GitRepositoryInclude>()({
        repository: required(is((v) => v instanceof GitRepository, 'a GitRepository')),
        fromPath: string(),
        toPath: string(),
      }),
    ),
  ),
  verify: object(fieldsOf<GitRepositoryVerify>()({ mode: string(), secretRef: required(string()) })),
});

// The order of the fields this construct rendered before it took every field of the schema.
const ORDER = ['url', 'interval', 'ref', 'secretRef', 'timeout', 'ignore', 'recurseSubmodules', 'include'] as const;
const SPEC_ORDER = [...ORDER, 'sparseCheckout', 'provider', 'verify', 'suspend'] satisfies (keyof GitRepositorySpec)[];

/**
 * A Flux `GitRepository` (source.toolkit.fluxcd.io/v1): where Flux fetches manifests from.
 * @see https://fluxcd.io/flux/components/source/gitrepositories/
 */
export class GitRepository extends FluxResource<GitRepositorySpec> {
  /** How often Flux fetches, with the default resolved. */
  public readonly interval: string;
  private readonly props: GitRepositoryProps;

  constructor(scope: Construct, id: string, props: GitRepositoryProps) {
    super(scope, id, props, {
      type: GIT_REPOSITORY_V1,
      props: OWN_PROPS,
      // source-controller uses it for the azure and aws providers only.
      objectLevelIdentity: (spec) =>
        spec.serviceAccountName && ['azure', 'aws'].includes(spec.provider ?? '') ? 'serviceAccountName' : undefined,
    });
    this.props = copyData(props);
    this.interval = props.interval ?? '1m';

    const problems = new Problems(this.subject);
    check(problems, 'ref.branch', props.ref?.branch, BRANCH);
    for (const field of ['tag', 'semver', 'name', 'commit'] as const) {
      if (props.ref?.[field] === '')
        problems.add(`ref.${field} "" is empty, which Flux reads as not set; give one or leave it out`, `ref.${field}`);
    }
    checkCredentials(problems, props.url, this.namespace, props.secretRef);
    if (props.secretRef?.provider && props.provider && props.provider !== props.secretRef.provider) {
      problems.add(
        `provider "${props.provider}" does not match secretRef "${props.secretRef.secretName}", which holds ` +
          `${props.secretRef.provider} credentials; leave provider out`,
        'provider',
      );
    }
    this.createResource(problems);
  }

  protected renderSpec(): GitRepositorySpec {
    const { secretRef, include, verify } = this.props;
    return this.specFrom(
      this.props,
      {
        interval: this.interval,
        secretRef: secretRef && { name: secretRef.secretName },
        provider: secretRef?.provider ?? this.props.provider,
        include: include?.map((i) => ({
          repository: { name: i.repository.name },
          fromPath: i.fromPath,
          toPath: i.toPath,
        })),
        verify: verify && { mode: verify.mode ?? 'HEAD', secretRef: { name: verify.secretRef } },
      },
      SPEC_ORDER,
    );
  }
}

function checkCredentials(
  problems: Problems,
  url: string,
  namespace: string,
  credentials: IGitCredentials | undefined,
): void {
  if (!credentials) return;
  if (credentials.namespace !== namespace && !Token.isUnresolved(credentials.namespace)) {
    problems.add(
      `secretRef "${credentials.secretName}" is in namespace "${credentials.namespace}", but a GitRepository ` +
        `reads Secrets of its own namespace only; create the Secret in "${namespace}"`,
    );
  }
  // A URL built from variables keeps its literal scheme.
  const scheme = /^([a-z]+):\/\//.exec(url)?.[1];
  if (scheme && (scheme === 'ssh') !== (credentials.transport === 'ssh')) {
    problems.add(
      `secretRef "${credentials.secretName}" holds ${credentials.transport === 'ssh' ? 'an SSH key' : 'an HTTPS token'}, but url "${url}" is ${scheme}; use a ${credentials.transport}:// URL or other credentials`,
    );
  } else if (scheme === 'http') {
    problems.add(
      `url "${url}" would send the token of secretRef "${credentials.secretName}" in the clear over plain http; ` +
        `use the https:// URL of the repository`,
      'url',
    );
  }
}
