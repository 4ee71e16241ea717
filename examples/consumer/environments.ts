import { defaultKustomizations, EnvironmentSettings } from 'cdktf-flux';

// The repository Flux syncs from: every environment names its own, the library has none.
const repository = { githubOrg: 'my-org', githubRepository: 'fleet-infra' };

// A staging cluster with its own infrastructure overlay.
export const staging: EnvironmentSettings = {
  name: 'staging',
  ...repository,
  kubeContext: 'staging',
  kustomizations: defaultKustomizations('./apps/staging', './infrastructure/staging'),
};

// Production: an Ed25519 deploy key, and a deploy that waits for the source only.
export const production: EnvironmentSettings = {
  name: 'production',
  ...repository,
  kubeContext: 'production',
  gitAuth: { type: 'deploy-key', algorithm: 'ED25519' },
  syncWait: { waitFor: 'source' },
};
