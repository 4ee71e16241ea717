import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { Construct } from 'constructs';
import { checkProps, fieldsOf, required, string } from '../lib/shape';
import { IGitCredentials } from './git-credentials';
import { HTTPS_GIT_SECRET_PROPS, httpsGitSecret, HttpsGitSecretProps } from './https-git-secret';

/** Props of {@link GitHttpsTokenSecret}. */
export interface GitHttpsTokenSecretProps extends HttpsGitSecretProps {
  /** The token, normally a sensitive Terraform variable; it reaches only state and the cluster. */
  readonly token: string;
  /**
   * The basic-auth user name; GitHub accepts any non-empty name with a token.
   * @default git
   */
  readonly username?: string;
}

const GIT_HTTPS_TOKEN_SECRET_PROPS = fieldsOf<GitHttpsTokenSecretProps>()({
  ...HTTPS_GIT_SECRET_PROPS,
  token: required(string()),
  username: string(),
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
    this.namespace = props.namespace;
    ({ secretName: this.secretName, secret: this.secret } = httpsGitSecret(this, props, {
      username: props.username ?? 'git',
      password: props.token,
    }));
  }
}
