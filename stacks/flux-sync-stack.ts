import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { GitRepository, IGitCredentials, Kustomization } from '../constructs';
import { FluxManifests } from '../lib/flux-manifests';
import { encryptState, useStateBackend } from './state-backend';
import { normalisePath } from '../lib/rules';
import { branchVariable, githubRepositoryVariables, kubernetesVariables, ResolvedEnvironment } from '../variables';

/** Props of {@link FluxSyncStack}. */
export interface FluxSyncStackProps {
  readonly environment: ResolvedEnvironment;
  readonly manifests: FluxManifests;
  /** The Secret the GitRepository authenticates with, from the bootstrap stack. */
  readonly credentials: IGitCredentials;
  /** The Flux namespace. */
  readonly namespace: string;
  /**
   * Whether the controllers reconcile objects in every namespace.
   * @default true
   */
  readonly watchAllNamespaces?: boolean;
}

/**
 * `<env>-flux-sync`: the GitRepository and the Kustomizations of the team's repository layout.
 * It must be deployed after the bootstrap stack, whose CRDs `kubernetes_manifest` needs at plan time.
 */
export class FluxSyncStack extends TerraformStack {
  public readonly gitRepository: GitRepository;
  public readonly infraControllers: Kustomization;
  public readonly infraPrereqs: Kustomization;
  public readonly apps: Kustomization;
  public readonly secrets: Kustomization;

  constructor(scope: Construct, id: string, props: FluxSyncStackProps) {
    super(scope, id);
    const env = props.environment;
    new KubernetesProvider(this, 'kubernetes', kubernetesVariables(this, env));
    if (env.encryptState) encryptState(this);
    useStateBackend(this, env.backend, { kubeconfigPath: env.kubeconfigPath, fluxNamespace: props.namespace });
    const { org, repository } = githubRepositoryVariables(this, env);
    const { hostname, sshPort } = env.gitHost;
    const host = props.credentials.transport === 'ssh' ? `ssh://git@${hostname}${sshPort && sshPort !== 22 ? `:${sshPort}` : ''}` : `https://${hostname}`;
    const manifests = props.manifests;
    const adopt = env.adopt;

    this.gitRepository = new GitRepository(this, 'flux-system', {
      manifests,
      adopt,
      namespace: props.namespace,
      url: `${host}/${org}/${repository}`,
      ref: { branch: branchVariable(this, env) },
      interval: '1m0s',
      secretRef: props.credentials,
    });
    const sourceRef = this.gitRepository;
    const infra = { manifests, adopt, sourceRef, interval: '10m0s', retryInterval: '1m0s', timeout: '5m0s', prune: true };
    this.infraControllers = new Kustomization(this, 'infra-controllers', { ...infra, path: './infrastructure/controllers' });
    this.infraPrereqs = new Kustomization(this, 'infra-prereqs', { ...infra, path: './infrastructure/prereqs', dependsOn: [this.infraControllers] });
    this.apps = new Kustomization(this, 'apps', { manifests, adopt, sourceRef, interval: '1h', retryInterval: '1m', timeout: '5m', path: env.appsPath, prune: true });
    this.secrets = new Kustomization(this, 'secrets', { manifests, adopt, sourceRef, interval: '10m', retryInterval: '1m', timeout: '5m', path: './secrets', prune: true });

    this.node.addValidation({ validate: () => bootstrapPathProblems(this, env.clusterPath) });
    if (props.watchAllNamespaces === false) {
      this.node.addValidation({ validate: () => unwatchedNamespaceProblems(this, props.namespace) });
    }
  }
}

/** With watchAllNamespaces off, Flux never reconciles objects outside its own namespace. */
function unwatchedNamespaceProblems(stack: TerraformStack, fluxNamespace: string): string[] {
  return stack.node
    .findAll()
    .filter((c): c is GitRepository | Kustomization => c instanceof GitRepository || c instanceof Kustomization)
    .filter((o) => o.namespace !== fluxNamespace)
    .map(
      (o) =>
        `${o.kind} ${o.namespace}/${o.name}: namespace "${o.namespace}" is not watched, since the install sets watchAllNamespaces to false ` +
        `and Flux would never reconcile it; put it in "${fluxNamespace}" or turn watchAllNamespaces on`,
    );
}

/**
 * Terraform owns what `flux bootstrap` keeps in `<clusterPath>/flux-system` (the install and the
 * sync objects). A Kustomization that applied that folder would give those objects a second
 * owner, and the two would undo each other's changes on every reconcile.
 */
function bootstrapPathProblems(stack: TerraformStack, clusterPath: string): string[] {
  const owned = `${normalisePath(clusterPath)}/flux-system`;
  return stack.node
    .findAll()
    .filter((c): c is Kustomization => c instanceof Kustomization)
    .filter((k) => {
      const path = normalisePath(k.path ?? '');
      return path === '' || owned === path || owned.startsWith(`${path}/`) || path.startsWith(`${owned}/`);
    })
    .map(
      (k) =>
        `Kustomization ${k.namespace}/${k.name}: path "${k.path ?? '(root)'}" applies ${owned}, where flux bootstrap keeps Flux's own objects; ` +
        `Terraform owns those now and two owners would fight over them. Point the path elsewhere (such as ./clusters/dev/apps) ` +
        `and delete ${owned} from the repository`,
    );
}
