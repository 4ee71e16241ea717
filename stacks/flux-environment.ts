import { basename } from 'node:path';
import { App } from 'cdktf';
import { checkFrameworkCopies } from '../constructs/framework-copies';
import { FluxManifestsOptions, resolveFluxManifests } from '../lib/flux-manifests';
import { installedComponents, resolveInstallOptions } from '../lib/install-options';
import { checkEnvironment, EnvironmentSettings, ResolvedEnvironment } from '../settings';
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

/**
 * State encryption is OpenTofu's: Terraform refuses the configuration (`Blocks of type "encryption"
 * are not expected here`). The binary that will run it is known at synth: cdktf runs the app with
 * its own environment, and runs the binary TERRAFORM_BINARY_NAME names.
 */
function checkStateEncryption(environment: ResolvedEnvironment): void {
  const binary = process.env.TERRAFORM_BINARY_NAME;
  if (!environment.encryptState || !binary || !/^terraform/i.test(basename(binary))) return;
  throw new Error(
    `environment "${environment.name}": encryptState true needs OpenTofu, but TERRAFORM_BINARY_NAME is ` +
      `"${binary}": Terraform has no state encryption and refuses the stacks' encryption block. Set ` +
      `TERRAFORM_BINARY_NAME=tofu (OpenTofu 1.7 or later), or turn encryptState off`,
  );
}

/** The two stacks of one environment, as {@link addFluxEnvironment} adds them. */
export interface FluxEnvironmentStacks {
  /** `<name>-flux-bootstrap`: Flux's install and the git access. */
  readonly bootstrap: FluxBootstrapStack;
  /** `<name>-flux-sync`: the GitRepository and the Kustomizations; deployed after the bootstrap stack. */
  readonly sync: FluxSyncStack;
}

/**
 * Where an app keeps what it resolves the Flux manifests with: its lock, its download cache, a
 * folder of exported manifests and a mirror of Flux's releases. Each is the project's, not the
 * environment's, so an app passes the same options to every environment.
 */
export type FluxEnvironmentOptions = Pick<
  FluxManifestsOptions,
  'lockFile' | 'cacheDir' | 'manifestsDir' | 'releasesUrl'
>;

/**
 * Adds `<name>-flux-bootstrap` and `<name>-flux-sync` to the app, the second depending on the
 * first. Resolves the Flux manifests (local, cached, or a verified download) on the way.
 *
 * Refused, before anything is added: settings that do not check ({@link resolveEnvironment}; those
 * of items of `sources`, `kustomizations` and `helmReleases` together with the sync stack's own), a
 * name or a cluster (kubeconfig and context) another environment of the app has, `encryptState`
 * when TERRAFORM_BINARY_NAME names Terraform, manifests the lock does not pin, and an app built
 * with another copy of `constructs` or `cdktf` than the library loads.
 * @param app - the app; {@link runApp} makes one
 * @param settings - the environment
 * @param options - the manifests lock, cache folder, manifests folder and releases mirror
 * (see {@link FluxManifestsOptions} for each default)
 */
export async function addFluxEnvironment(
  app: App,
  settings: EnvironmentSettings,
  options: FluxEnvironmentOptions = {},
): Promise<FluxEnvironmentStacks> {
  checkFrameworkCopies(app, 'addFluxEnvironment');
  // Problems of items of the layout are reported with the sync stack's, in one error.
  const { environment, problems } = checkEnvironment(settings);
  checkStateEncryption(environment);
  claimCluster(app, environment);
  const { lockFile, cacheDir, manifestsDir, releasesUrl } = options;
  const manifests = await resolveFluxManifests({
    lockFile,
    cacheDir,
    manifestsDir,
    releasesUrl,
    version: environment.fluxVersion,
    path: environment.manifestsPath,
    components: installedComponents(resolveInstallOptions(environment.install)),
  });
  const bootstrap = new FluxBootstrapStack(app, `${environment.name}-flux-bootstrap`, { environment, manifests });
  const sync = new FluxSyncStack(app, `${environment.name}-flux-sync`, {
    environment,
    manifests,
    bootstrap,
    settingsProblems: problems,
  });
  sync.addDependency(bootstrap);
  return { bootstrap, sync };
}
