import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defaultKustomizations, EnvironmentSettings } from '../../settings';
import { Cluster, startCluster } from './support/cluster';
import { FluxKubelet, startFluxKubelet } from './support/flux-kubelet';
import { FixtureRepository, GitServer, startGitServer, TEAM_LAYOUT } from './support/git-server';
import { GitHubDouble, startGitHubDouble } from '../support/github-api';
import { BINARIES, getJson, kubectl, objectExists, requestReconcile, TOOLCHAIN_CACHE } from './support/kubectl';
import { BOTH, deployProject, REPOSITORY, TOKEN } from './support/deploy-project';
import { until } from './support/until';
import { CdktfProject, CommandResult } from './support/project';

// The GitOps loop, end to end: the stacks deployed by cdktf, real source-controller and
// kustomize-controller (run for their Deployments, see support/flux-kubelet.ts) pulling the
// team's repository over SSH with the deploy key the stacks registered, and applying it.

const KUSTOMIZATIONS = ['infra-controllers', 'infra-prereqs', 'apps', 'secrets'];

let cluster: Cluster;
let github: GitHubDouble;
let git: GitServer;
let repo: FixtureRepository;
let kubelet: FluxKubelet;
let project: CdktfProject;
let workdir: string;
let settings: EnvironmentSettings;
let head: string;
/** How long infra-prereqs took from its creation to Ready on the first deploy, with Flux's flags. */
let defaultDependencyWait: number;

const json = (args: string[]) => getJson(cluster.kubeconfig, args);
const condition = (object: any, type = 'Ready') =>
  (object?.status?.conditions as any[] | undefined)?.find((c) => c.type === type);
const exists = (kind: string, name: string, namespace?: string) =>
  objectExists(cluster.kubeconfig, kind, name, namespace);

function succeeded(result: CommandResult, what: string): void {
  assert.ok(result.ok, `${what} failed after ${result.seconds} s:\n${result.output.slice(-4000)}`);
  console.log(`# ${what}: ${result.seconds.toFixed(1)} s`);
}

const revision = (sha: string) => `main@sha1:${sha}`;

/**
 * What a failed wait needs to be diagnosed: every Flux object's conditions and the end of each
 * controller's log (the logs are deleted with the test's folder).
 */
function fluxState(): string {
  const objects = ['gitrepositories', 'kustomizations'].flatMap(
    (kind) => json([kind, '-n', 'flux-system']).items as any[],
  );
  const conditions = objects.map(
    (o) =>
      `${o.kind} ${o.metadata.name}: lastApplied ${o.status?.lastAppliedRevision ?? o.status?.artifact?.revision}, ` +
      (o.status?.conditions ?? []).map((c: any) => `${c.type}=${c.status} ${c.reason}: ${c.message}`).join('; '),
  );
  const logs = ['source-controller', 'kustomize-controller'].map((name) => {
    const file = join(workdir, 'controllers', `${name}.log`);
    const tail = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-15).join('\n') : '(none)';
    return `--- ${name}.log, last lines:\n${tail}`;
  });
  return [...conditions, ...logs].join('\n');
}

async function synced(sha: string, names = KUSTOMIZATIONS, timeoutMs = 180_000): Promise<void> {
  try {
    await waitSynced(sha, names, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${fluxState()}`, { cause: error });
  }
}

async function waitSynced(sha: string, names: readonly string[], timeoutMs: number): Promise<void> {
  await until(
    `GitRepository at ${sha.slice(0, 7)}`,
    () => {
      const source = json(['gitrepository', 'flux-system', '-n', 'flux-system']);
      return source.status?.artifact?.revision === revision(sha) && condition(source)?.status === 'True';
    },
    timeoutMs,
  );
  for (const name of names) {
    await until(
      `Kustomization ${name} applied ${sha.slice(0, 7)}`,
      () => {
        const k = json(['kustomization', name, '-n', 'flux-system']);
        return k.status?.lastAppliedRevision === revision(sha) && condition(k)?.status === 'True';
      },
      timeoutMs,
    );
  }
}

/**
 * Seconds from infra-prereqs' creation to its Ready: it waits for the source and for
 * infra-controllers, requeued every --requeue-dependency (30 s by default) while they are not ready.
 */
function dependencyWait(): number {
  const prereqs = json(['kustomization', 'infra-prereqs', '-n', 'flux-system']);
  return (Date.parse(condition(prereqs).lastTransitionTime) - Date.parse(prereqs.metadata.creationTimestamp)) / 1000;
}

function flux(args: string[]): string {
  return execFileSync(
    join(TOOLCHAIN_CACHE, 'flux', 'v2.9.4', 'flux'),
    [...args, '--kubeconfig', cluster.kubeconfig, '--namespace', 'flux-system'],
    { encoding: 'utf8' },
  );
}

describe('the GitOps loop with real Flux controllers', { timeout: 2_400_000 }, () => {
  before(async () => {
    workdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-e2e-gitops-'));
    cluster = await startCluster(join(workdir, 'cluster'), BINARIES);
    github = await startGitHubDouble({ token: TOKEN, repositories: [REPOSITORY] });
    git = await startGitServer(join(workdir, 'git'), { url: github.url, token: TOKEN });
    repo = new FixtureRepository(join(workdir, 'git'), REPOSITORY);
    head = repo.commit('the team layout', TEAM_LAYOUT);
    kubelet = startFluxKubelet(cluster, 'flux-system', join(workdir, 'controllers'));
    settings = {
      name: 'dev',
      gitHost: { hostname: '127.0.0.1', sshPort: git.port, knownHosts: git.knownHosts, apiUrl: github.url },
    };
    ({ project } = await deployProject(workdir, settings, {
      GITHUB_TOKEN: TOKEN,
      TF_VAR_kubeconfig_path: cluster.kubeconfig,
    }));
  });
  after(async () => {
    await kubelet?.stop();
    await git?.stop();
    await cluster?.stop();
    await github?.stop();
    if (!process.env.CDKTF_FLUX_E2E_KEEP) rmSync(workdir, { recursive: true, force: true });
  });

  test(
    'after deploy, Flux pulls the repository with the deploy key and applies it, prereqs only after ' + 'controllers',
    async () => {
      const start = Date.now();
      succeeded(await project.use([settings]).npmDeploy(BOTH), 'npm run deploy of both stacks');
      // npm run deploy confirmed the sync: nothing is left to wait for once it exits.
      await synced(head, KUSTOMIZATIONS, 0);
      console.log(
        `# npm run deploy start to exit, every Kustomization Ready: ${((Date.now() - start) / 1000).toFixed(1)} s`,
      );
      assert.deepEqual(kubelet.versions(), { 'source-controller': 'v1.9.4', 'kustomize-controller': 'v1.9.4' });
      defaultDependencyWait = dependencyWait();
      const controllersReady = Date.parse(
        condition(json(['kustomization', 'infra-controllers', '-n', 'flux-system'])).lastTransitionTime,
      );
      const widget = json(['widget', 'default-widget', '-n', 'infra']);
      assert.ok(
        Date.parse(widget.metadata.creationTimestamp) >= controllersReady,
        'the Widget was created before infra-controllers was Ready',
      );
      assert.equal(widget.metadata.labels['kustomize.toolkit.fluxcd.io/name'], 'infra-prereqs');
      assert.equal(json(['configmap', 'app-config', '-n', 'apps']).data.greeting, 'hello');
      assert.ok(exists('secret', 'app-secret', 'team-secrets'));
    },
  );

  test('applies a new commit, prunes a deleted file, and keeps what it applied when a commit is broken', async () => {
    const start = Date.now();
    head = repo.commit('change the greeting, drop extra', {
      'apps/dev/config.yaml': TEAM_LAYOUT['apps/dev/config.yaml'].replace('hello', 'bonjour'),
      'apps/dev/extra.yaml': undefined,
      'apps/dev/kustomization.yaml': TEAM_LAYOUT['apps/dev/kustomization.yaml'].replace('  - extra.yaml\n', ''),
    });
    requestReconcile(cluster.kubeconfig, 'gitrepository', 'flux-system');
    requestReconcile(cluster.kubeconfig, 'kustomization', 'apps');
    await synced(head, ['apps']);
    console.log(
      `# new commit to its revision applied (reconcile requested): ${((Date.now() - start) / 1000).toFixed(1)} s`,
    );
    assert.equal(json(['configmap', 'app-config', '-n', 'apps']).data.greeting, 'bonjour');
    await until('extra pruned', () => !exists('configmap', 'extra', 'apps'));

    const broken = repo.commit('a broken manifest', {
      'apps/dev/config.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\n  namespace: apps\ndata: [not, a, map\n',
    });
    requestReconcile(cluster.kubeconfig, 'gitrepository', 'flux-system');
    requestReconcile(cluster.kubeconfig, 'kustomization', 'apps');
    const failed = await until('apps not Ready on the broken commit', () => {
      const k = json(['kustomization', 'apps', '-n', 'flux-system']);
      return k.status?.lastAttemptedRevision === revision(broken) && condition(k)?.status === 'False'
        ? condition(k)
        : undefined;
    });
    assert.equal(failed.reason, 'BuildFailed');
    assert.match(failed.message, /kustomize build failed|yaml/i);
    assert.equal(
      json(['kustomization', 'apps', '-n', 'flux-system']).status.lastAppliedRevision,
      revision(head),
      'the last good revision stays applied',
    );
    assert.equal(json(['configmap', 'app-config', '-n', 'apps']).data.greeting, 'bonjour');

    head = repo.commit('fix it', {
      'apps/dev/config.yaml': TEAM_LAYOUT['apps/dev/config.yaml'].replace('hello', 'bonjour'),
    });
    requestReconcile(cluster.kubeconfig, 'gitrepository', 'flux-system');
    requestReconcile(cluster.kubeconfig, 'kustomization', 'apps');
    await synced(head, ['apps']);
    // The reconcile requests overwrote the annotation the deploy's wait set: not drift.
    const diff = await project.diff('dev-flux-sync');
    succeeded(diff, 'diff after flux reconcile');
    assert.match(diff.output, /No changes/);
  });

  test('the flux CLI shows the sources, the Kustomizations and what each applied', async () => {
    // infra-prereqs follows a new revision only once infra-controllers has applied it; the
    // commits above asked apps alone to reconcile, so the others may still be on their way.
    requestReconcile(cluster.kubeconfig, 'kustomization', ...KUSTOMIZATIONS);
    await synced(head);
    const short = `main@sha1:${head.slice(0, 8)}`;
    assert.match(
      flux(['get', 'sources', 'git']),
      new RegExp(`^flux-system\\s+${short}\\s+False\\s+True\\s+stored artifact for revision '${short}'`, 'm'),
    );
    const kustomizations = flux(['get', 'kustomizations']);
    for (const name of KUSTOMIZATIONS)
      assert.match(
        kustomizations,
        new RegExp(`^${name}\\s+main@sha1:[0-9a-f]{8}\\s+False\\s+True\\s+Applied revision: main@sha1:`, 'm'),
      );
    assert.match(
      flux(['tree', 'kustomization', 'infra-prereqs']),
      /Kustomization\/flux-system\/infra-prereqs\n\S+ Widget\/infra\/default-widget/,
    );
    assert.match(
      flux(['tree', 'kustomization', 'infra-controllers']),
      /CustomResourceDefinition\/widgets\.example\.com/,
    );
    assert.match(flux(['tree', 'kustomization', 'apps']), /ConfigMap\/apps\/app-config/);
  });

  test(
    'a deploy key GitHub no longer holds is refused; the next deploy restores it, and a rotation through the ' +
      'stacks works',
    async () => {
      const [key] = github.keys(REPOSITORY);
      github.deleteKey(REPOSITORY, key.id);
      const next = repo.commit('after the key was deleted', {
        'apps/dev/config.yaml': TEAM_LAYOUT['apps/dev/config.yaml'].replace('hello', 'hallo'),
      });
      requestReconcile(cluster.kubeconfig, 'gitrepository', 'flux-system');
      const refused = await until('the GitRepository reports the refusal', () => {
        const c = condition(json(['gitrepository', 'flux-system', '-n', 'flux-system']));
        return c?.status === 'False' ? c : undefined;
      });
      assert.match(refused.message, /unable to authenticate|handshake failed|permission denied/i);

      succeeded(await project.use([settings]).deploy(['dev-flux-bootstrap']), 'deploy re-registering the deleted key');
      assert.equal(github.keys(REPOSITORY)[0].key, key.key, 'the same key, registered again');
      requestReconcile(cluster.kubeconfig, 'gitrepository', 'flux-system');
      requestReconcile(cluster.kubeconfig, 'kustomization', 'apps');
      await synced(next, ['apps']);

      // Rotation: a new key pair; the Secret and the deploy key follow it.
      const rotated = await project.tofu('dev-flux-bootstrap', [
        'apply',
        '-auto-approve',
        '-replace=tls_private_key.git-access_key_1B2D30EF',
      ]);
      succeeded(rotated, 'rotation of the deploy key');
      const keys = github.keys(REPOSITORY);
      assert.equal(keys.length, 1);
      assert.notEqual(keys[0].key, key.key);
      head = repo.commit('after the rotation', {
        'apps/dev/config.yaml': TEAM_LAYOUT['apps/dev/config.yaml'].replace('hello', 'hej'),
      });
      requestReconcile(cluster.kubeconfig, 'gitrepository', 'flux-system');
      requestReconcile(cluster.kubeconfig, 'kustomization', 'apps');
      await synced(head, ['apps']);
    },
  );

  test(
    'destroy of the sync stack prunes what Flux applied and clears the finalizers; then bootstrap leaves ' + 'nothing',
    async () => {
      const start = Date.now();
      succeeded(await project.use([settings]).destroy(['dev-flux-sync']), 'destroy of the sync stack');
      for (const [kind, name, namespace] of [
        ['configmap', 'app-config', 'apps'],
        ['widget', 'default-widget', 'infra'],
        ['secret', 'app-secret', 'team-secrets'],
      ]) {
        await until(`${kind} ${name} pruned`, () => !exists(kind, name, namespace), 60_000);
      }
      assert.deepEqual(
        json(['gitrepositories,kustomizations', '-A']).items,
        [],
        'no Flux object left, finalizers cleared',
      );
      // A source someone made by hand: only the CRD's deletion removes it, and its finalizer needs
      // source-controller, so the CRDs must go while the controllers still run.
      const leftover = {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata: { name: 'by-hand', namespace: 'flux-system' },
        spec: { interval: '1h', url: `ssh://git@127.0.0.1:${git.port}/${REPOSITORY}` },
      };
      kubectl(cluster.kubeconfig, ['apply', '-f', '-'], JSON.stringify(leftover));
      await until(
        'source-controller added its finalizer',
        () => (json(['gitrepository', 'by-hand', '-n', 'flux-system']).metadata.finalizers ?? []).length > 0,
      );
      succeeded(await project.destroy(['dev-flux-bootstrap']), 'destroy of the bootstrap stack');
      const crds = (json(['crd']).items as any[]).filter((c) => c.spec.group.endsWith('toolkit.fluxcd.io'));
      assert.deepEqual(crds, []);
      const namespaces = (json(['namespaces']).items as any[])
        .filter((n) => n.status.phase === 'Terminating')
        .map((n) => n.metadata.name);
      assert.deepEqual(namespaces, [], 'a namespace is stuck Terminating');
      assert.equal(exists('namespace', 'flux-system'), false);
      await until(
        'controllers stopped with their Deployments',
        () => Object.keys(kubelet.versions()).length === 0,
        30_000,
      );
      console.log(`# destroy of both stacks while synced: ${((Date.now() - start) / 1000).toFixed(1)} s`);
    },
  );

  test('v2.8.8 reconciles too, and upgrading to v2.9.4 while synced deletes nothing', async () => {
    const old = { ...settings, fluxVersion: 'v2.8.8' };
    succeeded(await project.use([old]).deploy(BOTH), 'deploy of v2.8.8');
    await synced(head);
    assert.deepEqual(kubelet.versions(), { 'source-controller': 'v1.8.5', 'kustomize-controller': 'v1.9.0' });
    const uids = () =>
      [
        'configmap app-config -n apps',
        'widget default-widget -n infra',
        'secret app-secret -n team-secrets',
        'namespace apps',
      ].map((a) => json(a.split(' ')).metadata.uid);
    const before = uids();
    succeeded(await project.use([settings]).deploy(BOTH), 'upgrade to v2.9.4 while synced');
    await until(
      'controllers at v1.9.4',
      () =>
        kubelet.versions()['source-controller'] === 'v1.9.4' && kubelet.versions()['kustomize-controller'] === 'v1.9.4',
    );
    head = repo.commit('after the upgrade', {
      'apps/dev/config.yaml': TEAM_LAYOUT['apps/dev/config.yaml'].replace('hello', 'ciao'),
    });
    requestReconcile(cluster.kubeconfig, 'gitrepository', 'flux-system');
    requestReconcile(cluster.kubeconfig, 'kustomization', ...KUSTOMIZATIONS);
    await synced(head);
    assert.deepEqual(uids(), before, 'an object was deleted and recreated');
    assert.equal(json(['configmap', 'app-config', '-n', 'apps']).data.greeting, 'ciao');
    succeeded(await project.use([settings]).destroy(['dev-flux-sync']), 'destroy of the sync stack');
    succeeded(await project.destroy(['dev-flux-bootstrap']), 'destroy of the bootstrap stack');
  });

  test("a deploy Flux cannot sync fails, naming each object with Flux's reason; fixed, it converges", async () => {
    const quick: EnvironmentSettings = { ...settings, syncWait: { timeout: '20s' } };
    const gitRepository = () => json(['gitrepository', 'flux-system', '-n', 'flux-system']);
    /** Failed, naming the object with the reason Flux gives on the cluster, word for word. */
    const failedWith = (result: CommandResult, object: string, live: any, pattern: RegExp) => {
      assert.equal(result.ok, false, `the deploy succeeded:\n${result.output.slice(-3000)}`);
      const reported = condition(live);
      assert.match(reported?.message ?? '', pattern, `Flux reports: ${JSON.stringify(reported)}`);
      assert.ok(
        result.output.includes(`${object}: ${reported.reason}: ${reported.message}`),
        `${object} and Flux's reason are not in the output:\n${result.output.slice(-3000)}`,
      );
    };

    // known_hosts with another key than the git server's, on a first deploy.
    const otherKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
    const wrongHosts = {
      ...quick,
      gitHost: { ...quick.gitHost!, knownHosts: git.knownHosts.replace(/ \S+ \S+$/, ` ${otherKey}`) },
    };
    succeeded(
      await project.use([wrongHosts]).deploy(['dev-flux-bootstrap']),
      'deploy of the bootstrap, wrong known_hosts',
    );
    const hosts = await project.npmDeploy(['dev-flux-sync']);
    failedWith(
      hosts,
      'GitRepository flux-system/flux-system',
      gitRepository(),
      /handshake failed|knownhosts|key mismatch/i,
    );
    assert.match(hosts.output, /Operation timed out/, "OpenTofu's own error from the provider's wait");
    assert.match(hosts.output, /Kustomization flux-system\/apps: /);
    assert.match(hosts.output, /untainted/, 'the GitRepository is kept for an update in place, not recreated');

    // Right known_hosts, but a deploy key the git server no longer knows: the credentials changed,
    // so the sync deploy asks Flux to fetch again and waits.
    succeeded(await project.use([quick]).deploy(['dev-flux-bootstrap']), 'deploy of the bootstrap, right known_hosts');
    github.deleteKey(REPOSITORY, github.keys(REPOSITORY)[0].id);
    const key = await project.npmDeploy(['dev-flux-sync']);
    failedWith(
      key,
      'GitRepository flux-system/flux-system',
      gitRepository(),
      /unable to authenticate|handshake failed/i,
    );

    // A branch that does not exist, with plain cdktf deploy (which registers the key again).
    const nope = { TF_VAR_git_branch: 'nope' };
    const branch = await project.use([quick]).deploy(BOTH, nope);
    assert.equal(branch.ok, false, 'cdktf deploy succeeded with a branch that does not exist');
    assert.match(branch.output, /Operation timed out/);
    assert.match(condition(gitRepository()).message, /couldn't find remote ref "refs\/heads\/nope"|nope/);
    const review = await project.review('dev-flux-sync', nope);
    assert.equal(review.code, 2, review.output);
    assert.match(review.output, /GitRepository flux-system\/flux-system: not synced on the cluster: .*nope/);

    // A Kustomization whose path the repository lacks.
    const missing = {
      ...quick,
      kustomizations: [...defaultKustomizations('./apps/dev'), { name: 'missing', path: './nowhere', prune: true }],
    };
    const path = await project.use([missing]).npmDeploy(BOTH);
    failedWith(
      path,
      'Kustomization flux-system/missing',
      json(['kustomization', 'missing', '-n', 'flux-system']),
      /nowhere|not found/i,
    );

    // Fixed: the deploy waits no longer than Flux takes, and ends synced.
    const start = Date.now();
    succeeded(await project.use([quick]).npmDeploy(BOTH), 'npm run deploy, everything fixed');
    await synced(head, KUSTOMIZATIONS, 0);
    const seconds = ((Date.now() - start) / 1000).toFixed(1);
    console.log(`# npm run deploy of a fix, start to exit, every Kustomization Ready: ${seconds} s`);

    // From Ready, a change Flux cannot sync: the Ready of the earlier generation does not count.
    const stale = await project.use([quick]).deploy(['dev-flux-sync'], nope);
    assert.equal(stale.ok, false, 'the Ready condition of the previous generation counted');
    assert.match(stale.output, /Operation timed out/);

    succeeded(await project.use([quick]).destroy(['dev-flux-sync']), 'destroy of the sync stack');
    succeeded(await project.destroy(['dev-flux-bootstrap']), 'destroy of the bootstrap stack');
  });

  test(
    'a customised install: kustomize-controller runs with the flags set, infra-prereqs waits 5 s at a time, and ' +
      'the service account carries its annotation',
    async () => {
      const customised: EnvironmentSettings = {
        ...settings,
        install: {
          controllers: {
            'kustomize-controller': {
              flags: { requeueDependency: '5s', concurrent: 8 },
              serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/flux' },
            },
          },
        },
      };
      succeeded(await project.use([customised]).npmDeploy(BOTH), 'npm run deploy of a customised install');
      await synced(head, KUSTOMIZATIONS, 0);
      const args = kubelet.args('kustomize-controller') ?? [];
      assert.ok(args.includes('--requeue-dependency=5s') && args.includes('--concurrent=8'), args.join(' '));
      const account = json(['serviceaccount', 'kustomize-controller', '-n', 'flux-system']);
      assert.equal(account.metadata.annotations['eks.amazonaws.com/role-arn'], 'arn:aws:iam::111122223333:role/flux');
      const wait = dependencyWait();
      console.log(
        `# infra-prereqs creation to Ready: ${wait} s at --requeue-dependency=5s, ${defaultDependencyWait} s at 30s`,
      );
      assert.ok(wait < defaultDependencyWait, `${wait} s with 5s, ${defaultDependencyWait} s with Flux's 30s`);
      succeeded(await project.use([customised]).destroy(['dev-flux-sync']), 'destroy of the sync stack');
      succeeded(await project.destroy(['dev-flux-bootstrap']), 'destroy of the bootstrap stack');
    },
  );
});
