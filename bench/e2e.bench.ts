// npm run bench:e2e: what a deploy and a review cost against a live kube-apiserver, beside
// kubectl doing the same to the same objects, measured in one run, median of BENCH_RUNS rounds.
// - baseline: `kubectl apply --server-side` of the bootstrap stack's objects, and
//   `kubectl diff --server-side` of them once applied;
// - ours: the first deploy (`tofu apply` of the synthesized stack, `cdktf deploy` and `npm run
//   deploy`), a no-op plan, `cdktf diff`, a no-op deploy, and the review path (`npm run review --
//   <stack>`: plan, summary), all with the GOGC the npm scripts set; what cdktf adds to OpenTofu
//   split out (its start-up, cdktf synth beside the app alone, the init it runs every time);
// - baselines in the same rounds: one kubernetes client, and Go's default GOGC;
// - the breakdown: fixed start-up (a plan targeting one resource) and cost per resource;
// - the GitOps loop: npm run deploy's start to its exit (it waits for the sync) beside its start to
//   every Kustomization Ready, and a new commit to its revision applied, with a reconcile request
//   and (in the last round only) with the GitRepository's interval alone.
// The providers are the real ones where TF_CLI_CONFIG_FILE names a mirror, the stand-in otherwise
// (its apply costs are not the real provider's: read the ratios with that in mind).
// Targets with the real providers: first deploy <= 7x kubectl apply; review of a no-op <= 6x kubectl diff;
// the deploy command's first deploy <= 1.5x tofu apply.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Testing } from 'cdktf';
import { addFluxEnvironment } from '../stacks';
import { MANIFESTS_DIR } from '../test/support/manifests';
import { synthStack } from '../test/support/synth';
import { startCluster } from '../test/e2e/support/cluster';
import { FluxKubelet, startFluxKubelet } from '../test/e2e/support/flux-kubelet';
import { FixtureRepository, startGitServer, TEAM_LAYOUT } from '../test/e2e/support/git-server';
import { startGitHubDouble } from '../test/support/github-api';
import { BINARIES, getJson, kubectl, requestReconcile, stackObjects } from '../test/e2e/support/kubectl';
import { CdktfProject, CommandResult } from '../test/e2e/support/project';
import { providerSetup } from '../test/e2e/support/providers';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const TOKEN = 'ghp_benchDoubleToken';
const REPOSITORY = 'mark-icy/infra-new';
const STACK = 'dev-flux-bootstrap';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function timed(what: string, run: () => Promise<CommandResult | void> | void): Promise<number> {
  const start = performance.now();
  const result = await run();
  if (result && !result.ok) throw new Error(`${what} failed:\n${result.output.slice(-3000)}`);
  return (performance.now() - start) / 1000;
}

async function until(what: string, check: () => boolean, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (check()) return;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not after ${timeoutMs / 1000} s`);
}

const BASELINE_APPLY = 'baseline, 1 client: first deploy';
const BASELINE_REVIEW = 'baseline, 1 client: review';
const GO_DEFAULT_APPLY = 'baseline, GOGC=100: first deploy';
const GO_DEFAULT_REVIEW = 'baseline, GOGC=100: review';
const INTERVAL_ALONE = 'commit to applied: interval alone (1m), 1 round';

/** Synthesizes the project's app, so that tofu runs on what it now declares. */
async function synthesize(project: CdktfProject): Promise<void> {
  const result = await project.cdktf(['synth']);
  if (!result.ok) throw new Error(result.output.slice(-3000));
}

async function main(): Promise<void> {
  const workdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-bench-e2e-'));
  const cluster = await startCluster(join(workdir, 'cluster'), BINARIES);
  const github = await startGitHubDouble({ token: TOKEN, repositories: [REPOSITORY] });
  const git = await startGitServer(join(workdir, 'git'), { url: github.url, token: TOKEN });
  const repo = new FixtureRepository(join(workdir, 'git'), REPOSITORY);
  let head = repo.commit('the team layout', TEAM_LAYOUT);
  // Flux's controllers run only for the GitOps loop: on a cluster they run on its nodes, not on the
  // machine that runs kubectl or OpenTofu, and here they would take CPU from both mid-measurement.
  let kubelet: FluxKubelet | undefined;
  const settings = {
    name: 'dev',
    gitHost: { hostname: '127.0.0.1', sshPort: git.port, knownHosts: git.knownHosts, apiUrl: github.url },
  };
  const { bootstrap } = await addFluxEnvironment(Testing.app(), settings);
  const synthesized = synthStack(bootstrap);
  const setup = providerSetup(workdir, (synthesized.terraform as { required_providers: never }).required_providers);
  const project = new CdktfProject(join(workdir, 'project'), {
    ...setup.env,
    GITHUB_TOKEN: TOKEN,
    TF_VAR_kubeconfig_path: cluster.kubeconfig,
    FLUX_MANIFESTS_DIR: MANIFESTS_DIR,
  }).use([settings]);
  const objects = stackObjects(synthesized).flat();
  const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });
  const resources = Object.keys(synthesized.resource).reduce(
    (n, type) => n + Object.keys(synthesized.resource[type]).length,
    0,
  );
  const k = (args: string[], input?: string) => kubectl(cluster.kubeconfig, args, input);
  // What npm run review runs; asynchronous, since the GitHub double answers from this process's event loop.
  const review = () => project.review(STACK);
  // kubectl diff exits 1 when it finds a difference: none is expected here, and one is an error.
  const kubectlDiff = () => {
    const args = [
      '--kubeconfig',
      cluster.kubeconfig,
      'diff',
      '--server-side',
      '--field-manager=Terraform',
      '--force-conflicts',
      '-f',
      '-',
    ];
    execFileSync(BINARIES.kubectl, args, { input: list, stdio: ['pipe', 'inherit', 'inherit'] });
  };
  const figures: Record<string, number[]> = {};
  const add = (name: string, seconds: number) => (figures[name] ??= []).push(seconds);

  try {
    // Synthesized and initialised once, as in a working copy.
    const first = await project.deploy([STACK]);
    if (!first.ok) throw new Error(first.output.slice(-3000));
    await project.tofu(STACK, ['destroy', '-auto-approve']);
    for (let round = 0; round < runs; round++) {
      add(
        'kubectl apply --server-side',
        await timed(
          'kubectl apply',
          () => void k(['apply', '--server-side', '--field-manager=bench', '-f', '-'], list),
        ),
      );
      k(['delete', '--wait=true', '-f', '-'], list);
      await until(
        'namespace gone',
        () => !k(['get', 'namespace', '--ignore-not-found', '-o', 'name']).includes('namespace/flux-system'),
      );
      add('first deploy: tofu apply', await timed('tofu apply', () => project.tofu(STACK, ['apply', '-auto-approve'])));
      add('no-op plan: tofu plan', await timed('tofu plan', () => project.tofu(STACK, ['plan', '-detailed-exitcode'])));
      add(
        'fixed start-up: plan of 1 resource',
        await timed('targeted plan', () =>
          project.tofu(STACK, ['plan', '-target=kubernetes_manifest.namespace_flux-system']),
        ),
      );
      add('kubectl diff --server-side', await timed('kubectl diff', () => kubectlDiff()));
      add('review: npm run review', await timed('review', review));
      add('no-op cdktf diff', await timed('cdktf diff', () => project.diff(STACK)));
      add(
        'destroy: tofu destroy',
        await timed('tofu destroy', () => project.tofu(STACK, ['destroy', '-auto-approve'])),
      );
      add('first deploy: cdktf deploy', await timed('cdktf deploy', () => project.deploy([STACK])));
      // What cdktf deploy adds to tofu apply, piece by piece.
      add('cdktf: CLI start-up (cdktf --version)', await timed('cdktf --version', () => project.cdktf(['--version'])));
      add('cdktf: synth (cdktf synth)', await timed('cdktf synth', () => project.cdktf(['synth'])));
      add('cdktf: synth, the app alone', await timed('the app', () => project.app()));
      add('cdktf: init of an initialised stack', await timed('tofu init', () => project.tofu(STACK, ['init'])));
      add('no-op deploy: npm run deploy', await timed('npm run deploy', () => project.npmDeploy([STACK])));
      add('no-op deploy: cdktf deploy', await timed('cdktf deploy', () => project.deploy([STACK])));
      await project.tofu(STACK, ['destroy', '-auto-approve']);
      add('first deploy: npm run deploy', await timed('npm run deploy', () => project.npmDeploy([STACK])));
      await project.tofu(STACK, ['destroy', '-auto-approve']);

      // Baseline, in the same round: one kubernetes client for the whole stack, as before.
      await synthesize(project.use([{ ...settings, kubernetesClients: 1 }]));
      add(BASELINE_APPLY, await timed('tofu apply, 1 client', () => project.tofu(STACK, ['apply', '-auto-approve'])));
      add(BASELINE_REVIEW, await timed('review, 1 client', review));
      await project.tofu(STACK, ['destroy', '-auto-approve']);
      await synthesize(project.use([settings]));

      // Baseline: Go's default garbage collector, without the GOGC the npm scripts set.
      const goDefault = { GOGC: '100' };
      add(
        GO_DEFAULT_APPLY,
        await timed('tofu apply, GOGC=100', () => project.tofu(STACK, ['apply', '-auto-approve'], goDefault)),
      );
      add(GO_DEFAULT_REVIEW, await timed('review, GOGC=100', () => project.review(STACK, goDefault)));
      await project.tofu(STACK, ['destroy', '-auto-approve']);
    }

    // The GitOps loop.
    kubelet = startFluxKubelet(cluster, 'flux-system', join(workdir, 'controllers'));
    const revision = () => `main@sha1:${head}`;
    const ready = (kind: string, name: string) => {
      const o = getJson(cluster.kubeconfig, [kind, name, '-n', 'flux-system']);
      return (
        (o.status?.conditions ?? []).some(
          (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
        ) && (o.status.lastAppliedRevision ?? o.status.artifact?.revision) === revision()
      );
    };
    const synced = (names: string[]) =>
      until('synced', () => ready('gitrepository', 'flux-system') && names.every((n) => ready('kustomization', n)));
    const all = ['infra-controllers', 'infra-prereqs', 'apps', 'secrets'];
    for (let round = 0; round < runs; round++) {
      const start = performance.now();
      const deployed = await project.npmDeploy([STACK, 'dev-flux-sync']);
      if (!deployed.ok) throw new Error(deployed.output.slice(-3000));
      add('npm run deploy: start to exit (synced)', (performance.now() - start) / 1000);
      await synced(all);
      add('npm run deploy: start to all Kustomizations Ready', (performance.now() - start) / 1000);
      head = repo.commit(`round ${round}: requested`, {
        'apps/dev/config.yaml': TEAM_LAYOUT['apps/dev/config.yaml'].replace('hello', `requested-${round}`),
      });
      add(
        'commit to applied: reconcile requested',
        await timed('requested', async () => {
          requestReconcile(cluster.kubeconfig, 'gitrepository', 'flux-system');
          requestReconcile(cluster.kubeconfig, 'kustomization', 'apps');
          await synced(['apps']);
        }),
      );
      // The interval alone is Flux's timer, not ours: it is measured in the last round only, as it
      // costs a minute a round and varies by no more than the interval's jitter.
      if (round === runs - 1) {
        head = repo.commit(`round ${round}: interval`, {
          'apps/dev/config.yaml': TEAM_LAYOUT['apps/dev/config.yaml'].replace('hello', `interval-${round}`),
        });
        add(INTERVAL_ALONE, await timed('interval', () => synced(['apps'])));
      }
      const destroyed = await project.destroy(['dev-flux-sync', STACK]);
      if (!destroyed.ok) throw new Error(destroyed.output.slice(-3000));
    }
  } finally {
    await kubelet?.stop();
    await git.stop();
    await cluster.stop();
    await github.stop();
    rmSync(workdir, { recursive: true, force: true });
  }

  const m = Object.fromEntries(Object.entries(figures).map(([name, values]) => [name, median(values)]));
  const ratio = (a: string, b: string, target?: number) =>
    `${(m[a] / m[b]).toFixed(1)}x ${b}${target ? ` (target <= ${target}x with the real providers)` : ''}`;
  console.log(
    `e2e benchmark, providers: ${setup.mode}; median of ${runs} rounds; ${resources} resources in ${STACK}, ` +
      `${objects.length} of them Kubernetes objects`,
  );
  const row = (name: string, note = '') =>
    console.log(`${name.padEnd(44)} ${m[name].toFixed(1).padStart(7)} s   ${note}`);
  row('kubectl apply --server-side');
  row('first deploy: tofu apply', ratio('first deploy: tofu apply', 'kubectl apply --server-side', 7));
  row('first deploy: cdktf deploy', ratio('first deploy: cdktf deploy', 'first deploy: tofu apply', 1.5));
  row('first deploy: npm run deploy', ratio('first deploy: npm run deploy', 'first deploy: tofu apply', 1.5));
  row('cdktf: CLI start-up (cdktf --version)');
  row('cdktf: synth (cdktf synth)', ratio('cdktf: synth (cdktf synth)', 'cdktf: synth, the app alone'));
  row('cdktf: synth, the app alone');
  row('cdktf: init of an initialised stack');
  row('no-op deploy: cdktf deploy', ratio('no-op deploy: cdktf deploy', 'no-op plan: tofu plan'));
  row('no-op deploy: npm run deploy', ratio('no-op deploy: npm run deploy', 'no-op plan: tofu plan'));
  row('kubectl diff --server-side');
  row('no-op plan: tofu plan', ratio('no-op plan: tofu plan', 'kubectl diff --server-side'));
  row('review: npm run review', ratio('review: npm run review', 'kubectl diff --server-side', 6));
  row(
    'no-op cdktf diff',
    `${ratio('no-op cdktf diff', 'kubectl diff --server-side')}, ${ratio('no-op cdktf diff', 'no-op plan: tofu plan')}`,
  );
  row('destroy: tofu destroy');
  row(BASELINE_APPLY, `${(m[BASELINE_APPLY] / m['first deploy: tofu apply']).toFixed(1)}x the default's`);
  row(BASELINE_REVIEW, `${(m[BASELINE_REVIEW] / m['review: npm run review']).toFixed(1)}x the default's`);
  row(GO_DEFAULT_APPLY, `${(m[GO_DEFAULT_APPLY] / m['first deploy: tofu apply']).toFixed(2)}x the default's`);
  row(GO_DEFAULT_REVIEW, `${(m[GO_DEFAULT_REVIEW] / m['review: npm run review']).toFixed(2)}x the default's`);
  const fixed = m['fixed start-up: plan of 1 resource'];
  row(
    'fixed start-up: plan of 1 resource',
    `${((fixed / m['no-op plan: tofu plan']) * 100).toFixed(0)}% of the no-op plan`,
  );
  console.log(
    `${'per resource: plan'.padEnd(44)} ` +
      `${(((m['no-op plan: tofu plan'] - fixed) / (resources - 1)) * 1000).toFixed(0).padStart(7)} ms`,
  );
  console.log(
    `${'per resource: apply'.padEnd(44)} ` +
      `${(((m['first deploy: tofu apply'] - fixed) / resources) * 1000).toFixed(0).padStart(7)} ms`,
  );
  row('npm run deploy: start to exit (synced)');
  row('npm run deploy: start to all Kustomizations Ready');
  row('commit to applied: reconcile requested');
  row(INTERVAL_ALONE);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
