import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defaultKustomizations, EnvironmentSettings } from '../../settings';
import { GitHubDouble, startGitHubDouble } from '../support/github-api';
import { ChartRepository, startChartRepository } from './support/chart-repository';
import { Cluster, startCluster } from './support/cluster';
import { BOTH, deployProject, REPOSITORY, succeeded, TOKEN } from './support/deploy-project';
import { FluxKubelet, startFluxKubelet } from './support/flux-kubelet';
import { FixtureRepository, GitServer, startGitServer, TEAM_LAYOUT } from './support/git-server';
import { BINARIES, getJson, objectExists, TOOLCHAIN_CACHE } from './support/kubectl';
import { CdktfProject } from './support/project';
import { until } from './support/until';

// Helm as an environment declares it, end to end: a chart the test packages, served by a private
// Helm repository on loopback; the settings name it as a `helm` source with a token (so the sync
// stack writes TF_VAR_source_charts_token into the Secret the HelmRepository reads) and declare a
// HelmRelease of it that dependsOn the `apps` Kustomization (whose namespace the chart installs
// into); real source-controller fetches the index and the chart with that login, real
// helm-controller installs and upgrades the release. Beside it, a second repository as a `git`
// source with a deploy key the sync stack registers, applied by a Kustomization of its own.

const HELM_CONTROLLER = 'v1.6.3';

let cluster: Cluster;
let github: GitHubDouble;
let git: GitServer;
let charts: ChartRepository;
let kubelet: FluxKubelet;
let project: CdktfProject;
let workdir: string;
let settings: EnvironmentSettings;
const started = Date.now();

const json = (args: string[]) => getJson(cluster.kubeconfig, args);
const condition = (object: any, type = 'Ready') =>
  (object?.status?.conditions as any[] | undefined)?.find((c) => c.type === type);
const exists = (kind: string, name: string, namespace?: string) =>
  objectExists(cluster.kubeconfig, kind, name, namespace);
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

/** A chart of one ConfigMap, named after the release, holding the greeting of its values. */
const GREETER = {
  name: 'greeter',
  version: '0.1.0',
  values: 'greeting: from the chart\n',
  templates: {
    'configmap.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n' +
      '  greeting: {{ .Values.greeting | quote }}\n',
  },
};

const LOGIN = { username: 'flux', password: 'chart-reader-token' };
/** The platform team's repository, a source of its own with a deploy key of its own. */
const PLATFORM = 'mark-icy/platform';
const PLATFORM_LAYOUT = {
  'kustomization.yaml':
    'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - config.yaml\n',
  'config.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: platform-config\n  namespace: apps\ndata:\n  team: platform\n',
};

/**
 * The environment: the Helm repository and a release of the chart into `apps`, once `apps` is Ready;
 * the platform repository and its Kustomization.
 */
const withRelease = (greeting: string): EnvironmentSettings => ({
  ...settings,
  sources: [
    { type: 'helm', name: 'charts', url: charts.url, credentials: { type: 'token', username: LOGIN.username } },
    {
      type: 'git',
      name: 'platform',
      url: `ssh://git@127.0.0.1:${git.port}/${PLATFORM}`,
      credentials: { type: 'deploy-key' },
    },
  ],
  kustomizations: [
    ...defaultKustomizations('./apps/dev'),
    { name: 'platform', path: './', prune: true, source: 'platform', dependsOn: ['apps'] },
  ],
  helmReleases: [
    {
      name: 'greeter',
      source: 'charts',
      chart: 'greeter',
      version: '0.1.x',
      values: { greeting },
      targetNamespace: 'apps',
      dependsOn: ['apps'],
    },
  ],
});

/** The release helm-controller installed, as the HelmRelease's status records it (latest first). */
const release = () => json(['helmrelease', 'greeter', '-n', 'flux-system']);
// helm-controller names the release <targetNamespace>-<name>, and the chart names its ConfigMap after it.
const configMap = () => json(['configmap', 'apps-greeter', '-n', 'apps']);

describe(
  'Helm charts as data (a helm source with a token, helmReleases), with real helm-controller',
  { timeout: 1_200_000 },
  () => {
    before(async () => {
      workdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-e2e-helm-'));
      const stamp = join(TOOLCHAIN_CACHE, 'helm-controller', HELM_CONTROLLER, '.complete');
      if (existsSync(stamp))
        console.log(`# helm-controller ${HELM_CONTROLLER} ${readFileSync(stamp, 'utf8').trim()} (build.sh flux)`);
      cluster = await startCluster(join(workdir, 'cluster'), BINARIES);
      github = await startGitHubDouble({ token: TOKEN, repositories: [REPOSITORY, PLATFORM] });
      git = await startGitServer(join(workdir, 'git'), { url: github.url, token: TOKEN });
      new FixtureRepository(join(workdir, 'git'), REPOSITORY).commit('the team layout', TEAM_LAYOUT);
      new FixtureRepository(join(workdir, 'git'), PLATFORM).commit('the platform layout', PLATFORM_LAYOUT);
      charts = await startChartRepository([GREETER], LOGIN);
      kubelet = startFluxKubelet(cluster, 'flux-system', join(workdir, 'controllers'), {
        controllers: ['source-controller', 'kustomize-controller', 'helm-controller'],
      });
      settings = {
        name: 'dev',
        gitHost: { hostname: '127.0.0.1', sshPort: git.port, knownHosts: git.knownHosts, apiUrl: github.url },
      };
      ({ project } = await deployProject(workdir, settings, {
        GITHUB_TOKEN: TOKEN,
        TF_VAR_kubeconfig_path: cluster.kubeconfig,
        TF_VAR_source_charts_token: LOGIN.password,
      }));
    });
    after(async () => {
      await kubelet?.stop();
      await charts?.stop();
      await git?.stop();
      await cluster?.stop();
      await github?.stop();
      if (!process.env.CDKTF_FLUX_E2E_KEEP) rmSync(workdir, { recursive: true, force: true });
      console.log(`# helm.e2e.test.ts, start to end (what the file adds to the live suite): ${seconds(started)} s`);
    });

    test('npm run deploy installs the chart with the values given, after the Kustomization it dependsOn', async () => {
      succeeded(
        await project.use([withRelease('hello')]).npmDeploy(BOTH),
        'npm run deploy of both stacks, start to exit: the release installed and Ready',
        workdir,
      );
      assert.equal(kubelet.versions()['helm-controller'], HELM_CONTROLLER);
      // npm run deploy confirmed every Flux object Ready for its spec: nothing is left to wait for.
      const installed = release();
      assert.equal(condition(installed)?.status, 'True', JSON.stringify(installed.status));
      assert.equal(
        installed.status.lastHandledReconcileAt,
        installed.metadata.annotations['reconcile.fluxcd.io/requestedAt'],
      );
      assert.deepEqual(
        installed.status.history.map((h: any) => [h.name, h.namespace, h.chartName, h.chartVersion, h.version]),
        [['apps-greeter', 'apps', 'greeter', '0.1.0', 1]],
      );
      assert.equal(condition(json(['helmrepository', 'charts', '-n', 'flux-system']))?.status, 'True');
      assert.ok(
        charts.requests.includes('/index.yaml'),
        `source-controller never fetched the index: ${charts.requests}`,
      );
      assert.ok(charts.requests.includes('/greeter-0.1.0.tgz'), `nor the chart: ${charts.requests}`);
      assert.deepEqual(charts.refused, [], 'a request came without the login');
      const login = json(['secret', 'charts-credentials', '-n', 'flux-system']);
      assert.equal(Buffer.from(login.data.password, 'base64').toString(), LOGIN.password);
      // grep exits 1 when nothing matches: the token is in no synthesized file.
      const grep = spawnSync('grep', ['-rlF', LOGIN.password, join(project.dir, 'cdktf.out')]);
      assert.equal(grep.status, 1, `the token is in the synthesized output: ${grep.stdout}`);

      // The second repository, fetched with the deploy key the sync stack registered on it.
      const [key] = github.keys(PLATFORM);
      assert.equal(key?.title, 'Flux (dev-flux-sync, platform)');
      assert.equal(github.keys(PLATFORM).length, 1);
      const platformKey = json(['secret', 'platform-credentials', '-n', 'flux-system']);
      assert.equal(Buffer.from(platformKey.data['identity.pub'], 'base64').toString().trim(), key.key.trim());
      assert.equal(json(['configmap', 'platform-config', '-n', 'apps']).data.team, 'platform');

      const rendered = configMap();
      assert.deepEqual(rendered.data, { greeting: 'hello' });
      assert.equal(rendered.metadata.labels['helm.toolkit.fluxcd.io/name'], 'greeter');

      // The order: the HelmRelease was created, and became Ready, only after the Kustomization was Ready.
      const appsReady = Date.parse(condition(json(['kustomization', 'apps', '-n', 'flux-system'])).lastTransitionTime);
      const created = Date.parse(installed.metadata.creationTimestamp);
      const ready = Date.parse(condition(installed).lastTransitionTime);
      assert.ok(created >= appsReady, `HelmRelease created ${created}, before apps was Ready at ${appsReady}`);
      assert.ok(ready >= appsReady && ready >= created, `HelmRelease Ready at ${ready}, apps at ${appsReady}`);
      console.log(`# apps Ready to the HelmRelease Ready: ${(ready - appsReady) / 1000} s`);
    });

    test('a value changed through a redeploy upgrades the release in place', async () => {
      const uid = configMap().metadata.uid;
      succeeded(
        await project.use([withRelease('bonjour')]).npmDeploy(['dev-flux-sync']),
        'npm run deploy of the sync stack, another value',
        workdir,
      );
      const upgraded = release();
      assert.deepEqual(
        upgraded.status.history.map((h: any) => [h.version, h.status]),
        [
          [2, 'deployed'],
          [1, 'superseded'],
        ],
      );
      assert.deepEqual(configMap().data, { greeting: 'bonjour' });
      assert.equal(configMap().metadata.uid, uid, 'upgraded in place, not reinstalled');

      const diff = await project.diff('dev-flux-sync');
      succeeded(diff, 'diff after the upgrade', workdir);
      assert.match(diff.output, /No changes/);
    });

    test('destroying the sync stack uninstalls the release and clears the finalizers', async () => {
      succeeded(
        await project.use([withRelease('bonjour')]).destroy(['dev-flux-sync']),
        'destroy of the sync stack',
        workdir,
      );
      await until('the release uninstalled', () => !exists('configmap', 'apps-greeter', 'apps'), 60_000);
      assert.deepEqual(github.keys(PLATFORM), [], "the platform repository's deploy key is removed");
      assert.deepEqual(json(['helmreleases,helmcharts,helmrepositories', '-A']).items, [], 'finalizers cleared');
      await until('the Helm storage Secrets removed', () =>
        (json(['secrets', '-n', 'flux-system']).items as any[]).every((s) => s.type !== 'helm.sh/release.v1'),
      );
    });
  },
);
