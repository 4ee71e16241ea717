import { RepositoryDeployKey } from '@cdktf/provider-github/lib/repository-deploy-key';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { Fn, ITerraformDependable, TerraformProvider, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { checkName, checkNamespace, Problems } from '../lib/rules';
import { anything, boolean, checkProps, fieldsOf, list, object, oneOf, provider, required, string } from '../lib/shape';
import { GITHUB_KNOWN_HOSTS, IGitCredentials } from './git-credentials';
import { ImportExisting } from './import-existing';

/** Props of {@link GitHubDeployKey}. */
export interface GitHubDeployKeyProps {
  /** The GitHub repository's name (without the owner, which the github provider sets). */
  readonly repository: string;
  /** Namespace of the Secret: the namespace of the GitRepository that uses it. */
  readonly namespace: string;
  /**
   * Name of the Secret.
   * @default flux-system
   */
  readonly secretName?: string;
  /**
   * Key algorithm: ECDSA on the P-256 curve, or ED25519.
   * @default ECDSA
   */
  readonly algorithm?: 'ECDSA' | 'ED25519';
  /**
   * Register the key read-only. Image automation pushes commits and needs `false`.
   * @default true
   */
  readonly readOnly?: boolean;
  /**
   * Title of the deploy key on GitHub. It identifies this key: `cdktf-flux deploy` removes other keys
   * of the repository with this title, left by earlier runs whose state was lost.
   * @default Flux (<stack name>)
   */
  readonly title?: string;
  /**
   * The Secret's `known_hosts`.
   * @default GITHUB_KNOWN_HOSTS
   */
  readonly knownHosts?: string;
  /** Take over the Secret `flux bootstrap` left, overwriting its keys (import block). @default false */
  readonly adopt?: boolean;
  /** Resources the Secret must wait for, such as the Flux namespace. @default - none */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * The provider configurations the key pair, the deploy key and the Secret are made with, for a
   * stack with more than one of a kind.
   * @default - the stack's default providers
   */
  readonly providers?: {
    /** The kubernetes provider, for the Secret. @default - the stack's default kubernetes provider */
    readonly kubernetes?: TerraformProvider;
    /** The github provider, for the deploy key. @default - the stack's default github provider */
    readonly github?: TerraformProvider;
    /** The tls provider, for the key pair. @default - the stack's default tls provider */
    readonly tls?: TerraformProvider;
  };
}

/** The shape of {@link GitHubDeployKeyProps}, checked at run time; the settings' gitAuth too. */
export const GITHUB_DEPLOY_KEY_PROPS = fieldsOf<GitHubDeployKeyProps>()({
  repository: required(string()),
  namespace: required(string()),
  secretName: string(),
  algorithm: oneOf(['ECDSA', 'ED25519']),
  readOnly: boolean,
  title: string(),
  knownHosts: string(),
  adopt: boolean,
  dependsOn: list(anything),
  providers: object(
    fieldsOf<NonNullable<GitHubDeployKeyProps['providers']>>()({
      kubernetes: provider,
      github: provider,
      tls: provider,
    }),
  ),
});

/**
 * Git access over SSH the way `flux bootstrap github` sets it up: a fresh key pair, its public
 * half registered as a deploy key on the repository, and the Secret Flux reads with
 * `identity`, `identity.pub` and `known_hosts`.
 *
 * The private key exists only in Terraform state and in the cluster's Secret, never in the
 * synthesized configuration: keep state encrypted or in a protected backend.
 *
 * @see https://fluxcd.io/flux/installation/bootstrap/github/
 */
export class GitHubDeployKey extends Construct implements IGitCredentials {
  public readonly secretName: string;
  public readonly namespace: string;
  public readonly transport = 'ssh' as const;
  /** The key algorithm, with the default resolved. */
  public readonly algorithm: 'ECDSA' | 'ED25519';
  /** Whether the deploy key is read-only, with the default resolved. */
  public readonly readOnly: boolean;
  /** The key pair; its private half exists only in state and in the Secret. */
  public readonly privateKey: PrivateKey;
  /** The key registered on the GitHub repository. */
  public readonly deployKey: RepositoryDeployKey;
  /** The Secret Flux reads: identity, identity.pub, known_hosts. */
  public readonly secret: SecretV1;
  /** Changes with the key pair, the deploy key's registration and known_hosts; nothing secret. */
  public readonly version: string;

  constructor(scope: Construct, id: string, props: GitHubDeployKeyProps) {
    super(scope, id);
    checkProps(this.node.path, 'GitHubDeployKey', GITHUB_DEPLOY_KEY_PROPS, props);
    this.secretName = props.secretName ?? 'flux-system';
    this.namespace = props.namespace;
    this.algorithm = props.algorithm ?? 'ECDSA';
    this.readOnly = props.readOnly ?? true;
    const problems = new Problems(this.node.path);
    checkName(problems, 'secretName', this.secretName);
    checkNamespace(problems, 'namespace', this.namespace);
    problems.throwIfAny();

    this.privateKey = new PrivateKey(this, 'key', {
      algorithm: this.algorithm,
      ecdsaCurve: this.algorithm === 'ECDSA' ? 'P256' : undefined,
      provider: props.providers?.tls,
    });
    this.deployKey = new RepositoryDeployKey(this, 'deploy-key', {
      repository: props.repository,
      title: props.title ?? `Flux (${TerraformStack.of(this).node.id})`,
      key: this.privateKey.publicKeyOpenssh,
      readOnly: this.readOnly,
      provider: props.providers?.github,
    });
    this.secret = new SecretV1(this, 'secret', {
      metadata: { name: this.secretName, namespace: this.namespace },
      data: {
        identity: this.privateKey.privateKeyOpenssh,
        'identity.pub': this.privateKey.publicKeyOpenssh,
        known_hosts: props.knownHosts ?? GITHUB_KNOWN_HOSTS,
      },
      dependsOn: props.dependsOn,
      provider: props.providers?.kubernetes,
    });
    if (props.adopt) new ImportExisting(this, this.secret, `${this.namespace}/${this.secretName}`);
    const knownHosts = props.knownHosts ?? GITHUB_KNOWN_HOSTS;
    this.version = Fn.sha1(Fn.join('\n', [this.privateKey.publicKeyOpenssh, this.deployKey.id, knownHosts]));
  }
}
