import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { LOOPBACK } from '../lib/settings-check';
import { checkProps, fieldsOf, is, required, string } from '../lib/shape';
import { IGitCredentials } from './git-credentials';
import { HTTPS_GIT_SECRET_PROPS, httpsGitSecret, HttpsGitSecretProps } from './https-git-secret';

/** Props of {@link GitHubAppSecret}. */
export interface GitHubAppSecretProps extends HttpsGitSecretProps {
  /** The GitHub App's id (its settings page, "App ID"). */
  readonly appId: number;
  /** The id of the App's installation on the organization or repository (the installation's URL ends with it). */
  readonly installationId: number;
  /**
   * The App's private key, PEM; normally a sensitive Terraform variable, so it reaches only state
   * and the cluster, never the synthesized output.
   */
  readonly privateKey: string;
  /**
   * The REST API of a GitHub Enterprise Server, such as `https://github.example.com/api/v3`.
   * @default - github.com's API
   */
  readonly baseUrl?: string;
}

/** A GitHub App or installation id: a positive whole number (or a number known at plan time). */
export const GITHUB_APP_ID = is(
  (v) => Token.isUnresolved(v) || (Number.isSafeInteger(v) && (v as number) > 0),
  'a GitHub App or installation id: give the number GitHub shows, such as 123456',
);

const GITHUB_APP_SECRET_PROPS = fieldsOf<GitHubAppSecretProps>()({
  appId: required(GITHUB_APP_ID),
  installationId: required(GITHUB_APP_ID),
  privateKey: required(string()),
  baseUrl: string({
    test: (s) => URL.canParse(s) && (new URL(s).protocol === 'https:' || LOOPBACK.test(new URL(s).hostname)),
    text:
      "is not an https:// URL (plain http would send the App's tokens in the clear, so only to loopback); give " +
      'the API of the GitHub Enterprise Server, such as https://github.example.com/api/v3',
  }),
  ...HTTPS_GIT_SECRET_PROPS,
});

/**
 * Git access as a GitHub App (Flux v2.5 or later): a Secret with the App's id, installation id and
 * private key, from which source-controller mints a short-lived installation token for each fetch
 * over HTTPS. The GitRepository that uses it gets `spec.provider: github`; its URL must be `https://`.
 * No deploy key and no personal token are involved, and one App serves every repository it is
 * installed on.
 * @see https://fluxcd.io/flux/components/source/gitrepositories/#github
 */
export class GitHubAppSecret extends Construct implements IGitCredentials {
  public readonly secretName: string;
  public readonly namespace: string;
  public readonly transport = 'https' as const;
  public readonly provider = 'github' as const;
  /** The App, its installation and the API it asks: Flux fetches again when one changes. */
  public readonly version: string;
  /** The Secret Flux reads: githubAppID, githubAppInstallationID, githubAppPrivateKey (and githubAppBaseURL). */
  public readonly secret: SecretV1;

  constructor(scope: Construct, id: string, props: GitHubAppSecretProps) {
    super(scope, id);
    checkProps(this.node.path, 'GitHubAppSecret', GITHUB_APP_SECRET_PROPS, props);
    this.namespace = props.namespace;
    this.version = `github-app:${props.appId}:${props.installationId}:${props.baseUrl ?? ''}`;
    ({ secretName: this.secretName, secret: this.secret } = httpsGitSecret(this, props, {
      githubAppID: String(props.appId),
      githubAppInstallationID: String(props.installationId),
      githubAppPrivateKey: props.privateKey,
      ...(props.baseUrl && { githubAppBaseURL: props.baseUrl }),
    }));
  }
}
