import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { Testing } from 'cdktf';
import { addFluxEnvironment } from '../../stacks';
import '../support/manifests';
import { synthStack } from '../support/synth';
import { Cluster, startCluster } from './support/cluster';
import { BINARIES, getJson, TOOLCHAIN_BIN } from './support/kubectl';

// The kubernetes backend and OpenTofu state encryption exactly as the stacks synthesize them,
// run by the real OpenTofu against the live API server. The stacks' own resources need the
// providers, which cannot be obtained here; a built-in terraform_data resource stands in, so
// that an apply writes state and holds the lock for a few seconds.

const tofu = join(TOOLCHAIN_BIN, 'tofu');
const run = promisify(execFile);
const passphrase = 'correct horse battery staple';

let cluster: Cluster;
let workdir: string;
let clusterDir: string;

function tofuEnv(extra: Record<string, string> = {}) {
  return {
    ...process.env,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    TF_CLI_CONFIG_FILE: '/dev/null',
    CHECKPOINT_DISABLE: '1',
    TF_VAR_state_passphrase: passphrase,
    ...extra,
  };
}

async function runTofu(args: string[], env = tofuEnv()): Promise<{ ok: boolean; output: string }> {
  return run(tofu, args, { cwd: workdir, env, timeout: 120_000 }).then(
    ({ stdout, stderr }) => ({ ok: true, output: stdout + stderr }),
    (error: { stdout?: string; stderr?: string }) => ({
      ok: false,
      output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    }),
  );
}

describe('kubernetes state backend with state encryption', { timeout: 300_000 }, () => {
  before(async () => {
    console.log("# providers: none; OpenTofu's built-in terraform_data and the kubernetes backend");
    clusterDir = mkdtempSync(join(tmpdir(), 'cdktf-flux-e2e-state-'));
    cluster = await startCluster(clusterDir, BINARIES);
    const { bootstrap } = await addFluxEnvironment(Testing.app(), {
      name: 'dev',
      backend: { type: 'kubernetes', configPath: cluster.kubeconfig },
      encryptState: true,
    });
    const synthesized = synthStack(bootstrap);
    const terraform = synthesized.terraform as { backend: object; encryption: object };
    workdir = join(mkdtempSync(join(tmpdir(), 'cdktf-flux-e2e-tofu-')), 'dev-flux-bootstrap');
    mkdirSync(workdir);
    writeFileSync(
      join(workdir, 'main.tf.json'),
      JSON.stringify({
        terraform: { backend: terraform.backend, encryption: terraform.encryption },
        variable: { state_passphrase: synthesized.variable?.state_passphrase },
        // Holds the apply (and its lock) until the test lets it go: no race with a fixed sleep.
        resource: {
          terraform_data: {
            hold: {
              input: 'v1',
              provisioner: [{ 'local-exec': { command: 'while [ ! -e release ]; do sleep 0.1; done' } }],
            },
          },
        },
      }),
    );
  });
  after(async () => {
    await cluster?.stop();
    rmSync(clusterDir, { recursive: true, force: true });
    rmSync(join(workdir, '..'), { recursive: true, force: true });
  });

  test('initializes against the cluster with the synthesized backend', async () => {
    const init = await runTofu(['init', '-no-color']);
    assert.ok(init.ok, init.output);
    assert.match(init.output, /Successfully configured the backend "kubernetes"/);
  });

  test('holds a lock while applying, so a second run is refused until it ends', async () => {
    const apply = spawn(tofu, ['apply', '-auto-approve', '-no-color'], { cwd: workdir, env: tofuEnv() });
    let applyOutput = '';
    apply.stdout.on('data', (d) => (applyOutput += d));
    apply.stderr.on('data', (d) => (applyOutput += d));
    const finished = new Promise<number | null>((resolve) => apply.on('exit', resolve));
    // The provisioner runs only once the lock is taken: wait for it, not for a Lease to exist.
    for (let i = 0; i < 600 && !applyOutput.includes('Provisioning with'); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.match(applyOutput, /Provisioning with 'local-exec'/, 'the apply never reached its provisioner');
    const holders = (getJson(cluster.kubeconfig, ['leases', '-n', 'kube-system']).items as any[]).filter(
      (l) => l.metadata.name.includes('dev-flux-bootstrap') && l.spec.holderIdentity,
    );
    assert.equal(holders.length, 1, 'the lock Lease is not held');
    const second = await runTofu(['plan', '-lock-timeout=0s', '-no-color']);
    assert.equal(second.ok, false, second.output);
    assert.match(second.output, /Error acquiring the state lock/);
    writeFileSync(join(workdir, 'release'), '');
    assert.equal(await finished, 0, applyOutput);
    const after = await runTofu(['plan', '-no-color', '-detailed-exitcode']);
    assert.ok(after.ok, after.output);
    assert.match(after.output, /No changes/);
  });

  test('keeps the state in a Secret of the cluster, encrypted', async () => {
    const secret = getJson(cluster.kubeconfig, ['secret', 'tfstate-default-dev-flux-bootstrap', '-n', 'kube-system']);
    const stored = gunzipSync(Buffer.from(secret.data.tfstate, 'base64')).toString('utf8');
    const state = JSON.parse(stored);
    assert.ok(state.encrypted_data, `not encrypted: ${stored.slice(0, 200)}`);
    assert.doesNotMatch(stored, /terraform_data|"resources"/);
  });

  test('refuses to read the state with another passphrase', async () => {
    const wrong = await runTofu(
      ['plan', '-no-color'],
      tofuEnv({ TF_VAR_state_passphrase: 'a different passphrase entirely' }),
    );
    assert.equal(wrong.ok, false, wrong.output);
    assert.match(wrong.output, /decrypt/i);
  });
});
