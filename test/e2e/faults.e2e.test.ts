import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { GitHubDouble, startGitHubDouble } from '../support/github-api';
import { Cluster, startCluster } from './support/cluster';
import { BINARIES, getJson, kubectl } from './support/kubectl';
import { BOTH, deployProject, DEV, REPOSITORY, succeeded as succeededIn, TOKEN } from './support/deploy-project';
import { CdktfProject, CommandResult } from './support/project';

// Faults injected into real deploys (`npm run deploy`, the real cdktf CLI's synth, OpenTofu, the
// providers, a live kube-apiserver, the GitHub double): a kill -9 at three moments of the
// bootstrap apply, a Ctrl-C, the API server going away, GitHub failing before and after it
// registered the key, deleted state, two deploys at once. After each, the rerun (with no manual
// step) ends with both stacks deployed, a no-op diff, the objects made before the fault kept
// (same uids) and exactly one deploy key on GitHub, the one the Secret holds.

const TITLE = 'Flux (dev-flux-bootstrap)';

let cluster: Cluster;
let github: GitHubDouble;
let project: CdktfProject;
let workdir: string;

const succeeded = (result: CommandResult, what: string) => succeededIn(result, what, workdir);

const fluxCrdsExist = () =>
  (getJson(cluster.kubeconfig, ['crd']).items as any[]).some((c) => c.spec.group.endsWith('toolkit.fluxcd.io'));

/** `Kind namespace/name` → uid of every object the two stacks manage that is on the cluster. */
function uids(): Map<string, string> {
  const kinds = 'namespace,crd,clusterrole,clusterrolebinding,deployment,service,serviceaccount,networkpolicy,secret';
  const items = [
    ...(getJson(cluster.kubeconfig, [kinds, '-A']).items as any[]),
    ...['gitrepository', 'kustomization'].flatMap((kind) => {
      try {
        return getJson(cluster.kubeconfig, [kind, '-A']).items as any[];
      } catch (error) {
        // Its CRD is not served (yet): there is none.
        if (/doesn't have a resource type|could not find the requested resource/.test(String(error))) return [];
        throw error;
      }
    }),
  ].filter(
    (o) => o.metadata.labels?.['app.kubernetes.io/part-of'] === 'flux' || o.metadata.namespace === 'flux-system',
  );
  return new Map(items.map((o) => [`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`, o.metadata.uid]));
}

/** The public key the Secret hands Flux, as GitHub keeps it. */
function secretKey(): string {
  const secret = getJson(cluster.kubeconfig, ['secret', 'flux-system', '-n', 'flux-system']);
  return Buffer.from(secret.data['identity.pub'], 'base64').toString().trim().split(' ').slice(0, 2).join(' ');
}

const stateFile = (stack: string) => join(project.dir, `terraform.${stack}.tfstate`);

interface StateResource {
  type: string;
  instances: { status?: string; attributes: { metadata?: { name: string; namespace: string }[]; object?: any } }[];
}

/**
 * The objects OpenTofu recorded as tainted, by the key `uids` gives them: created, but their
 * create failed after that (the kubernetes provider reads a Secret back once it is created), so
 * the next apply replaces them, as it would anywhere.
 */
function taintedObjects(): string[] {
  return BOTH.filter((stack) => existsSync(stateFile(stack))).flatMap((stack) =>
    (JSON.parse(readFileSync(stateFile(stack), 'utf8')).resources as StateResource[]).flatMap((r) =>
      r.instances
        .filter((i) => i.status === 'tainted')
        .map(({ attributes: { metadata, object } }) =>
          r.type === 'kubernetes_secret_v1'
            ? `Secret ${metadata![0].namespace}/${metadata![0].name}`
            : `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`,
        ),
    ),
  );
}

/**
 * The end state every fault must reach after the rerun: both stacks deployed, a no-op diff of
 * each, every object of `before` kept (same uid), and exactly one deploy key, the Secret's.
 */
async function assertConverged(before: Map<string, string>, what: string): Promise<void> {
  for (const stack of BOTH) {
    const inState = JSON.parse(readFileSync(stateFile(stack), 'utf8')).resources as unknown[];
    assert.ok(inState.length > 0, `${what}: ${stack} has nothing in state`);
    assert.match(succeeded(await project.diff(stack), `${what}: diff of ${stack}`).output, /No changes/);
  }
  const now = uids();
  for (const [object, id] of before) assert.equal(now.get(object), id, `${what}: ${object} was recreated`);
  const keys = github.keys(REPOSITORY);
  assert.equal(keys.length, 1, `${what}: ${keys.length} deploy keys: ${keys.map((k) => k.title).join(', ')}`);
  assert.equal(keys[0].title, TITLE);
  assert.equal(keys[0].key, secretKey(), `${what}: the deploy key is not the one the Secret holds`);
}

/** Output as one line: OpenTofu wraps its error boxes. */
const flat = (output: string) => output.replace(/\s*\n\s*│?\s*/g, ' ');

const postsOfKeys = () => github.requests.filter((r) => r === `POST /repos/${REPOSITORY}/keys`).length;

describe('faults during a deploy: the rerun converges, nothing is orphaned', { timeout: 1_800_000 }, () => {
  before(async () => {
    workdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-e2e-faults-'));
    cluster = await startCluster(join(workdir, 'cluster'), BINARIES);
    github = await startGitHubDouble({ token: TOKEN, repositories: [REPOSITORY] });
    ({ project } = await deployProject(workdir, DEV, {
      GITHUB_TOKEN: TOKEN,
      GITHUB_BASE_URL: github.url,
      TF_VAR_kubeconfig_path: cluster.kubeconfig,
    }));
    project.use([DEV]);
  });
  after(async () => {
    await cluster?.stop();
    await github?.stop();
    rmSync(workdir, { recursive: true, force: true });
  });

  // Each fault starts from nothing: no state, no Flux on the cluster, no deploy key.
  beforeEach(() => {
    for (const stack of BOTH) rmSync(stateFile(stack), { force: true });
    kubectl(cluster.kubeconfig, ['delete', 'namespace', 'flux-system', '--ignore-not-found', '--wait=true']);
    for (const kind of ['crd', 'clusterrole', 'clusterrolebinding'])
      kubectl(cluster.kubeconfig, ['delete', kind, '-l', 'app.kubernetes.io/part-of=flux', '--wait=true']);
    for (const key of github.keys(REPOSITORY)) github.deleteKey(REPOSITORY, key.id);
  });

  // The bootstrap apply creates 35 objects (32 Kubernetes objects, the key pair, the deploy key,
  // the Secret); killed after the 2nd, the 17th and the 33rd.
  const created = (n: number) => (output: string) => output.split(': Creation complete').length > n;
  for (const [moment, when] of [
    ['early (2 of 35 objects created)', created(2)],
    ['in the middle (17 of 35)', created(17)],
    ['late (33 of 35)', created(33)],
  ] as const) {
    test(`kill -9 of the deploy ${moment}: the rerun takes over what was made`, async () => {
      const killed = await project.npmDeployInterrupted(['dev-flux-bootstrap'], when, 'SIGKILL');
      assert.ok(killed.interrupted, `the deploy never got there:\n${killed.output.slice(-3000)}`);
      const made = uids();
      const registered = github.keys(REPOSITORY).length;
      const rerun = succeeded(await project.npmDeploy(BOTH), `rerun after kill -9 ${moment}`);
      if (made.size > 0)
        assert.match(rerun.output, /taking over \d+ objects an earlier apply made but did not record in state/);
      // The key pair was lost with the state that was never written: a new one, the old key removed.
      if (registered > 0)
        assert.match(
          rerun.output,
          new RegExp(
            `removed from GitHub, as no state knows them any more: deploy key \\d+ "${TITLE.replace(/[()]/g, '\\$&')}"`,
          ),
        );
      await assertConverged(made, `kill -9 ${moment}`);
      console.log(`# killed after ${killed.seconds.toFixed(1)} s with ${made.size} objects made`);
    });
  }

  test('Ctrl-C during npm run deploy: OpenTofu stops gracefully and saves state, and the rerun converges', async () => {
    // Interrupted while OpenTofu creates the install, after the namespace.
    const interrupted = await project.npmDeployInterrupted(
      ['dev-flux-bootstrap'],
      /namespace_flux-system: Creation complete/,
    );
    assert.ok(interrupted.interrupted, `the deploy never started creating:\n${interrupted.output.slice(-3000)}`);
    assert.notEqual(interrupted.code, 0, 'an interrupted deploy exited 0');
    assert.match(interrupted.output, /Interrupt received|Stopping operation/);
    const saved = (
      JSON.parse(readFileSync(stateFile('dev-flux-bootstrap'), 'utf8')).resources as { type: string; name: string }[]
    ).map((r) => `${r.type}.${r.name}`);
    assert.ok(saved.includes('kubernetes_manifest.namespace_flux-system'), `state lost: ${saved.join(', ')}`);
    const made = uids();
    succeeded(await project.npmDeploy(BOTH), 'rerun after the interrupt');
    await assertConverged(made, 'Ctrl-C');
    console.log(`# interrupted after ${interrupted.seconds.toFixed(1)} s; ${saved.length} resources in state`);
  });

  test('the API server stops in the middle of an apply and comes back: the rerun converges', async () => {
    let stopped: Promise<void> = Promise.resolve();
    // Cut once a controller's Deployment is created: the CRDs, created last, are all still to
    // come. A CRD created just before the API server stops can be left NamesAccepted but never
    // Established (kube-apiserver queues the establishing only on an update of the CRD, which a
    // restart does not bring until the informers' resync, 5 min later), and no custom resource
    // could be planned until then.
    const cut = await project.npmDeployWatched(
      ['dev-flux-bootstrap'],
      /deployment_flux-system_[a-z-]+: Creation complete/,
      (group) => {
        // The deploy is held while the API server goes down: left running, a busy machine could
        // let it apply the rest of the stack before the stop lands, and the test would not test.
        process.kill(-group, 'SIGSTOP');
        stopped = cluster.stopApiServer().finally(() => process.kill(-group, 'SIGCONT'));
      },
    );
    try {
      assert.ok(cut.interrupted, `the deploy never created a Deployment:\n${cut.output.slice(-3000)}`);
      await stopped;
      assert.equal(cut.ok, false, 'the deploy succeeded without its API server');
      assert.match(flat(cut.output), /connection refused|EOF|i\/o timeout/);
    } finally {
      // Up again even when an assertion failed, so that the tests after this one have a cluster.
      if (cut.interrupted) await cluster.startApiServer();
    }
    const made = uids();
    const tainted = taintedObjects();
    for (const object of tainted) made.delete(object);
    succeeded(await project.npmDeploy(BOTH), 'rerun after the API server came back');
    await assertConverged(made, 'API server restart');
    console.log(`# replaced as tainted by the cut: ${tainted.join(', ') || 'nothing'}`);
  });

  test('GitHub fails before registering the key, past the provider retries: the rerun registers it once', async () => {
    // integrations/github retries a 500 three times, a second apart: a fourth fails the apply.
    github.failNext({ method: 'POST', path: /\/keys$/, times: 4 });
    const failed = await project.npmDeploy(['dev-flux-bootstrap']);
    assert.equal(failed.ok, false);
    assert.match(flat(failed.output), /POST \S*\/keys: 500/);
    assert.equal(github.keys(REPOSITORY).length, 0);
    const made = uids();
    succeeded(await project.npmDeploy(BOTH), 'rerun after GitHub failed');
    await assertConverged(made, 'GitHub 500 before registering');
  });

  test('GitHub registers the key, then answers 500: the rerun takes the key over, never POSTs it again', async () => {
    github.failNext({ method: 'POST', path: /\/keys$/, after: true });
    const failed = await project.npmDeploy(['dev-flux-bootstrap']);
    assert.equal(failed.ok, false);
    // The provider's retry of the lost answer is refused, as GitHub refuses a key it holds.
    assert.match(flat(failed.output), /POST \S*\/keys: 422 Validation Failed .*key is already in use/);
    const [registered, ...more] = github.keys(REPOSITORY);
    assert.equal(more.length, 0);
    const posts = postsOfKeys();
    const made = uids();
    const rerun = succeeded(await project.npmDeploy(BOTH), 'rerun after the lost answer');
    assert.match(rerun.output, new RegExp(`taking over .*deploy key ${registered.id} "`));
    assert.equal(postsOfKeys(), posts, 'the key was registered again');
    assert.equal(github.keys(REPOSITORY)[0]?.id, registered.id);
    await assertConverged(made, 'GitHub 500 after registering');
  });

  test('state deleted after a good deploy: taken over, a new key pair, and the old key removed', async () => {
    succeeded(await project.npmDeploy(BOTH), 'first deploy');
    const made = uids();
    const [old] = github.keys(REPOSITORY);
    for (const stack of BOTH) rmSync(stateFile(stack));
    const review = await project.review('dev-flux-bootstrap');
    assert.match(review.output, /to import/, `the review does not show the take-over:\n${review.output.slice(-2000)}`);
    const rerun = succeeded(await project.npmDeploy(BOTH), 'deploy after the state was deleted');
    assert.match(
      rerun.output,
      new RegExp(`removed from GitHub, as no state knows them any more: deploy key ${old.id} `),
    );
    assert.notEqual(github.keys(REPOSITORY)[0].key, old.key, 'a new key pair: the old private key went with the state');
    await assertConverged(made, 'deleted state');
  });

  test('two deploys started together: the second waits for the first, both succeed', async () => {
    const [first, second] = await Promise.all([project.npmDeploy(BOTH), project.npmDeploy(BOTH)]);
    succeeded(first, 'the first of two deploys');
    succeeded(second, 'the second of two deploys');
    assert.match(`${first.output}${second.output}`, /Waiting for the cdktf-flux deploy of process \d+ to finish/);
    await assertConverged(new Map(), 'two deploys');
  });

  test('fails if an object the stack declares is on the cluster but was made by someone else, naming it', async () => {
    kubectl(cluster.kubeconfig, ['create', 'namespace', 'flux-system']);
    const refused = await project.npmDeploy(['dev-flux-bootstrap']);
    assert.equal(refused.ok, false);
    assert.match(
      refused.output,
      /dev-flux-bootstrap: Namespace flux-system exists on the cluster, but neither this stack \(field manager Terraform\) nor Flux's install .* made it: delete it, or take it over with adopt: true/,
    );
    assert.equal(fluxCrdsExist(), false, 'something was applied');
    assert.deepEqual(github.keys(REPOSITORY), [], 'a deploy key was registered');
  });
});
