import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { BRANCH, check, Problems } from '../lib/rules';
import { boolean, checkProps, fieldsOf, is, list, object, required, string, stringList } from '../lib/shape';
import { compact, createFluxResource, FLUX_RESOURCE_PROPS, FluxResourceProps, IFluxObject } from './flux-resource';
import { IGitCredentials } from './git-credentials';

/**
 * Which revision to check out. Flux takes the first set of commit, name, semver, tag, branch.
 * @see https://fluxcd.io/flux/components/source/gitrepositories/#reference
 */
export interface GitRepositoryRef {
  /** @default - none */
  readonly branch?: string;
  /** @default - none */
  readonly tag?: string;
  /** A semver range over the tags, such as `>=1.0.0 <2.0.0`. @default - none */
  readonly semver?: string;
  /** A full reference name, such as `refs/pull/42/head`. @default - none */
  readonly name?: string;
  /** A commit SHA. @default - none */
  readonly commit?: string;
}

/** Another GitRepository's content copied into this one's artifact. */
export interface GitRepositoryInclude {
  readonly repository: GitRepository;
  /** @default - the root of the included repository */
  readonly fromPath?: string;
  /** @default - the included repository's name */
  readonly toPath?: string;
}

/** @see https://fluxcd.io/flux/components/source/gitrepositories/#verification */
export interface GitRepositoryVerify {
  /** @default HEAD */
  readonly mode?: 'HEAD' | 'Tag' | 'TagAndHEAD';
  /** Name of the Secret with the trusted PGP public keys. */
  readonly secretRef: string;
}

/** Props of {@link GitRepository}. */
export interface GitRepositoryProps extends FluxResourceProps {
  /** The repository URL: `ssh://`, `https://` or `http://`. */
  readonly url: string;
  /**
   * Namespace of the object.
   * @default flux-system
   */
  readonly namespace?: string;
  /**
   * How often Flux checks the repository for new commits.
   * @default 1m
   */
  readonly interval?: string;
  /** @default - Flux's default, the master branch */
  readonly ref?: GitRepositoryRef;
  /**
   * The credentials; they must be in the same namespace and suit the URL's scheme.
   * @default - anonymous access
   */
  readonly secretRef?: IGitCredentials;
  /** Timeout of git operations; units ms, s, m. @default 60s */
  readonly timeout?: string;
  /** .gitignore-style patterns of files to leave out of the artifact. @default - Flux's defaults */
  readonly ignore?: string;
  /** @default false */
  readonly recurseSubmodules?: boolean;
  /** @default - none */
  readonly include?: GitRepositoryInclude[];
  /** Directories to check out, leaving the rest. @default - the whole repository */
  readonly sparseCheckout?: string[];
  /** OIDC provider for authentication, instead of a Secret. @default generic */
  readonly provider?: 'generic' | 'aws' | 'azure' | 'github';
  /** @default - commits are not verified */
  readonly verify?: GitRepositoryVerify;
  /** @default false */
  readonly suspend?: boolean;
}

/** The shape of {@link GitRepositoryProps}, checked at run time; values are left to the CRD schema and the rules. */
export const GIT_REPOSITORY_PROPS = fieldsOf<GitRepositoryProps>()({
  ...FLUX_RESOURCE_PROPS,
  url: required(string()),
  namespace: string(),
  interval: string(),
  ref: object(
    fieldsOf<GitRepositoryRef>()({
      branch: string(),
      tag: string(),
      semver: string(),
      name: string(),
      commit: string(),
    }),
  ),
  secretRef: is(
    (v) =>
      ['secretName', 'namespace', 'transport'].every((k) => typeof (v as Record<string, unknown>)?.[k] === 'string'),
    'git credentials, such as a GitHubDeployKey or an ExistingGitSecret',
  ),
  timeout: string(),
  ignore: string(),
  recurseSubmodules: boolean,
  include: list(
    object(
      fieldsOf<GitRepositoryInclude>()({
        repository: required(is((v) => v instanceof GitRepository, 'a GitRepository')),
        fromPath: string(),
        toPath: string(),
      }),
    ),
  ),
  sparseCheckout: stringList(string()),
  provider: string(),
  verify: object(fieldsOf<GitRepositoryVerify>()({ mode: string(), secretRef: required(string()) })),
  suspend: boolean,
});

/**
 * A Flux `GitRepository` (source.toolkit.fluxcd.io/v1): where Flux fetches manifests from.
 * @see https://fluxcd.io/flux/components/source/gitrepositories/
 */
export class GitRepository extends Construct implements IFluxObject {
  public readonly apiVersion = 'source.toolkit.fluxcd.io/v1';
  public readonly kind = 'GitRepository';
  /** `metadata.name`, the construct id unless given. */
  public readonly name: string;
  /** `metadata.namespace`. */
  public readonly namespace: string;
  /** How often Flux fetches, with the default resolved. */
  public readonly interval: string;
  /** The `kubernetes_manifest` that applies it. */
  public readonly resource: Manifest;

  constructor(scope: Construct, id: string, props: GitRepositoryProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = props.namespace ?? 'flux-system';
    this.interval = props.interval ?? '1m';
    const subject = `${this.node.path} (GitRepository ${this.namespace}/${this.name})`;
    checkProps(subject, 'GitRepository', GIT_REPOSITORY_PROPS, props);

    const problems = new Problems(subject);
    check(problems, 'ref.branch', props.ref?.branch, BRANCH);
    for (const field of ['tag', 'semver', 'name', 'commit'] as const) {
      if (props.ref?.[field] === '')
        problems.add(`ref.${field} "" is empty, which Flux reads as not set; give one or leave it out`, `ref.${field}`);
    }
    checkCredentials(problems, props.url, this.namespace, props.secretRef);

    const spec = compact({
      url: props.url,
      interval: this.interval,
      ref: props.ref ? compact({ ...props.ref }) : undefined,
      secretRef: props.secretRef ? { name: props.secretRef.secretName } : undefined,
      timeout: props.timeout,
      ignore: props.ignore,
      recurseSubmodules: props.recurseSubmodules,
      include: props.include?.map((i) =>
        compact({ repository: { name: i.repository.name }, fromPath: i.fromPath, toPath: i.toPath }),
      ),
      sparseCheckout: props.sparseCheckout ? [...props.sparseCheckout] : undefined,
      provider: props.provider,
      verify: props.verify
        ? compact({ mode: props.verify.mode ?? 'HEAD', secretRef: { name: props.verify.secretRef } })
        : undefined,
      suspend: props.suspend,
    });
    const object = {
      apiVersion: this.apiVersion,
      kind: this.kind,
      metadata: { name: this.name, namespace: this.namespace },
      spec,
    };
    this.resource = createFluxResource(this, props, object, problems);
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
