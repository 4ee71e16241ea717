// cdktf-flux's one entry point: what an app imports, and all it may rely on. Anything else in the
// package is internal and may change in any release (see CHANGELOG.md for the semver rules).

export * from './constructs';
export * from './stacks';
export * from './settings';
export {
  DEFAULT_FLUX_VERSION,
  downloadFluxManifests,
  FluxManifests,
  FluxManifestsNotFoundError,
  loadFluxManifests,
  resolveFluxManifests,
} from './lib/flux-manifests';
export type { FluxManifestsOptions } from './lib/flux-manifests';
export { DEFAULT_COMPONENTS, EXTRA_COMPONENTS } from './lib/flux-components';
export type { FluxInstallOptions, ResolvedInstallOptions } from './lib/install-options';
export type { KubernetesObject, ObjectMeta } from './lib/kubernetes-object';
export { LOCK_FILE_NAME, readLock } from './lib/manifests-lock';
export type { LockEntry, ManifestsSource } from './lib/manifests-lock';
