// How Flux authenticates to the repository, one environment per kind, as the README shows them; the
// compiler checks this file, and a test checks that the README quotes it verbatim and what each
// synthesizes.
import { EnvironmentSettings } from 'cdktf-flux';

const repository = { githubOrg: 'my-org', githubRepository: 'fleet-infra' };

// The default, as flux bootstrap does it: a key pair made at deploy, registered as a read-only deploy key.
export const deployKey: EnvironmentSettings = { name: 'deploy-key', ...repository };

// A GitHub App installed on the repository: source-controller mints a short-lived token for each
// fetch. The private key comes from TF_VAR_github_app_private_key; no deploy key, no GitHub token.
export const githubApp: EnvironmentSettings = {
  name: 'github-app',
  ...repository,
  gitAuth: { type: 'github-app', appId: 123456, installationId: 45678901 },
};

// The same App's keys in a Secret made outside Terraform (a secrets operator, or by hand).
export const githubAppSecret: EnvironmentSettings = {
  name: 'github-app-secret',
  ...repository,
  gitAuth: { type: 'github-app', secretName: 'flux-github-app' },
};

// A token over HTTPS, from TF_VAR_github_token, written into the Secret Flux reads.
export const httpsToken: EnvironmentSettings = { name: 'https-token', ...repository, gitAuth: { type: 'https-token' } };

// A Secret of your own with an SSH key (identity, known_hosts) or a username and password.
export const existingSecret: EnvironmentSettings = {
  name: 'existing-secret',
  ...repository,
  gitAuth: { type: 'existing-secret', secretName: 'git-credentials', transport: 'https' },
};
