import { App } from 'cdktf';
import { resolveFluxManifests } from '../lib/flux-manifests';
import { installedComponents, resolveInstallOptions } from '../lib/install-options';
import { EnvironmentSettings, ResolvedEnvironment, resolveEnvironment } from '../settings';
import { FluxBootstrapStack } from './flux-bootstrap-stack';
import { FluxSyncStack } from './flux-sync-stack';

const clustersByApp = new WeakMap<App, Map<string, string>>();

/**
 * One environment per name and per cluster: Flux's CRDs and cluster roles are cluster-wide, so
 * two environments on one cluster would fight over them (and a second name would collide).
 */
function claimCluster(app: App, environment: ResolvedEnvironment): void {
  let claimed = clustersByApp.get(app);
  if (!claimed) clustersByApp.set(app, (claimed = new Map()));
  if ([...claimed.values()].includes(environment.name)) {
    throw new Error(
      `environment "${environment.name}": name "${environment.name}" is used by another environment of this ` +
        `app; give each environment its own name`,
    );
  }
  const cluster = `${environment.kubeconfigPath}#${environment.kubeContext}`;
  const other = claimed.get(cluster);
  if (other) {
    const context = environment.kubeContext ? `context "${environment.kubeContext}"` : 'the current context';
    throw new Error(
      `environment "${environment.name}": kubeContext ${JSON.stringify(environment.kubeContext)} is the cluster ` +
        `of environment "${other}" (${context} of ` +
        `kubeconfigPath "${environment.kubeconfigPath}"); Flux's CRDs are cluster-wide, so each environment ` +
        `needs a cluster of its own: set kubeContext (or kubeconfigPath)`,
    );
  }
  claimed.set(cluster, environment.name);
}

/** The two stacks of one environment. */
export interface FluxEnvironmentStacks {
  readonly bootstrap: FluxBootstrapStack;
  readonly sync: FluxSyncStack;
}

/**
 * Adds `<name>-flux-bootstrap` and `<name>-flux-sync` to the app, the second depending on the
 * first. Resolves the Flux manifests (local, cached, or a verified download) on the way.
 */
export async function addFluxEnvironment(app: App, settings: EnvironmentSettings): Promise<FluxEnvironmentStacks> {
  const environment = resolveEnvironment(settings);
  claimCluster(app, environment);
  const manifests = await resolveFluxManifests({
    version: environment.fluxVersion,
    path: environment.manifestsPath,
    components: installedComponents(resolveInstallOptions(environment.install)),
  });
  const bootstrap = new FluxBootstrapStack(app, `${environment.name}-flux-bootstrap`, { environment, manifests });
  const sync = new FluxSyncStack(app, `${environment.name}-flux-sync`, { environment, manifests, bootstrap });
  sync.addDependency(bootstrap);
  return { bootstrap, sync };
}
