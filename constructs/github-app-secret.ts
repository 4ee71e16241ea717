import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { ITerraformDependable, TerraformProvider, Token } from 'cdktf';
import { Construct } from 'constructs';
import { checkName, checkNamespace, Problems } from '../lib/rules';
import { LOOPBACK } from '../lib/settings-check';
import { anything, boolean, checkProps, fieldsOf, is, list, provider, required, string } from '../lib/shape';
import { IGitCredentials } from './git-credentials';
import { ImportExisting } from './import-existing';

/** Props of {@link GitHubAppSecret}. */
export interface GitHubAppSecretProps {
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
  /** Take over a Secret of that name made before, overwriting its keys (import block). @default false */
  readonly adopt?: boolean;
  /** Resources the Secret must wait for, such as the Flux namespace. @default - none */
  readonly dependsOn?: ITerraformDependable[];
  /** The kubernetes provider that creates the Secret. @default - the stack's default kubernetes provider */
  readonly kubernetesProvider?: TerraformProvider;
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
  namespace: required(string()),
  secretName: string(),
  caCert: string(),
  adopt: boolean,
  dependsOn: list(anything),
  kubernetesProvider: provider,
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
    this.secretName = props.secretName ?? 'flux-system';
    this.namespace = props.namespace;
    const problems = new Problems(this.node.path);
    checkName(problems, 'secretName', this.secretName);
    checkNamespace(problems, 'namespace', this.namespace);
    problems.throwIfAny();

    this.version = `github-app:${props.appId}:${props.installationId}:${props.baseUrl ?? ''}`;
    this.secret = new SecretV1(this, 'secret', {
      metadata: { name: this.secretName, namespace: this.namespace },
      data: {
        githubAppID: String(props.appId),
        githubAppInstallationID: String(props.installationId),
        githubAppPrivateKey: props.privateKey,
        ...(props.baseUrl && { githubAppBaseURL: props.baseUrl }),
        ...(props.caCert && { 'ca.crt': props.caCert }),
      },
      dependsOn: props.dependsOn,
      provider: props.kubernetesProvider,
    });
    if (props.adopt) new ImportExisting(this, this.secret, `${this.namespace}/${this.secretName}`);
  }
}
