// Environments as the README shows them; the compiler checks this file, and a test checks that
// the README quotes it verbatim.
import { defaultKustomizations, EnvironmentSettings } from 'cdktf-flux';

// A staging cluster of its own, with its own infrastructure overlay.
export const staging: EnvironmentSettings = {
  name: 'staging',
  kubeContext: 'staging',
  kustomizations: defaultKustomizations('./apps/staging', './infrastructure/staging'),
};

// Another team's layout altogether: monitoring first, then tenants, from a clusters/<env> entry point.
export const platform: EnvironmentSettings = {
  name: 'platform',
  kubeContext: 'platform',
  kustomizations: [
    { name: 'monitoring', path: './monitoring', interval: '30m', prune: true },
    { name: 'tenants', path: './tenants/platform', interval: '10m', prune: true, dependsOn: ['monitoring'] },
    { name: 'cluster', path: './clusters/platform/apps', prune: true, dependsOn: ['tenants'] },
  ],
};
