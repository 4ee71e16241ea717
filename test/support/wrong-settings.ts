import { App, TerraformStack } from 'cdktf';
import {
  ExistingGitSecret,
  FluxInstall,
  FluxStackDefaults,
  GitRepository,
  KubernetesBackend,
  Kustomization,
} from '../../constructs';
import { FluxManifests } from '../../lib/flux-manifests';
import { FluxEnvironmentStacks } from '../../stacks';

// Mistakes real users make in an environment's settings and in what main.ts adds to its stacks,
// each with the setting (or prop) and the value a clear refusal must name. Settings may come from
// JSON or YAML, and props from a spread of shared defaults, so many are not even well-typed.

export interface WrongSetting {
  /** What the mistake is. */
  readonly mistake: string;
  /** The environments, as given (JSON-like; types are not to be trusted). */
  readonly settings: Record<string, unknown>[];
  /** What main.ts adds to the last environment's stacks, when the mistake is there. */
  readonly build?: (stacks: FluxEnvironmentStacks, app: App) => void;
  /** Environment variables synth runs with, such as TERRAFORM_BINARY_NAME. */
  readonly env?: Record<string, string>;
  /** The setting a clear message names, such as `gitAuth.type`. */
  readonly setting: string;
  /** The value a clear message repeats. */
  readonly value: string;
  /** What else a clear message says, such as what is allowed. */
  readonly says?: string;
}

const dev = [{ name: 'dev' }];
const layout = (...kustomizations: Record<string, unknown>[]) => env({ kustomizations });
const httpsToken = new ExistingGitSecret({ secretName: 'git-token', namespace: 'flux-system', transport: 'https' });

const env = (extra: Record<string, unknown>) => [{ name: 'dev', ...extra }];
const install = (extra: Record<string, unknown>) => env({ install: extra });
const backend = (extra: Record<string, unknown>) => env({ backend: extra });
const host = (extra: Record<string, unknown>) =>
  env({
    gitHost: {
      hostname: 'git.example.com',
      knownHosts: 'git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl',
      ...extra,
    },
  });

export const WRONG_SETTINGS: WrongSetting[] = [
  // Misspelt or unknown settings and types
  {
    mistake: 'a misspelt setting',
    settings: env({ fluxVerison: 'v2.9.4' }),
    setting: 'fluxVerison',
    value: 'fluxVerison',
  },
  {
    mistake: 'a misspelt install option',
    settings: install({ logLvl: 'debug' }),
    setting: 'install.logLvl',
    value: 'logLvl',
  },
  { mistake: 'an unknown backend type', settings: backend({ type: 'sftp' }), setting: 'backend.type', value: 'sftp' },
  {
    mistake: 'an unknown auth type',
    settings: env({ gitAuth: { type: 'password' } }),
    setting: 'gitAuth.type',
    value: 'password',
  },
  {
    mistake: 'a misspelt key in gitAuth',
    settings: env({ gitAuth: { type: 'deploy-key', readonly: false } }),
    setting: 'gitAuth.readonly',
    value: 'readonly',
  },
  {
    mistake: 'an s3 setting on a gcs backend',
    settings: backend({ type: 'gcs', bucket: 'b', region: 'eu' }),
    setting: 'backend.region',
    value: 'region',
  },
  { mistake: 'a misspelt key in gitHost', settings: host({ port: 2222 }), setting: 'gitHost.port', value: 'port' },
  {
    mistake: 'a key algorithm GitHub does not take here',
    settings: env({ gitAuth: { type: 'deploy-key', algorithm: 'DSA' } }),
    setting: 'gitAuth.algorithm',
    value: 'DSA',
  },
  {
    mistake: 'readOnly as a string',
    settings: env({ gitAuth: { type: 'deploy-key', readOnly: 'false' } }),
    setting: 'gitAuth.readOnly',
    value: 'false',
  },
  {
    mistake: 'an existing-secret transport that is not ssh or https',
    settings: env({ gitAuth: { type: 'existing-secret', secretName: 's', transport: 'git' } }),
    setting: 'gitAuth.transport',
    value: 'git',
  },
  {
    mistake: 'a GitHub App id as a string',
    settings: env({ gitAuth: { type: 'github-app', appId: '123456', installationId: 42 } }),
    setting: 'gitAuth.appId',
    value: '123456',
    says: 'give the number GitHub shows',
  },
  {
    mistake: 'a GitHub App without its installation',
    settings: env({ gitAuth: { type: 'github-app', appId: 123456 } }),
    setting: 'gitAuth',
    value: 'installationId',
    says: 'TF_VAR_github_app_private_key',
  },
  {
    mistake: "a GitHub App's Secret and its ids together",
    settings: env({ gitAuth: { type: 'github-app', appId: 1, installationId: 2, secretName: 'app' } }),
    setting: 'gitAuth.secretName',
    value: 'app',
    says: 'not both',
  },
  {
    mistake: 'an OCI sync source that is not an oci:// URL',
    settings: env({ syncSource: { type: 'oci', url: 'https://registry.example.com/fleet' } }),
    setting: 'syncSource.url',
    value: 'https://registry.example.com/fleet',
    says: 'oci://<registry>/<repository>',
  },
  {
    mistake: 'a source of an unknown type',
    settings: env({ sources: [{ type: 'helm-chart', name: 'charts', url: 'https://charts.example.com' }] }),
    setting: 'sources[0].type',
    value: 'helm-chart',
    says: 'git, oci',
  },
  {
    mistake: 'a CA certificate that is not PEM',
    settings: env({ gitHost: { hostname: 'git.example.com', caCert: 'MIIBkTCB+wIJ', knownHosts: 'x' } }),
    setting: 'gitHost.caCert',
    value: 'MIIBkTCB+wIJ',
    says: '-----BEGIN CERTIFICATE-----',
  },
  {
    mistake: 'an https port out of range',
    settings: env({ gitHost: { hostname: 'git.example.com', httpsPort: 70000, knownHosts: 'x' } }),
    setting: 'gitHost.httpsPort',
    value: '70000',
    says: 'port number from 1 to 65535',
  },
  { mistake: 'adopt as a string', settings: env({ adopt: 'yes' }), setting: 'adopt', value: 'yes' },
  { mistake: 'encryptState as a number', settings: env({ encryptState: 1 }), setting: 'encryptState', value: '1' },
  {
    mistake: 'a log level Flux does not have',
    settings: install({ logLevel: 'verbose' }),
    setting: 'install.logLevel',
    value: 'verbose',
  },
  {
    mistake: 'networkPolicy as a string',
    settings: install({ networkPolicy: 'false' }),
    setting: 'install.networkPolicy',
    value: 'false',
  },
  {
    mistake: 'components as a comma-separated string',
    settings: install({ components: 'source-controller,kustomize-controller' }),
    setting: 'install.components',
    value: 'source-controller,kustomize-controller',
  },
  {
    mistake: 'a component that does not exist',
    settings: install({ components: ['source-controller', 'kustomize-controlr'] }),
    setting: 'install.components',
    value: 'kustomize-controlr',
  },
  {
    mistake: 'an extra component that does not exist',
    settings: install({ componentsExtra: ['image-updater'] }),
    setting: 'install.componentsExtra',
    value: 'image-updater',
  },
  {
    mistake: 'a settings object that is not an object',
    settings: ['dev' as unknown as Record<string, unknown>],
    setting: 'environment',
    value: 'dev',
  },
  { mistake: 'no name', settings: [{ fluxVersion: 'v2.9.4' }], setting: 'name', value: 'undefined' },
  // Names Kubernetes, Flux, Terraform backends or GitHub would refuse
  { mistake: 'an environment name with upper case', settings: [{ name: 'Dev' }], setting: 'name', value: 'Dev' },
  { mistake: 'an environment name with a space', settings: [{ name: 'my env' }], setting: 'name', value: 'my env' },
  {
    mistake: 'an environment name with an underscore',
    settings: [{ name: 'dev_1' }],
    setting: 'name',
    value: 'dev_1',
    says: 'lower-case letters',
  },
  {
    mistake: 'an environment name too long for the state Secret',
    settings: [{ name: 'a'.repeat(60) }],
    setting: 'name',
    value: 'a'.repeat(60),
  },
  { mistake: 'an empty environment name', settings: [{ name: '' }], setting: 'name', value: '""' },
  {
    mistake: 'an install namespace with upper case',
    settings: install({ namespace: 'Flux' }),
    setting: 'install.namespace',
    value: 'Flux',
    says: 'lower-case letters',
  },
  {
    mistake: 'an install namespace that exists on every cluster',
    settings: install({ namespace: 'kube-system' }),
    setting: 'install.namespace',
    value: 'kube-system',
  },
  {
    mistake: 'the default namespace as install namespace',
    settings: install({ namespace: 'default' }),
    setting: 'install.namespace',
    value: 'default',
  },
  {
    mistake: 'an image pull secret that is not a Secret name',
    settings: install({ imagePullSecret: 'Reg Cred' }),
    setting: 'install.imagePullSecret',
    value: 'Reg Cred',
    says: 'starting and ending with a letter or digit',
  },
  {
    mistake: 'a registry with a scheme',
    settings: install({ registry: 'https://registry.example.com/fluxcd' }),
    setting: 'install.registry',
    value: 'https://registry.example.com/fluxcd',
  },
  {
    mistake: 'a registry with upper case',
    settings: install({ registry: 'Registry.example.com/FluxCD' }),
    setting: 'install.registry',
    value: 'Registry.example.com/FluxCD',
  },
  {
    mistake: 'a registry with a trailing slash',
    settings: install({ registry: 'registry.example.com/fluxcd/' }),
    setting: 'install.registry',
    value: 'registry.example.com/fluxcd/',
  },
  {
    mistake: 'a toleration key with a space',
    settings: install({ tolerationKeys: ['dedicated node'] }),
    setting: 'install.tolerationKeys',
    value: 'dedicated node',
    says: 'at most 63',
  },
  {
    mistake: 'a toleration key as a string',
    settings: install({ tolerationKeys: 'dedicated' }),
    setting: 'install.tolerationKeys',
    value: 'dedicated',
  },
  {
    mistake: 'a cluster domain with a scheme',
    settings: install({ clusterDomain: 'https://cluster.local' }),
    setting: 'install.clusterDomain',
    value: 'https://cluster.local',
  },
  {
    mistake: 'an existing Secret name with a slash',
    settings: env({ gitAuth: { type: 'existing-secret', secretName: 'flux-system/git' } }),
    setting: 'gitAuth.secretName',
    value: 'flux-system/git',
    says: 'lower-case letters',
  },
  {
    mistake: 'an existing Secret without a name',
    settings: env({ gitAuth: { type: 'existing-secret' } }),
    setting: 'gitAuth.secretName',
    value: 'undefined',
  },
  {
    mistake: 'an owner with a slash',
    settings: env({ githubOrg: 'mark-icy/infra-new' }),
    setting: 'githubOrg',
    value: 'mark-icy/infra-new',
    says: 'single "-"',
  },
  {
    mistake: 'an owner given as a URL',
    settings: env({ githubOrg: 'https://github.com/mark-icy' }),
    setting: 'githubOrg',
    value: 'https://github.com/mark-icy',
  },
  {
    mistake: 'a repository with its owner',
    settings: env({ githubRepository: 'mark-icy/infra-new' }),
    setting: 'githubRepository',
    value: 'mark-icy/infra-new',
    says: 'at most 100',
  },
  {
    mistake: 'a repository given as a clone URL',
    settings: env({ githubRepository: 'git@github.com:mark-icy/infra-new.git' }),
    setting: 'githubRepository',
    value: 'git@github.com:mark-icy/infra-new.git',
  },
  {
    mistake: 'a repository with a space',
    settings: env({ githubRepository: 'infra new' }),
    setting: 'githubRepository',
    value: 'infra new',
  },
  {
    mistake: 'a Flux version without the v',
    settings: env({ fluxVersion: '2.9.4' }),
    setting: 'fluxVersion',
    value: '2.9.4',
  },
  {
    mistake: 'a Flux version "latest"',
    settings: env({ fluxVersion: 'latest' }),
    setting: 'fluxVersion',
    value: 'latest',
  },
  // Combinations that cannot work
  {
    mistake: 'no source-controller, which the GitRepository needs',
    settings: install({ components: ['kustomize-controller'] }),
    setting: 'install.components',
    value: 'source-controller',
  },
  {
    mistake: 'no kustomize-controller, which the Kustomizations need',
    settings: install({ components: ['source-controller'] }),
    setting: 'install.components',
    value: 'kustomize-controller',
  },
  {
    mistake: 'two environments with one name',
    settings: [{ name: 'dev' }, { name: 'dev', kubeContext: 'other' }],
    setting: 'name',
    value: 'dev',
  },
  {
    mistake: 'two environments on one cluster context',
    settings: [{ name: 'dev' }, { name: 'staging' }],
    setting: 'kubeContext',
    value: '~/.kube/config',
  },
  {
    mistake: 'an API URL over plain http',
    settings: host({ apiUrl: 'http://github.example.com/' }),
    setting: 'gitHost.apiUrl',
    value: 'http://github.example.com/',
  },
  {
    mistake: 'an API URL that is not a URL',
    settings: host({ apiUrl: 'github.example.com' }),
    setting: 'gitHost.apiUrl',
    value: 'github.example.com',
  },
  {
    mistake: 'an SSH host without known_hosts',
    settings: env({ gitHost: { hostname: 'git.example.com' } }),
    setting: 'gitHost.knownHosts',
    value: 'git.example.com',
  },
  {
    mistake: 'a git host name with a scheme',
    settings: host({ hostname: 'https://git.example.com' }),
    setting: 'gitHost.hostname',
    value: 'https://git.example.com',
    says: 'lower-case letters',
  },
  {
    mistake: 'an SSH port out of range',
    settings: host({ sshPort: 70000 }),
    setting: 'gitHost.sshPort',
    value: '70000',
  },
  { mistake: 'an SSH port as a string', settings: host({ sshPort: '22' }), setting: 'gitHost.sshPort', value: '22' },
  {
    mistake: 'a kubernetes backend in the Flux namespace',
    settings: backend({ type: 'kubernetes', namespace: 'flux-system' }),
    setting: 'backend.namespace',
    value: 'flux-system',
  },
  {
    mistake: 'an s3 backend without a bucket',
    settings: backend({ type: 's3', region: 'eu-west-1' }),
    setting: 'backend.bucket',
    value: 'undefined',
  },
  {
    mistake: 'an s3 bucket name with upper case',
    settings: backend({ type: 's3', bucket: 'My_Bucket', region: 'eu-west-1' }),
    setting: 'backend.bucket',
    value: 'My_Bucket',
    says: 'starting and ending with a letter or digit',
  },
  {
    mistake: 'a kubernetes backend namespace with upper case',
    settings: backend({ type: 'kubernetes', namespace: 'Kube_System' }),
    setting: 'backend.namespace',
    value: 'Kube_System',
    says: 'lower-case letters, digits and "-"',
  },
  {
    mistake: 'a remote backend without an organization',
    settings: backend({ type: 'remote' }),
    setting: 'backend.organization',
    value: 'undefined',
  },
  // Values the schema allows but Flux never does what is meant
  { mistake: 'an empty branch', settings: env({ branch: '' }), setting: 'branch', value: '""' },
  {
    mistake: 'a branch with a space',
    settings: env({ branch: 'release 1' }),
    setting: 'branch',
    value: 'release 1',
    says: 'without spaces',
  },
  {
    mistake: 'a branch given as a ref',
    settings: env({ branch: 'refs/heads/main' }),
    setting: 'branch',
    value: 'refs/heads/main',
  },
  {
    mistake: 'an absolute apps path',
    settings: env({ appsPath: '/apps/dev' }),
    setting: 'appsPath',
    value: '/apps/dev',
  },
  {
    mistake: 'an apps path leaving the repository',
    settings: env({ appsPath: '../apps/dev' }),
    setting: 'appsPath',
    value: '../apps/dev',
  },
  {
    mistake: 'an absolute cluster path',
    settings: env({ clusterPath: '/clusters/dev' }),
    setting: 'clusterPath',
    value: '/clusters/dev',
  },
  {
    mistake: 'an empty kubeconfig path',
    settings: env({ kubeconfigPath: '' }),
    setting: 'kubeconfigPath',
    value: '""',
  },
  {
    mistake: 'a manifests path that does not exist',
    settings: env({ manifestsPath: '/nonexistent/gotk-components.yaml' }),
    setting: 'manifestsPath',
    value: '/nonexistent/gotk-components.yaml',
  },
  // Construct props, as main.ts passes them: a spread of shared defaults, values read from JSON
  {
    mistake: 'a Kustomization prop misspelt in shared defaults spread into it',
    settings: dev,
    build: ({ sync }) => {
      const shared = { prune: true, retryIntervall: '2m' };
      new Kustomization(sync, 'monitoring', { sourceRef: sync.source, path: './monitoring', ...shared });
    },
    setting: 'retryIntervall',
    value: '2m',
    says: 'did you mean retryInterval?',
  },
  {
    mistake: 'a GitRepository prop misspelt in shared defaults spread into it',
    settings: dev,
    build: ({ sync }) => {
      const shared = { intervall: '5m' };
      new GitRepository(sync, 'shared', { url: 'https://github.com/mark-icy/shared', ...shared });
    },
    setting: 'intervall',
    value: '5m',
    says: 'did you mean interval?',
  },
  {
    mistake: 'prune as a string, read from JSON',
    settings: dev,
    build: ({ sync }) =>
      new Kustomization(sync, 'monitoring', { sourceRef: sync.source, ...JSON.parse('{"prune": "false"}') }),
    setting: 'prune',
    value: 'false',
    says: 'true or false',
  },
  {
    mistake: 'healthChecks as one object instead of a list',
    settings: layout({ name: 'apps', prune: true, healthChecks: { kind: 'Deployment', name: 'web' } }),
    setting: 'healthChecks',
    value: 'web',
    says: 'must be a list',
  },
  {
    mistake: 'sparseCheckout as a string instead of a list',
    settings: dev,
    build: ({ sync }) =>
      new GitRepository(sync, 'shared', { url: 'https://github.com/mark-icy/shared', sparseCheckout: 'apps' as never }),
    setting: 'sparseCheckout',
    value: 'apps',
    says: 'list of strings',
  },
  {
    mistake: 'a misspelt key inside postBuild',
    settings: layout({ name: 'apps', prune: true, postBuild: { substitue: { cluster: 'dev' } } }),
    setting: 'postBuild.substitue',
    value: 'cluster',
    says: 'did you mean substitute?',
  },
  {
    mistake: 'a misspelt install option given to FluxInstall',
    settings: dev,
    build: ({ sync }, app) => {
      const manifests = FluxStackDefaults.of(sync)?.manifests as FluxManifests;
      new FluxInstall(new TerraformStack(app, 'second-flux'), 'flux', { manifests, ...{ networkPolicies: false } });
    },
    setting: 'networkPolicies',
    value: 'false',
    says: 'did you mean networkPolicy?',
  },
  // dependsOn holding what is not a Kustomization
  {
    mistake: 'a source in dependsOn',
    settings: dev,
    build: ({ sync }) =>
      new Kustomization(sync, 'monitoring', {
        sourceRef: sync.source,
        prune: true,
        dependsOn: [sync.source as never],
      }),
    setting: 'dependsOn',
    value: 'GitRepository flux-system/flux-system',
    says: 'is not a Kustomization',
  },
  {
    mistake: 'a source given to addDependsOn',
    settings: dev,
    build: ({ sync }) => sync.kustomizations.get('apps')?.addDependsOn(sync.source as never),
    setting: 'dependsOn',
    value: 'GitRepository flux-system/flux-system',
    says: 'is not a Kustomization',
  },
  // Values the CRDs accept and Flux refuses when it reconciles
  {
    mistake: 'a Kustomization name longer than a label value',
    settings: layout({ name: `apps-${'x'.repeat(60)}`, prune: true }),
    setting: 'name',
    value: `apps-${'x'.repeat(60)}`,
    says: 'at most 63 characters: Flux writes it into the label kustomize.toolkit.fluxcd.io/name',
  },
  {
    mistake: 'a postBuild variable name with a dash',
    settings: layout({ name: 'apps', prune: true, postBuild: { substitute: { 'cluster-name': 'dev' } } }),
    setting: 'postBuild.substitute',
    value: 'cluster-name',
    says: 'starting with a letter or "_"',
  },
  {
    mistake: 'an empty branch on a GitRepository',
    settings: dev,
    build: ({ sync }) =>
      new GitRepository(sync, 'shared', { url: 'https://github.com/mark-icy/shared', ref: { branch: '' } }),
    setting: 'ref.branch',
    value: '""',
    says: 'not empty',
  },
  {
    mistake: 'a zero Kustomization interval',
    settings: layout({ name: 'apps', prune: true, interval: '0s' }),
    setting: 'interval',
    value: '0s',
    says: 'positive interval',
  },
  {
    mistake: 'a zero GitRepository interval',
    settings: dev,
    build: ({ sync }) =>
      new GitRepository(sync, 'shared', { url: 'https://github.com/mark-icy/shared', interval: '0m' }),
    setting: 'interval',
    value: '0m',
    says: 'positive interval',
  },
  {
    mistake: 'a token over plain http',
    settings: dev,
    build: ({ sync }) =>
      new GitRepository(sync, 'mirror', { url: 'http://git.example.com/mark-icy/infra-new', secretRef: httpsToken }),
    setting: 'url',
    value: 'http://git.example.com/mark-icy/infra-new',
    says: 'use the https:// URL',
  },
  // Flux objects in the stack that installs their CRDs
  {
    mistake: 'a Kustomization added to the bootstrap stack',
    settings: dev,
    build: ({ bootstrap, sync }) => new Kustomization(bootstrap, 'monitoring', { sourceRef: sync.source, prune: true }),
    setting: 'monitoring',
    value: 'dev-flux-bootstrap',
    says: 'Add it to the sync stack',
  },
  {
    mistake: 'a GitRepository added to the bootstrap stack',
    settings: dev,
    build: ({ bootstrap }) => new GitRepository(bootstrap, 'shared', { url: 'https://github.com/mark-icy/shared' }),
    setting: 'shared',
    value: 'dev-flux-bootstrap',
    says: 'Add it to the sync stack',
  },
  // Customising the install
  {
    mistake: 'a misspelt controller',
    settings: install({ controllers: { 'kustomise-controller': { flags: { concurrent: 8 } } } }),
    setting: 'install.controllers.kustomise-controller',
    value: 'kustomise-controller',
    says: 'did you mean kustomize-controller?',
  },
  {
    mistake: 'settings for a controller that is not installed',
    settings: install({ controllers: { 'image-automation-controller': { flags: { concurrent: 2 } } } }),
    setting: 'controllers.image-automation-controller',
    value: 'image-automation-controller',
    says: 'add it to componentsExtra',
  },
  {
    mistake: 'concurrent as a string',
    settings: install({ controllers: { 'kustomize-controller': { flags: { concurrent: '20' } } } }),
    setting: 'install.controllers.kustomize-controller.flags.concurrent',
    value: '"20"',
  },
  {
    mistake: 'a requeue interval in words',
    settings: install({ controllers: { 'helm-controller': { flags: { requeueDependency: '5 seconds' } } } }),
    setting: 'install.controllers.helm-controller.flags.requeueDependency',
    value: '5 seconds',
    says: 'Go syntax',
  },
  {
    mistake: 'a flag the controller version does not take',
    settings: install({ controllers: { 'source-controller': { flags: { other: { 'no-remote-bases': true } } } } }),
    setting: 'controllers.source-controller.flags.other.no-remote-bases',
    value: 'no-remote-bases',
    says: 'source-controller v1.9.4 has no flag',
  },
  {
    mistake: 'a flag given with its dashes',
    settings: install({ controllers: { 'source-controller': { flags: { other: { '--concurrent': 2 } } } } }),
    setting: 'install.controllers.source-controller.flags.other.--concurrent',
    value: '--concurrent',
    says: 'without "--"',
  },
  {
    mistake: 'a memory limit that is not a quantity',
    settings: install({ controllers: { 'source-controller': { resources: { limits: { memory: '2GB RAM' } } } } }),
    setting: 'install.controllers.source-controller.resources.limits.memory',
    value: '2GB RAM',
    says: 'is not a quantity',
  },
  {
    mistake: 'a toleration effect Kubernetes does not have',
    settings: install({ controllers: { 'helm-controller': { tolerations: [{ key: 'a', effect: 'NoSchedul' }] } } }),
    setting: 'install.controllers.helm-controller.tolerations[0].effect',
    value: 'NoSchedul',
  },
  {
    mistake: 'a pod label value as a boolean (AKS workload identity)',
    settings: install({ controllers: { 'source-controller': { podLabels: { 'azure.workload.identity/use': true } } } }),
    setting: 'podLabels["azure.workload.identity/use"]',
    value: 'true',
    says: 'must be a string',
  },
  {
    mistake: 'a service account annotation key with a space',
    settings: install({ controllers: { 'source-controller': { serviceAccountAnnotations: { 'role arn': 'x' } } } }),
    setting: 'install.controllers.source-controller.serviceAccountAnnotations',
    value: 'role arn',
  },
  {
    mistake: 'a multiTenancy service account that is not a name',
    settings: install({ multiTenancy: { defaultServiceAccount: 'Tenant SA' } }),
    setting: 'install.multiTenancy.defaultServiceAccount',
    value: 'Tenant SA',
  },
  {
    mistake: 'a patch whose target selects nothing',
    settings: install({
      patches: [{ patch: { spec: { replicas: 2 } }, target: { kind: 'Deployment', name: 'helm' } }],
    }),
    setting: 'patches[0]',
    value: 'name helm',
    says: 'selects no object of the install',
  },
  {
    mistake: 'a JSON patch whose path does not exist',
    settings: install({
      patches: [
        {
          patch: '- op: replace\n  path: /spec/template/spec/containers/1/args/0\n  value: --concurrent=20\n',
          target: { kind: 'Deployment', name: 'kustomize-controller' },
        },
      ],
    }),
    setting: 'patches[0]',
    value: '/spec/template/spec/containers/1/args/0',
    says: 'does not exist',
  },
  {
    mistake: 'a patch that breaks what the API server accepts',
    settings: install({
      patches: [
        {
          patch: {
            spec: {
              template: { spec: { containers: [{ name: 'manager', resources: { requests: { cpu: 'lots' } } }] } },
            },
          },
          target: { kind: 'Deployment', name: 'kustomize-controller' },
        },
      ],
    }),
    setting: 'patches[0]',
    value: 'lots',
    says: 'is not a quantity',
  },
  {
    mistake: 'a patch target with a misspelt key',
    settings: install({ patches: [{ patch: { spec: {} }, target: { kind: 'Deployment', labelSelctor: 'a=b' } }] }),
    setting: 'install.patches[0].target.labelSelctor',
    value: 'labelSelctor',
    says: 'did you mean labelSelector?',
  },
  // State that the binary or the backend cannot keep
  {
    mistake: 'state encryption with Terraform as the binary',
    settings: env({ encryptState: true }),
    env: { TERRAFORM_BINARY_NAME: 'terraform' },
    setting: 'encryptState',
    value: 'terraform',
    says: 'TERRAFORM_BINARY_NAME=tofu',
  },
  {
    mistake: 'state encryption with Terraform by its path',
    settings: env({ encryptState: true }),
    env: { TERRAFORM_BINARY_NAME: '/usr/local/bin/terraform' },
    setting: 'encryptState',
    value: '/usr/local/bin/terraform',
    says: 'needs OpenTofu',
  },
  {
    mistake: 'a kubernetes backend secret suffix ending in -<number>',
    settings: dev,
    build: (_, app) => new KubernetesBackend(new TerraformStack(app, 'extra'), { secretSuffix: 'state-2' }),
    setting: 'secretSuffix',
    value: 'state-2',
    says: 'appends -<n> itself',
  },
];
