import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  FluxResource,
  FluxStackDefaults,
  GitRepository,
  HelmRelease,
  Kustomization,
  OCIRepository,
} from '../constructs';
import { FluxManifests } from '../lib/flux-manifests';
import { FluxBootstrapStack } from './flux-bootstrap-stack';
import { encryptState, useStateBackend } from './state-backend';
import { normalisePath } from '../lib/rules';
import { ResolvedEnvironment, SettingsProblems } from '../settings';
import { StackProblems } from './stack-problems';
import { helmReleasesOf, kustomizationsOf } from './sync-layout';
import { EnvironmentSource, sourceObject, sourcesOf } from './sync-sources';
import { branchVariable, kubernetesVariables } from './variables';

/** Props of {@link FluxSyncStack}. */
export interface FluxSyncStackProps {
  /** The environment, its defaults resolved ({@link resolveEnvironment}). */
  readonly environment: ResolvedEnvironment;
  /** The Flux install manifests, whose CRD schemas the GitRepository and Kustomizations are checked against. */
  readonly manifests: FluxManifests;
  /**
   * The environment's bootstrap stack: the Flux namespace, the Secret the GitRepository
   * authenticates with, and the repository, which this stack reads from the bootstrap's state.
   */
  readonly bootstrap: FluxBootstrapStack;
  /**
   * Problems of the environment's settings already found, of items of its layout that `environment`
   * leaves out: reported with this stack's own, in one error ({@link checkEnvironment}).
   * @default - none
   */
  readonly settingsProblems?: SettingsProblems;
}

/**
 * `<env>-flux-sync`: the GitRepository and the Kustomizations of the environment's repository
 * layout (`kustomizations`, by default defaultKustomizations' four).
 * It must be deployed after the bootstrap stack, whose CRDs `kubernetes_manifest` needs at plan time.
 */
export class FluxSyncStack extends TerraformStack {
  /** The environment's own source, `flux-system`: the GitRepository, or the OCIRepository of `syncSource`. */
  public readonly source: GitRepository | OCIRepository;
  /** The environment's GitRepository; undefined when its `syncSource` is an OCI artifact. */
  public readonly gitRepository: GitRepository | undefined;
  /** The environment's `sources`, by name. */
  public readonly sources: ReadonlyMap<string, EnvironmentSource>;
  /** The environment's Kustomizations, by name, in order of declaration. */
  public readonly kustomizations: ReadonlyMap<string, Kustomization>;
  /** The environment's HelmReleases, by name, in order of declaration. */
  public readonly helmReleases: ReadonlyMap<string, HelmRelease>;

  constructor(scope: Construct, id: string, props: FluxSyncStackProps) {
    super(scope, id);
    const env = props.environment;
    new KubernetesProvider(this, 'kubernetes', kubernetesVariables(this, env));
    if (env.encryptState) encryptState(this);
    const { bootstrap } = props;
    const namespace = bootstrap.install.namespace;
    useStateBackend(this, env.backend, { kubeconfigPath: env.kubeconfigPath, fluxNamespace: namespace });
    // Set once: every Flux object of this stack finds them (its namespace too), including ones a user adds.
    const { waitFor, timeout } = env.syncWait;
    FluxStackDefaults.set(this, {
      manifests: props.manifests,
      namespace,
      adopt: env.adopt,
      readyTimeout: waitFor === 'all' ? timeout : undefined,
    });

    const sourceTimeout = waitFor === 'none' ? undefined : timeout;
    // Every object is built on its own, so that one run reports every problem of the environment.
    const problems = new StackProblems();
    const settings = props.settingsProblems;
    settings?.problems.forEach((p) => problems.add(`${settings.subject}: ${p}`));
    const refused = props.settingsProblems?.refused;
    const context = { stack: this, namespace, readyTimeout: sourceTimeout, gitHost: env.gitHost, problems };
    const { syncSource } = env;
    if (syncSource.type === 'oci') {
      this.source = sourceObject(context, 'flux-system', { ...syncSource, name: 'flux-system' }) as OCIRepository;
    } else {
      this.source = this.gitRepository = new GitRepository(this, 'flux-system', {
        url: bootstrap.repositoryUrlFor(this),
        ref: { branch: branchVariable(this, env) },
        interval: '1m0s',
        secretRef: bootstrap.credentials,
        readyTimeout: sourceTimeout,
        // A new key pair, a deploy key registered again or other known_hosts: Flux must fetch again.
        reconcileOn: [bootstrap.credentialsVersionFor(this)],
      });
    }
    this.sources = sourcesOf(context, env.sources);
    const refusedSources = [...(refused?.sources ?? []), ...env.sources.map((s) => s.name)];
    const layout = {
      own: this.source,
      others: this.sources,
      refused: new Set(refusedSources.filter((n) => !this.sources.has(n))),
    };
    this.kustomizations = kustomizationsOf(this, env.kustomizations, layout, problems, refused?.kustomizations);
    // A Kustomization refused is still a name a HelmRelease may depend on: it is not built either.
    const kustomizations = new Map<string, Kustomization | undefined>([
      ...[...(refused?.kustomizations ?? [])].map((n) => [n, undefined] as const),
      ...env.kustomizations.map((k) => [k.name, this.kustomizations.get(k.name)] as const),
    ]);
    this.helmReleases = helmReleasesOf(this, env.helmReleases, kustomizations, layout, problems, refused?.helmReleases);
    problems.throwIfAny();

    const repository = this.gitRepository;
    if (repository)
      this.node.addValidation({ validate: () => bootstrapPathProblems(this, repository, env.clusterPath) });
    if (!bootstrap.install.options.watchAllNamespaces) {
      this.node.addValidation({ validate: () => unwatchedNamespaceProblems(this, namespace) });
    }
  }
}

/** With watchAllNamespaces off, Flux never reconciles objects outside its own namespace. */
function unwatchedNamespaceProblems(stack: TerraformStack, fluxNamespace: string): string[] {
  return stack.node
    .findAll()
    .filter((c): c is FluxResource<object> => c instanceof FluxResource)
    .filter((o) => o.namespace !== fluxNamespace)
    .map(
      (o) =>
        `${o.kind} ${o.namespace}/${o.name}: namespace "${o.namespace}" is not watched, since the install sets ` +
        `watchAllNamespaces to false ` +
        `and Flux would never reconcile it; put it in "${fluxNamespace}" or turn watchAllNamespaces on`,
    );
}

/**
 * Terraform owns what `flux bootstrap` keeps in `<clusterPath>/flux-system` (the install and the
 * sync objects) of the environment's repository. A Kustomization that applied that folder would
 * give those objects a second owner, and the two would undo each other's changes on every reconcile.
 */
function bootstrapPathProblems(stack: TerraformStack, repository: GitRepository, clusterPath: string): string[] {
  const owned = `${normalisePath(clusterPath)}/flux-system`;
  return stack.node
    .findAll()
    .filter((c): c is Kustomization => c instanceof Kustomization && c.sourceRef === repository)
    .filter((k) => {
      const path = normalisePath(k.path ?? '');
      return path === '' || owned === path || owned.startsWith(`${path}/`) || path.startsWith(`${owned}/`);
    })
    .map(
      (k) =>
        `Kustomization ${k.namespace}/${k.name}: path "${k.path ?? '(root)'}" applies ${owned}, where flux ` +
        `bootstrap keeps Flux's own objects; ` +
        `Terraform owns those now and two owners would fight over them. Point the path elsewhere (such as ` +
        `./clusters/dev/apps) ` +
        `and delete ${owned} from the repository`,
    );
}
