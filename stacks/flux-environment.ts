import { App } from 'cdktf';
import { resolveFluxManifests } from '../lib/flux-manifests';
import { EnvironmentSettings, resolveEnvironment } from '../variables';
import { FluxBootstrapStack } from './flux-bootstrap-stack';
import { FluxSyncStack } from './flux-sync-stack';

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
  const manifests = await resolveFluxManifests({ version: environment.fluxVersion, path: environment.manifestsPath });
  const bootstrap = new FluxBootstrapStack(app, `${environment.name}-flux-bootstrap`, { environment, manifests });
  const sync = new FluxSyncStack(app, `${environment.name}-flux-sync`, {
    environment,
    manifests,
    credentials: bootstrap.credentials,
    namespace: bootstrap.install.namespace,
    watchAllNamespaces: bootstrap.install.options.watchAllNamespaces,
  });
  sync.addDependency(bootstrap);
  return { bootstrap, sync };
}
