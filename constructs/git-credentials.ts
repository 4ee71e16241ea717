import { NAME, NAMESPACE } from '../lib/rules';
import { checkProps, fieldsOf, oneOf, required, string } from '../lib/shape';

/**
 * A Secret in the cluster that a GitRepository authenticates with.
 * Implemented by {@link GitHubDeployKey}, {@link GitHttpsTokenSecret} and {@link ExistingGitSecret}.
 * @see https://fluxcd.io/flux/components/source/gitrepositories/#secret-reference
 */
export interface IGitCredentials {
  /** Name of the Secret. */
  readonly secretName: string;
  /** Namespace of the Secret; a GitRepository can only use a Secret of its own namespace. */
  readonly namespace: string;
  /** The URL scheme the Secret's keys are for: `ssh` (identity, known_hosts) or `https` (username, password). */
  readonly transport: 'ssh' | 'https';
  /**
   * The GitRepository `spec.provider` the Secret is for: `github` for a GitHub App's keys.
   * @default - generic: the Secret's keys are used as they are
   */
  readonly provider?: 'github';
  /**
   * A value that changes whenever what Flux authenticates with does (a new key pair, a deploy key
   * registered again, other known_hosts), made of public parts only; a token of the stack that
   * manages the Secret.
   * @default - unknown: the Secret is not managed here
   */
  readonly version?: string;
}

/** Props of {@link ExistingGitSecret}. */
export interface ExistingGitSecretProps {
  /** Name of the Secret. */
  readonly secretName: string;
  /** Namespace of the Secret. */
  readonly namespace: string;
  /**
   * What the Secret holds: `ssh` for identity and known_hosts, `https` for username and password.
   * @default ssh
   */
  readonly transport?: 'ssh' | 'https';
  /**
   * `github` when the Secret holds a GitHub App's keys (githubAppID, githubAppInstallationID,
   * githubAppPrivateKey); the transport is then https.
   * @default - generic
   */
  readonly provider?: 'github';
}

/** The shape of {@link ExistingGitSecretProps}, checked at run time; the settings' gitAuth too. */
export const EXISTING_GIT_SECRET_PROPS = fieldsOf<ExistingGitSecretProps>()({
  secretName: required(string(NAME)),
  namespace: required(string(NAMESPACE)),
  transport: oneOf(['ssh', 'https']),
  provider: oneOf(['github']),
});

/** A Secret made outside Terraform (by hand, by a secrets operator), referenced but never managed. */
export class ExistingGitSecret implements IGitCredentials {
  public readonly secretName: string;
  public readonly namespace: string;
  public readonly transport: 'ssh' | 'https';
  public readonly provider?: 'github';

  constructor(props: ExistingGitSecretProps) {
    checkProps(
      `existing git Secret ${props.namespace}/${props.secretName}`,
      'ExistingGitSecret',
      EXISTING_GIT_SECRET_PROPS,
      props,
    );
    this.secretName = props.secretName;
    this.namespace = props.namespace;
    this.provider = props.provider;
    this.transport = props.transport ?? (props.provider === 'github' ? 'https' : 'ssh');
    if (this.provider === 'github' && this.transport !== 'https') {
      throw new Error(
        `existing git Secret ${props.namespace}/${props.secretName}: a GitHub App's keys are for https, not ` +
          `transport "${this.transport}"; leave transport out`,
      );
    }
  }
}

/**
 * GitHub's SSH host keys, as GitHub publishes them, for the Secret's `known_hosts`.
 * @see https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/githubs-ssh-key-fingerprints
 */
export const GITHUB_KNOWN_HOSTS = [
  'github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl',
  'github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=',
  'github.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCj7ndNxQowgcQnjshcLrqPEiiphnt+VTTvDP6mHBL9j1aNUkY4Ue1gvwnGLVlOhGeYrnZaMgRK6+PKCUXaDbC7qtbW8gIkhL7aGCsOr/C56SJMy/BCZfxd1nWzAOxSDPgVsmerOBYfNqltV9/hWCqBywINIR+5dIg6JTJ72pcEpEjcYgXkE2YEFXV1JHnsKgbLWNlhScqb2UmyRkQyytRLtL+38TGxkxCflmO+5Z8CSSNY7GidjMIZ7Q4zMjA2n1nGrlTDkzwDCsw+wqFPGQA179cnfGWOWRVruj16z6XyvxvjJwbz0wQZ75XK5tKSb7FNyeIEs4TT4jk+S4dhPeAUC5y+bDYirYgM4GC7uEnztnZyaVWQ7B381AK4Qdrwt51ZqExKbQpTUNn+EjqoTwvqNj4kqx5QUCI0ThS/YkOxJCXmPUWZbhjpCg56i+2aB6CmK2JGhn57K5mj0MNdBXA4/WnwH6XoPWJzK5Nyu2zB3nAZp+S5hpQs+p1vN1/wsjk=',
].join('\n');
