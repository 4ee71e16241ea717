import { GithubProvider } from '@cdktf/provider-github/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  ExistingGitSecret,
  FluxInstall,
  GitHttpsTokenSecret,
  GitHubAccessCheck,
  GitHubDeployKey,
  IGitCredentials,
} from '../constructs';
import { FluxManifests } from '../lib/flux-manifests';
import { encryptState, useStateBackend } from './state-backend';
import { githubRepositoryVariables, githubTokenVariable, kubernetesVariables, ResolvedEnvironment } from '../variables';

/** Props of {@link FluxBootstrapStack}. */
export interface FluxBootstrapStackProps {
  readonly environment: ResolvedEnvironment;
  readonly manifests: FluxManifests;
}

/**
 * `<env>-flux-bootstrap`: the Flux namespace, CRDs and controllers, and the git access
 * (key pair, deploy key, Secret). The sync stack's custom resources can only be planned once
 * these CRDs exist, which is why they are two stacks.
 */
export class FluxBootstrapStack extends TerraformStack {
  public readonly install: FluxInstall;
  /** The Secret the GitRepository authenticates with. */
  public readonly credentials: IGitCredentials;

  constructor(scope: Construct, id: string, props: FluxBootstrapStackProps) {
    super(scope, id);
    const env = props.environment;
    new KubernetesProvider(this, 'kubernetes', kubernetesVariables(this, env));
    if (env.encryptState) encryptState(this);
    this.install = new FluxInstall(this, 'flux', { manifests: props.manifests, ...env.install, adopt: env.adopt });
    const namespace = this.install.namespace;
    useStateBackend(this, env.backend, { kubeconfigPath: env.kubeconfigPath, fluxNamespace: namespace });
    const dependsOn = [this.install.namespaceResource];

    const auth = env.gitAuth;
    if (auth.type === 'existing-secret') {
      this.credentials = new ExistingGitSecret({ secretName: auth.secretName, namespace, transport: auth.transport });
      return;
    }
    if (auth.type === 'https-token') {
      const token = githubTokenVariable(this);
      this.credentials = new GitHttpsTokenSecret(this, 'git-access', { token, namespace, dependsOn, adopt: env.adopt });
      return;
    }
    const { org, repository } = githubRepositoryVariables(this, env);
    // No token attribute: the provider reads GITHUB_TOKEN, so the token never enters a plan file.
    new GithubProvider(this, 'github', { owner: org, baseUrl: env.gitHost.apiUrl });
    new TlsProvider(this, 'tls');
    // At plan time, so that a token GitHub refuses stops the run before anything is created.
    const checked = new GitHubAccessCheck(this, 'github-access', { repository });
    this.credentials = new GitHubDeployKey(this, 'git-access', {
      repository: checked.repository,
      namespace,
      algorithm: auth.algorithm,
      readOnly: auth.readOnly,
      knownHosts: env.gitHost.knownHosts,
      dependsOn,
      adopt: env.adopt,
    });
  }
}
