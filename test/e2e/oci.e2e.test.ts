import assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EnvironmentSettings } from '../../settings';
import { Cluster, startCluster } from './support/cluster';
import { FluxKubelet, startFluxKubelet } from './support/flux-kubelet';
import { TEAM_LAYOUT } from './support/git-server';
import { BINARIES, getJson, requestReconcile, TOOLCHAIN_BIN, TOOLCHAIN_CACHE } from './support/kubectl';
import { BOTH, deployProject, succeeded as succeededIn } from './support/deploy-project';
import { until } from './support/until';
import { CdktfProject } from './support/project';

// OCI bootstrap ("gitless" GitOps): the environment's own source is an OCI artifact that
// `flux push artifact` published to a registry on loopback (test/e2e/oci-registry); real
// source-controller pulls it and kustomize-controller applies it. No git server, no GitHub.

const KUSTOMIZATIONS = ['infra-controllers', 'infra-prereqs', 'apps', 'secrets'];

let cluster: Cluster;
let kubelet: FluxKubelet;
let registry: ChildProcess;
let url: string;
let project: CdktfProject;
let workdir: string;
let settings: EnvironmentSettings;
let latest: string; // the digest of the artifact pushed last

const json = (args: string[]) => getJson(cluster.kubeconfig, args);
const ready = (object: any) =>
  (object?.status?.conditions as any[] | undefined)?.find((c) => c.type === 'Ready')?.status === 'True';
const succeeded = (result: Parameters<typeof succeededIn>[0], what: string) => succeededIn(result, what, workdir);

function startRegistry(): Promise<{ process: ChildProcess; address: string }> {
  const child = spawn(join(TOOLCHAIN_BIN, 'oci-registry'), ['127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const address = /listening on (\S+)/.exec(out)?.[1];
      if (address) resolve({ process: child, address });
    });
    child.on('exit', (code) => reject(new Error(`oci-registry exited with ${code}: ${out}`)));
  });
}

/** Publishes `files` as the artifact at the tag latest, as a CI job would; returns its digest. */
function push(files: Record<string, string>, revision: string): string {
  const dir = mkdtempSync(join(workdir, 'artifact-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const out = execFileSync(
    join(TOOLCHAIN_CACHE, 'flux', 'v2.9.4', 'flux'),
    [
      'push',
      'artifact',
      `${url}:latest`,
      `--path=${dir}`,
      '--source=https://github.com/mark-icy/infra-new',
      `--revision=${revision}`,
      '--insecure-registry',
      '--output=json',
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out).digest as string;
}

/** Every Kustomization has applied the artifact `digest`, and the OCIRepository holds it. */
async function applied(digest: string, names = KUSTOMIZATIONS): Promise<void> {
  const revision = `latest@${digest}`;
  await until(
    `OCIRepository at ${digest}`,
    () => {
      const source = json(['ocirepository', 'flux-system', '-n', 'flux-system']);
      return source.status?.artifact?.revision === revision && ready(source);
    },
    180_000,
  );
  for (const name of names) {
    await until(
      `Kustomization ${name} applied ${digest}`,
      () => {
        const k = json(['kustomization', name, '-n', 'flux-system']);
        return k.status?.lastAppliedRevision === revision && ready(k);
      },
      180_000,
    );
  }
}

describe('OCI bootstrap with real Flux controllers', { timeout: 1_200_000 }, () => {
  before(async () => {
    workdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-e2e-oci-'));
    cluster = await startCluster(join(workdir, 'cluster'), BINARIES);
    const started = await startRegistry();
    registry = started.process;
    url = `oci://${started.address}/fleet/dev`;
    kubelet = startFluxKubelet(cluster, 'flux-system', join(workdir, 'controllers'));
    // A registry on loopback speaks plain http; one with credentials is refused that way at synth.
    settings = { name: 'dev', syncSource: { type: 'oci', url, insecure: true } };
    ({ project } = await deployProject(workdir, settings, { TF_VAR_kubeconfig_path: cluster.kubeconfig }));
  });
  after(async () => {
    await kubelet?.stop();
    registry?.kill('SIGTERM');
    await cluster?.stop();
    if (!process.env.CDKTF_FLUX_E2E_KEEP) rmSync(workdir, { recursive: true, force: true });
  });

  test('deploys from an artifact: no deploy key, no GitHub; every Kustomization Ready at its digest', async () => {
    const digest = push(TEAM_LAYOUT, 'main@sha1:1111111111111111111111111111111111111111');
    const start = Date.now();
    succeeded(await project.use([settings]).npmDeploy(BOTH), 'npm run deploy of both stacks from an OCI artifact');
    // npm run deploy waited for every object's Ready: nothing is left to wait for once it exits.
    await applied(digest);
    console.log(
      `# npm run deploy start to exit, every Kustomization Ready: ${((Date.now() - start) / 1000).toFixed(1)} s`,
    );
    assert.equal(json(['configmap', 'app-config', '-n', 'apps']).data.greeting, 'hello');
    assert.equal(json(['secrets', '-n', 'flux-system']).items.length, 0, 'no git credentials were made');
    const source = json(['ocirepository', 'flux-system', '-n', 'flux-system']);
    assert.equal(source.spec.url, url);
    assert.deepEqual(source.spec.ref, { tag: 'latest' });
  });

  test('applies the next artifact pushed to the tag, and a review of the deployed stacks finds nothing', async () => {
    const digest = (latest = push(
      { ...TEAM_LAYOUT, 'apps/dev/config.yaml': TEAM_LAYOUT['apps/dev/config.yaml'].replace('hello', 'bonjour') },
      'main@sha1:2222222222222222222222222222222222222222',
    ));
    const start = Date.now();
    requestReconcile(cluster.kubeconfig, 'ocirepository', 'flux-system');
    requestReconcile(cluster.kubeconfig, 'kustomization', 'apps');
    // Every Kustomization of the source applies the new artifact, not only the one asked to.
    await applied(digest);
    console.log(
      `# new artifact to its digest applied (reconcile requested): ${((Date.now() - start) / 1000).toFixed(1)} s`,
    );
    assert.equal(json(['configmap', 'app-config', '-n', 'apps']).data.greeting, 'bonjour');
    for (const stack of BOTH) {
      const review = succeeded(await project.review(stack), `no-op review of ${stack}`);
      assert.equal(
        review.output,
        `### \`${stack}\`: 0 to create, 0 to update, 0 to replace, 0 to delete\n\nNo changes.\n`,
      );
    }
  });

  test('Flux v2.8.8 (source-controller v1.8.5) bootstraps from the artifact too, from nothing', async () => {
    succeeded(await project.use([settings]).destroy(['dev-flux-sync']), 'destroy of the sync stack');
    succeeded(await project.destroy(['dev-flux-bootstrap']), 'destroy of the bootstrap stack');
    await until('controllers stopped with their Deployments', () => Object.keys(kubelet.versions()).length === 0);
    const old = { ...settings, fluxVersion: 'v2.8.8' };
    succeeded(await project.use([old]).npmDeploy(BOTH), 'npm run deploy of v2.8.8 from an OCI artifact');
    assert.deepEqual(kubelet.versions(), { 'source-controller': 'v1.8.5', 'kustomize-controller': 'v1.9.0' });
    await applied(latest);
    assert.equal(json(['configmap', 'app-config', '-n', 'apps']).data.greeting, 'bonjour');
  });
});
