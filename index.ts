// cdktf-flux's one entry point: what an app imports, and all it may rely on. Anything else in the
// package is internal and may change in any release (see CHANGELOG.md for the semver rules).

// The stacks of an environment, and the app around them.
export { addFluxEnvironment, FluxBootstrapStack, FluxSyncStack, runApp, synthApp } from './stacks';
export type {
  FluxBootstrapStackProps,
  FluxEnvironmentOptions,
  FluxEnvironmentStacks,
  FluxSyncStackProps,
} from './stacks';
export type { EnvironmentSource } from './stacks/sync-sources';

// An environment's settings, as data.
export { checkEnvironment, defaultKustomizations, GITHUB_COM, resolveEnvironment } from './settings';
export type {
  BucketSourceSettings,
  CheckedEnvironment,
  EnvironmentSettings,
  GitAuthSettings,
  GitSourceSettings,
  HelmReleaseSettings,
  HelmSourceSettings,
  SourceCredentialsSettings,
  GitHubAppAuthSettings,
  GitHostSettings,
  KustomizationSettings,
  OciRefSettings,
  OciSourceSettings,
  RefusedItems,
  ResolvedEnvironment,
  SettingsProblems,
  SourceSettings,
  StateBackendSettings,
  SyncSourceSettings,
  SyncWaitSettings,
} from './settings';

// The constructs, for stacks of an app's own.
export {
  Alert,
  Bucket,
  ExistingGitSecret,
  ExternalArtifact,
  FluxInstall,
  FluxResource,
  FluxStackDefaults,
  GitHttpsTokenSecret,
  GitHubAccessCheck,
  GitHubAppSecret,
  GitHubDeployKey,
  GITHUB_KNOWN_HOSTS,
  GitRepository,
  HelmChart,
  HelmRelease,
  HelmRepository,
  ImagePolicy,
  ImageRepository,
  ImageUpdateAutomation,
  ImportExisting,
  KubernetesBackend,
  Kustomization,
  OCIRepository,
  Provider,
  Receiver,
} from './constructs';
export type {
  AlertProps,
  BucketProps,
  ControllerFlags,
  ControllerResources,
  ControllerSettings,
  ControllerToleration,
  ExistingGitSecretProps,
  ExternalArtifactProps,
  FluxController,
  FluxInstallProps,
  FluxReference,
  FluxResourceOptions,
  FluxResourceProps,
  FluxStackDefaultsProps,
  GitHttpsTokenSecretProps,
  GitHubAccessCheckProps,
  GitHubAppSecretProps,
  HttpsGitSecretProps,
  GitHubDeployKeyProps,
  GitRepositoryInclude,
  GitRepositoryProps,
  GitRepositorySpecRef,
  GitRepositoryVerify,
  HelmChartProps,
  HelmReleaseChart,
  HelmReleaseChartSpec,
  HelmReleaseProps,
  HelmRepositoryProps,
  IFluxObject,
  IGitCredentials,
  ImagePolicyProps,
  ImageRepositoryProps,
  ImageUpdateAutomationProps,
  InstallPatch,
  JsonPatchOperation,
  KubernetesBackendProps,
  KustomizationDecryption,
  KustomizationSpecHealthChecks,
  KustomizationSpecPatches,
  KustomizationSpecPostBuild,
  KustomizationProps,
  MultiTenancySettings,
  OCIRepositoryProps,
  PatchTarget,
  ProviderProps,
  ReceiverProps,
} from './constructs';

// The spec of every Flux kind, generated from its CRD (npm run generate), and the kinds' constants.
export * from './lib/flux-types';
export type { FluxKind } from './lib/flux-kind';

// The Flux install manifests and their lock.
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
// What a kind of an app's own (a FluxResource) states its rules with.
export { Problems } from './lib/rules';
export type { Check, Found } from './lib/shape';
export type { LockEntry, ManifestsSource } from './lib/manifests-lock';
