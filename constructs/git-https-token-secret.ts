import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { ITerraformDependable, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { checkName, checkNamespace, Problems } from '../lib/rules';
import { anything, boolean, checkProps, fieldsOf, list, provider, required, string } from '../lib/shape';
import { IGitCredentials } from './git-credentials';
import { ImportExisting } from './import-existing';

/** Props of {@link GitHttpsTokenSecret}. */
export interface GitHttpsTokenSecretProps {
  /** The token, normally a sensitive Terraform variable; it reaches only state and the cluster. */
  readonly token: string;
  /**
   * The PEM certificate of the CA that signed the git host's certificate, as `ca.crt`, when the
   * controllers do not trust it already.
   * @default - the system's CAs
   */
  readonly caCert?: string;
  /** Namespace of the Secret: the namespace of the GitRepository that uses it. */
  readonly namespace: string;
  /**
   * Name of the Secret.
   * @default flux-system
   */
  readonly secretName?: string;
  /**
   * The basic-auth user name; GitHub accepts any non-empty name with a token.
   * @default git
   */
  readonly username?: string;
  /** Take over the Secret `flux bootstrap` left, overwriting its keys (import block). @default false */
  readonly adopt?: boolean;
  /** Resources the Secret must wait for, such as the Flux namespace. @default - none */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * The kubernetes provider configuration the Secret is made with, for a stack with more than one.
   * @default - the stack's default kubernetes provider
   */
  readonly kubernetesProvider?: TerraformProvider;
}

const GIT_HTTPS_TOKEN_SECRET_PROPS = fieldsOf<GitHttpsTokenSecretProps>()({
  token: required(string()),
  namespace: required(string()),
  secretName: string(),
  caCert: string(),
  username: string(),
  adopt: boolean,
  dependsOn: list(anything),
  kubernetesProvider: provider,
});

/**
 * Git access over HTTPS with a token, as `flux bootstrap github --token-auth` sets it up:
 * a Secret with `username` and `password`. The GitRepository URL must be `https://`.
 * @see https://fluxcd.io/flux/components/source/gitrepositories/#basic-access-authentication
 */
export class GitHttpsTokenSecret extends Construct implements IGitCredentials {
  public readonly secretName: string;
  public readonly namespace: string;
  public readonly transport = 'https' as const;
  /** The Secret Flux reads: username, password. */
  public readonly secret: SecretV1;

  constructor(scope: Construct, id: string, props: GitHttpsTokenSecretProps) {
    super(scope, id);
    checkProps(this.node.path, 'GitHttpsTokenSecret', GIT_HTTPS_TOKEN_SECRET_PROPS, props);
    this.secretName = props.secretName ?? 'flux-system';
    this.namespace = props.namespace;
    const problems = new Problems(this.node.path);
    checkName(problems, 'secretName', this.secretName);
    checkNamespace(problems, 'namespace', this.namespace);
    problems.throwIfAny();

    this.secret = new SecretV1(this, 'secret', {
      metadata: { name: this.secretName, namespace: this.namespace },
      data: {
        username: props.username ?? 'git',
        password: props.token,
        ...(props.caCert && { 'ca.crt': props.caCert }),
      },
      dependsOn: props.dependsOn,
      provider: props.kubernetesProvider,
    });
    if (props.adopt) new ImportExisting(this, this.secret, `${this.namespace}/${this.secretName}`);
  }
}
