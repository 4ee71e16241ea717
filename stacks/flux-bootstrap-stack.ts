import { GithubProvider } from '@cdktf/provider-github/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { TerraformBackend, TerraformOutput, TerraformRemoteState, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  ExistingGitSecret,
  FluxInstall,
  GitHttpsTokenSecret,
  GitHubAccessCheck,
  GitHubAppSecret,
  GitHubDeployKey,
  IGitCredentials,
} from '../constructs';
import { githubApiUrl } from '../lib/github-api-url';
import { FluxManifests } from '../lib/flux-manifests';
import { spreadOverKubernetesClients } from './kubernetes-clients';
import { encryptState, useStateBackend } from './state-backend';
import { ResolvedEnvironment } from '../settings';
import {
  githubAppPrivateKeyVariable,
  githubRepositoryVariables,
  githubTokenVariable,
  kubernetesVariables,
} from './variables';

/** Props of {@link FluxBootstrapStack}. */
export interface FluxBootstrapStackProps {
  /** The environment, its defaults resolved ({@link resolveEnvironment}). */
  readonly environment: ResolvedEnvironment;
  /** The Flux install manifests the stack applies, checked and pinned ({@link resolveFluxManifests}). */
  readonly manifests: FluxManifests;
}

/**
 * `<env>-flux-bootstrap`: the Flux namespace, CRDs and controllers, and the git access
 * (key pair, deploy key, Secret). The sync stack's custom resources can only be planned once
 * these CRDs exist, which is why they are two stacks.
 */
export class FluxBootstrapStack extends TerraformStack {
  /** Flux's install: its namespace, CRDs and controllers, with the options resolved. */
  public readonly install: FluxInstall;
  /** The Secret the GitRepository authenticates with; undefined when the sync source is an OCI artifact. */
  public readonly credentials: IGitCredentials | undefined;
  /**
   * The repository Flux syncs from, from this stack's `github_org` and `github_repository`, as a
   * token of this stack; other stacks read it with {@link repositoryUrlFor}. Undefined when the
   * sync source is an OCI artifact.
   */
  public readonly repositoryUrl: string | undefined;
  private readonly backend: TerraformBackend;

  /**
   * @param scope - the app
   * @param id - the stack's name, `<env>-flux-bootstrap` as {@link addFluxEnvironment} names it; it is
   * part of every state key and of the deploy key's title, so renaming it starts from empty state
   */
  constructor(scope: Construct, id: string, props: FluxBootstrapStackProps) {
    super(scope, id);
    const env = props.environment;
    spreadOverKubernetesClients(this, kubernetesVariables(this, env), env.kubernetesClients);
    if (env.encryptState) encryptState(this);
    this.install = new FluxInstall(this, 'flux', { manifests: props.manifests, ...env.install, adopt: env.adopt });
    this.backend = useStateBackend(this, env.backend, {
      kubeconfigPath: env.kubeconfigPath,
      fluxNamespace: this.install.namespace,
    });
    // An OCI artifact as the sync source needs no repository and no git access.
    if (env.syncSource.type === 'oci') return;
    const { org, repository } = githubRepositoryVariables(this, env);
    const credentials = (this.credentials = this.gitAccess(env, org, repository));
    const { hostname, sshPort, httpsPort } = env.gitHost;
    const host =
      credentials.transport === 'ssh'
        ? `ssh://git@${hostname}${sshPort && sshPort !== 22 ? `:${sshPort}` : ''}`
        : `https://${hostname}${httpsPort && httpsPort !== 443 ? `:${httpsPort}` : ''}`;
    this.repositoryUrl = `${host}/${org}/${repository}`;
    new TerraformOutput(this, 'repository_url', {
      value: this.repositoryUrl,
      description: 'The repository Flux syncs from; the sync stack reads it from this state',
    });
    new TerraformOutput(this, 'credentials_version', {
      value: credentials.version ?? '',
      description: 'Changes with what Flux authenticates with; the sync stack asks Flux to reconcile then',
    });
  }

  /**
   * The repository URL as `stack` sees it: read from this stack's state at plan time, so the sync
   * stack never declares the repository variables itself and a `-var` given to one stack only
   * cannot point the two at different repositories. Planned before this stack was deployed, it
   * stops with a message saying so.
   */
  public repositoryUrlFor(stack: TerraformStack): string {
    return this.stateFor(stack).getString('repository_url');
  }

  /**
   * The credentials' version (IGitCredentials.version) as `stack` sees it, from this stack's state:
   * empty where the Secret is not managed here.
   */
  public credentialsVersionFor(stack: TerraformStack): string {
    return this.stateFor(stack).getString('credentials_version');
  }

  private stateFor(stack: TerraformStack): TerraformRemoteState {
    const existing = stack.node.tryFindChild('bootstrap');
    if (existing) return existing as TerraformRemoteState;
    const state = this.backend.getRemoteStateDataSource(stack, 'bootstrap', this.node.id);
    // credentials_version: a state written before it existed has none.
    state.addOverride('defaults', { repository_url: '', credentials_version: '' });
    state.addOverride('lifecycle.postcondition', [
      {
        condition: '${self.outputs.repository_url != ""}',
        error_message:
          `${stack.node.id} reads the repository from the state of ${this.node.id}, which has none: ` +
          `deploy ${this.node.id} first (npx cdktf-flux deploy ${this.node.id} ${stack.node.id})`,
      },
    ]);
    return state;
  }

  private gitAccess(env: ResolvedEnvironment, org: string, repository: string): IGitCredentials {
    const namespace = this.install.namespace;
    const dependsOn = [this.install.namespaceResource];
    const auth = env.gitAuth;
    if (auth.type === 'existing-secret') {
      return new ExistingGitSecret({ secretName: auth.secretName, namespace, transport: auth.transport });
    }
    if (auth.type === 'github-app') {
      if (auth.secretName !== undefined) {
        return new ExistingGitSecret({ secretName: auth.secretName, namespace, provider: 'github' });
      }
      return new GitHubAppSecret(this, 'git-access', {
        appId: auth.appId,
        installationId: auth.installationId,
        privateKey: githubAppPrivateKeyVariable(this),
        baseUrl: env.gitHost.apiUrl && githubApiUrl(env.gitHost.apiUrl),
        caCert: env.gitHost.caCert,
        namespace,
        dependsOn,
        adopt: env.adopt,
      });
    }
    if (auth.type === 'https-token') {
      const token = githubTokenVariable(this);
      const { caCert } = env.gitHost;
      return new GitHttpsTokenSecret(this, 'git-access', { token, caCert, namespace, dependsOn, adopt: env.adopt });
    }
    // No token attribute: the provider reads GITHUB_TOKEN, so the token never enters a plan file.
    new GithubProvider(this, 'github', { owner: org, baseUrl: env.gitHost.apiUrl });
    new TlsProvider(this, 'tls');
    // At plan time, so that a token GitHub refuses stops the run before anything is created.
    const checked = new GitHubAccessCheck(this, 'github-access', { repository });
    return new GitHubDeployKey(this, 'git-access', {
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
