import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  ExistingGitSecret,
  FluxResource,
  FluxStackDefaults,
  GitRepository,
  Kustomization,
  OCIRepository,
} from '../constructs';
import { FluxManifests } from '../lib/flux-manifests';
import { FluxBootstrapStack } from './flux-bootstrap-stack';
import { encryptState, useStateBackend } from './state-backend';
import { normalisePath } from '../lib/rules';
import { KustomizationSettings, OciSourceSettings, ResolvedEnvironment, SourceSettings } from '../settings';
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
  public readonly sources: ReadonlyMap<string, GitRepository | OCIRepository>;
  /** The environment's Kustomizations, by name, in order of declaration. */
  public readonly kustomizations: ReadonlyMap<string, Kustomization>;

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
    const { syncSource } = env;
    if (syncSource.type === 'oci') {
      this.source = ociRepository(this, 'flux-system', { ...syncSource, name: 'flux-system' }, sourceTimeout);
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
    this.sources = sourcesOf(this, env.sources, namespace, sourceTimeout);
    this.kustomizations = kustomizationsOf(this, env.kustomizations, this.source, this.sources);

    const repository = this.gitRepository;
    if (repository)
      this.node.addValidation({ validate: () => bootstrapPathProblems(this, repository, env.clusterPath) });
    if (!bootstrap.install.options.watchAllNamespaces) {
      this.node.addValidation({ validate: () => unwatchedNamespaceProblems(this, namespace) });
    }
  }
}

/**
 * The layout's Kustomizations, `dependsOn` resolved by name. A name declared twice, a dependsOn
 * naming no Kustomization of the environment, and a cycle are refused by name.
 */
function ociRepository(
  scope: Construct,
  id: string,
  source: OciSourceSettings,
  readyTimeout: string | undefined,
): OCIRepository {
  const { name, url, ref, secretName, provider, insecure, interval } = source;
  return new OCIRepository(scope, id, {
    name,
    url,
    ref: ref ?? { tag: 'latest' },
    interval: interval ?? '1m0s',
    secretRef: secretName === undefined ? undefined : { name: secretName },
    provider,
    insecure,
    readyTimeout,
  });
}

/**
 * The environment's other sources, by name; a name taken twice, or the environment's own, is
 * refused. Their construct ids are `source-<name>`, since a Kustomization often has the same name.
 */
function sourcesOf(
  scope: Construct,
  sources: readonly SourceSettings[],
  namespace: string,
  readyTimeout: string | undefined,
): Map<string, GitRepository | OCIRepository> {
  const built = new Map<string, GitRepository | OCIRepository>();
  for (const source of sources) {
    if (source.name === 'flux-system' || built.has(source.name)) {
      const taken = source.name === 'flux-system' ? "the environment's own source" : 'declared more than once';
      throw new Error(`${scope.node.id}: sources: "${source.name}" is ${taken}; give each source its own name`);
    }
    if (source.type === 'oci') {
      built.set(source.name, ociRepository(scope, `source-${source.name}`, source, readyTimeout));
      continue;
    }
    const transport = source.url.startsWith('ssh://') ? 'ssh' : 'https';
    built.set(
      source.name,
      new GitRepository(scope, `source-${source.name}`, {
        name: source.name,
        url: source.url,
        ref: { branch: source.branch ?? 'main' },
        interval: source.interval ?? '1m0s',
        secretRef:
          source.secretName === undefined
            ? undefined
            : new ExistingGitSecret({ secretName: source.secretName, namespace, transport }),
        readyTimeout,
      }),
    );
  }
  return built;
}

function kustomizationsOf(
  scope: Construct,
  layout: readonly KustomizationSettings[],
  own: GitRepository | OCIRepository,
  sources: ReadonlyMap<string, GitRepository | OCIRepository>,
): Map<string, Kustomization> {
  const subject = `${scope.node.id}: kustomizations`;
  const sourceOf = (k: KustomizationSettings) => {
    if (k.source === undefined || k.source === 'flux-system') return own;
    const source = sources.get(k.source);
    if (!source) {
      throw new Error(
        `${subject}: "${k.name}" source "${k.source}" is not a source of this environment; declare it in sources ` +
          `or use one of ${['flux-system', ...sources.keys()].join(', ')}`,
      );
    }
    return source;
  };
  const names = layout.map((k) => k.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length > 0)
    throw new Error(
      `${subject}: ${[...new Set(twice)].map((n) => `"${n}"`).join(', ')} declared more than once; give each ` +
        `Kustomization its own name`,
    );
  for (const k of layout) {
    const unknown = (k.dependsOn ?? []).filter((d) => !names.includes(d));
    if (unknown.length > 0) {
      throw new Error(
        `${subject}: "${k.name}" dependsOn ${unknown.map((d) => `"${d}"`).join(', ')}, which this environment ` +
          `does not declare; declare it or use one of ${names.join(', ')}`,
      );
    }
  }
  const built = new Map<string, Kustomization>();
  const visiting: string[] = [];
  const build = (name: string): Kustomization => {
    const existing = built.get(name);
    if (existing) return existing;
    if (visiting.includes(name))
      throw new Error(
        `${subject}: dependsOn cycle ${[...visiting.slice(visiting.indexOf(name)), name].join(' → ')}; drop one ` +
          `of these dependencies`,
      );
    visiting.push(name);
    const settings = layout.find((k) => k.name === name)!;
    const { dependsOn = [], source: _, ...props } = settings;
    const kustomization = new Kustomization(scope, name, {
      sourceRef: sourceOf(settings),
      ...props,
      dependsOn: dependsOn.map(build),
    });
    visiting.pop();
    built.set(name, kustomization);
    return kustomization;
  };
  // Built in order of declaration (dependencies first when declared later), so ids and output are stable.
  layout.forEach((k) => build(k.name));
  return new Map(names.map((n) => [n, built.get(n)!]));
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
