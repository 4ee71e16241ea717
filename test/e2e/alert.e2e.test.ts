import assert from 'node:assert/strict';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EnvironmentSettings } from '../../settings';
import { GitHubDouble, startGitHubDouble } from '../support/github-api';
import { NotificationObjects } from './support/app';
import { Cluster, startCluster } from './support/cluster';
import { BOTH, deployProject, REPOSITORY, succeeded, TOKEN } from './support/deploy-project';
import { CONTROLLER_STAND_INS, FluxKubelet, startFluxKubelet } from './support/flux-kubelet';
import { FixtureRepository, GitServer, startGitServer, TEAM_LAYOUT } from './support/git-server';
import { BINARIES, getJson, TOOLCHAIN_CACHE } from './support/kubectl';
import { CdktfProject } from './support/project';
import { until } from './support/until';

// Alerts through the constructs, end to end: the sync stack deploys a generic webhook Provider to an
// HTTP server of this test on loopback, an Alert of eventSeverity error on the environment's
// Kustomizations, and a Receiver of its GitRepository. Real notification-controller runs beside
// source- and kustomize-controller, which send it their events. A commit breaks the Kustomization
// `apps`; a POST to the Receiver's webhook has Flux fetch it at once; kustomize-controller fails,
// and the webhook receives notification-controller's event naming `apps` and why. At Flux v2.8.8,
// then again after upgrading to v2.9.4; destroying the sync stack then leaves none of them.

const NOTIFICATION_CONTROLLER: Record<string, string> = { 'v2.8.8': 'v1.8.4', 'v2.9.4': 'v1.9.3' };

/** An event as notification-controller's generic provider posts it (Flux's event API). */
interface FluxEvent {
  readonly involvedObject: { kind: string; name: string; namespace: string };
  readonly severity: string;
  readonly reason: string;
  readonly message: string;
  readonly reportingController: string;
  readonly metadata?: Record<string, string>;
}

/** An HTTP server on loopback that keeps every JSON body posted to it. */
async function startWebhook(): Promise<{ url: string; events: FluxEvent[]; stop: () => Promise<void> }> {
  const events: FluxEvent[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      try {
        events.push(JSON.parse(body) as FluxEvent);
      } catch {
        // Not an event; notification-controller posts only JSON.
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/flux`,
    events,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let cluster: Cluster;
let github: GitHubDouble;
let git: GitServer;
let repository: FixtureRepository;
let webhook: Awaited<ReturnType<typeof startWebhook>>;
let kubelet: FluxKubelet;
let project: CdktfProject;
let workdir: string;
let settings: EnvironmentSettings;
let notify: NotificationObjects;
const started = Date.now();

const json = (args: string[]) => getJson(cluster.kubeconfig, args);
const condition = (object: any, type = 'Ready') =>
  (object?.status?.conditions as any[] | undefined)?.find((c) => c.type === type);
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
const gitRepository = () => json(['gitrepository', 'flux-system', '-n', 'flux-system']);

/**
 * POSTs to the Receiver's webhook, as a git host announces a push; returns the status code once
 * source-controller has handled the reconcile request notification-controller made of it.
 */
async function announcePush(): Promise<number> {
  const path = json(['receiver', 'push', '-n', 'flux-system']).status.webhookPath as string;
  const before = gitRepository().metadata.annotations?.[REQUESTED_AT];
  const response = await fetch(`${kubelet.receiverUrl()}${path}`, { method: 'POST', body: '{}' });
  if (response.status === 200)
    await until('the GitRepository reconciled at the request of the Receiver', () => {
      const { metadata, status } = gitRepository();
      const request = metadata.annotations?.[REQUESTED_AT];
      return request !== before && status?.lastHandledReconcileAt === request;
    });
  return response.status;
}

/** Commits an `apps/dev` that lists a file it lacks; waits for the webhook's event naming it. */
async function breakApps(missing: string): Promise<FluxEvent> {
  const since = Date.now();
  const revision = repository.commit(`apps lists ${missing}, which it lacks`, {
    'apps/dev/kustomization.yaml':
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n' +
      `  - namespace.yaml\n  - config.yaml\n  - extra.yaml\n  - ${missing}\n`,
  });
  assert.equal(await announcePush(), 200, 'the Receiver accepts the push');
  const event = await until(
    `an event of apps naming ${missing}`,
    () => webhook.events.find((e) => e.involvedObject.name === 'apps' && e.message.includes(missing)),
    120_000,
  );
  console.log(`# commit to the webhook's event: ${seconds(since)} s (${event.reason}: ${event.message})`);
  assert.deepEqual(
    [event.involvedObject.kind, event.involvedObject.namespace, event.severity, event.reportingController],
    ['Kustomization', 'flux-system', 'error', 'kustomize-controller'],
  );
  assert.equal(event.reason, 'BuildFailed');
  assert.ok(
    Object.values(event.metadata ?? {}).some((v) => v.includes(revision)),
    `the event names the broken revision ${revision}: ${JSON.stringify(event.metadata)}`,
  );
  assert.ok(
    webhook.events.every((e) => e.severity === 'error'),
    `eventSeverity error lets only errors through: ${webhook.events.map((e) => e.severity)}`,
  );
  return event;
}

/** Puts `apps/dev` back and waits for `apps` to be Ready at that commit. */
async function repairApps(): Promise<void> {
  const revision = repository.commit('apps as it was', {
    'apps/dev/kustomization.yaml': TEAM_LAYOUT['apps/dev/kustomization.yaml'],
  });
  assert.equal(await announcePush(), 200);
  await until('apps Ready at the repaired revision', () => {
    const apps = json(['kustomization', 'apps', '-n', 'flux-system']);
    return condition(apps)?.status === 'True' && String(apps.status.lastAppliedRevision).includes(revision);
  });
}

describe('Alerts through Provider and Alert, with real notification-controller', { timeout: 1_200_000 }, () => {
  before(async () => {
    workdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-e2e-alert-'));
    for (const version of Object.values(NOTIFICATION_CONTROLLER)) {
      const built = CONTROLLER_STAND_INS[`notification-controller:${version}`] ?? version;
      const stamp = join(TOOLCHAIN_CACHE, 'notification-controller', built, '.complete');
      if (existsSync(stamp))
        console.log(`# notification-controller ${built} ${readFileSync(stamp, 'utf8').trim()} (build.sh flux)`);
    }
    cluster = await startCluster(join(workdir, 'cluster'), BINARIES);
    github = await startGitHubDouble({ token: TOKEN, repositories: [REPOSITORY] });
    git = await startGitServer(join(workdir, 'git'), { url: github.url, token: TOKEN });
    repository = new FixtureRepository(join(workdir, 'git'), REPOSITORY);
    repository.commit('the team layout', TEAM_LAYOUT);
    webhook = await startWebhook();
    kubelet = startFluxKubelet(cluster, 'flux-system', join(workdir, 'controllers'), {
      controllers: ['source-controller', 'kustomize-controller', 'notification-controller'],
    });
    settings = {
      name: 'dev',
      gitHost: { hostname: '127.0.0.1', sshPort: git.port, knownHosts: git.knownHosts, apiUrl: github.url },
    };
    notify = { address: webhook.url, eventSeverity: 'error', receiverToken: 'e2e-receiver-token' };
    ({ project } = await deployProject(workdir, settings, {
      GITHUB_TOKEN: TOKEN,
      TF_VAR_kubeconfig_path: cluster.kubeconfig,
    }));
  });
  after(async () => {
    await kubelet?.stop();
    await webhook?.stop();
    await git?.stop();
    await cluster?.stop();
    await github?.stop();
    if (!process.env.CDKTF_FLUX_E2E_KEEP) rmSync(workdir, { recursive: true, force: true });
    console.log(`# alert.e2e.test.ts, start to end (what the file adds to the live suite): ${seconds(started)} s`);
  });

  for (const fluxVersion of ['v2.8.8', 'v2.9.4']) {
    test(`at Flux ${fluxVersion}, a failing Kustomization reaches the webhook through the Alert`, async () => {
      succeeded(
        await project
          .use([{ ...settings, fluxVersion }])
          .withNotifications(notify)
          .npmDeploy(BOTH),
        `npm run deploy of both stacks at ${fluxVersion}: every Kustomization and the Receiver Ready`,
        workdir,
      );
      const named = NOTIFICATION_CONTROLLER[fluxVersion];
      const built = CONTROLLER_STAND_INS[`notification-controller:${named}`] ?? named;
      assert.equal(kubelet.versions()['notification-controller'], built, `the image names ${named}`);
      // The deploy waited for the Receiver to be Ready for its spec; Provider and Alert are static.
      const receiver = json(['receiver', 'push', '-n', 'flux-system']);
      assert.equal(condition(receiver)?.status, 'True', JSON.stringify(receiver.status));
      assert.match(receiver.status.webhookPath, /^\/hook\/[0-9a-f]{64}$/);
      const alert = json(['alert', 'kustomizations', '-n', 'flux-system']);
      assert.deepEqual(alert.spec.eventSources.map((s: any) => s.name).sort(), [
        'apps',
        'infra-controllers',
        'infra-prereqs',
        'secrets',
      ]);
      assert.equal(json(['provider', 'webhook', '-n', 'flux-system']).spec.address, webhook.url);

      // Another file per version: notification-controller drops an event it sent in the last 5 minutes.
      await breakApps(`missing-${fluxVersion}.yaml`);
      await repairApps();
    });
  }

  test('destroying the sync stack removes the Provider, the Alert and the Receiver, finalizers cleared', async () => {
    succeeded(
      await project.use([settings]).withNotifications(notify).destroy(['dev-flux-sync']),
      'destroy of the sync stack',
      workdir,
    );
    assert.deepEqual(json(['providers,alerts,receivers', '-A']).items, [], 'notification-controller let them go');
  });
});
