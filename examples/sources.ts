// Where an environment's manifests come from, as the README shows it; the compiler checks this
// file, and a test checks that the README quotes it verbatim and what each synthesizes.
import { EnvironmentSettings } from 'cdktf-flux';

// OCI bootstrap: the cluster follows an artifact CI publishes with `flux push artifact`; the
// bootstrap stack makes no git access at all.
export const gitless: EnvironmentSettings = {
  name: 'edge',
  syncSource: { type: 'oci', url: 'oci://ghcr.io/my-org/fleet/edge', ref: { semver: '>=1.0.0' }, secretName: 'ghcr' },
};

// The team's repository, plus the platform team's repository and an artifact of shared policies;
// each Kustomization names the source it applies.
export const layered: EnvironmentSettings = {
  name: 'prod',
  githubOrg: 'my-org',
  githubRepository: 'fleet-infra',
  sources: [
    { type: 'git', name: 'platform', url: 'ssh://git@github.com/my-org/platform', credentials: { type: 'deploy-key' } },
    { type: 'oci', name: 'policies', url: 'oci://ghcr.io/my-org/policies', ref: { tag: 'stable' } },
  ],
  kustomizations: [
    { name: 'platform', path: './clusters/prod', prune: true, source: 'platform' },
    { name: 'policies', path: './', prune: true, source: 'policies', dependsOn: ['platform'] },
    { name: 'apps', path: './apps/prod', prune: true, dependsOn: ['policies'] },
  ],
};

// Charts as data: a Helm repository whose basic auth comes from TF_VAR_source_charts_token, and a
// release of it after the Kustomization that makes its namespace.
export const withCharts: EnvironmentSettings = {
  name: 'staging',
  githubOrg: 'my-org',
  githubRepository: 'fleet-infra',
  sources: [
    { type: 'helm', name: 'charts', url: 'https://charts.example.com', credentials: { type: 'token', username: 'ci' } },
  ],
  helmReleases: [
    {
      name: 'podinfo',
      source: 'charts',
      chart: 'podinfo',
      version: '6.x',
      targetNamespace: 'apps',
      dependsOn: ['apps'],
    },
  ],
};
