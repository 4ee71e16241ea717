import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { MANIFESTS_DIR } from './support/manifests';

const run = promisify(execFile);
const root = join(__dirname, '..');
const cli = join(root, 'node_modules', '.bin', 'cdktf');
const env = {
  ...process.env,
  FLUX_MANIFESTS_DIR: MANIFESTS_DIR,
  CHECKPOINT_DISABLE: '1',
  DISABLE_VERSION_CHECK: 'true',
  CI: 'true',
};

describe('cdktf synth (the real CLI running main.ts)', () => {
  test('synthesizes both dev stacks with their dependency', async () => {
    const output = mkdtempSync(join(tmpdir(), 'cdktf-flux-cli-'));
    await run(cli, ['synth', '--output', output], { cwd: root, env, timeout: 120_000 });
    const manifest = JSON.parse(readFileSync(join(output, 'manifest.json'), 'utf8'));
    assert.deepEqual(Object.keys(manifest.stacks), ['dev-flux-bootstrap', 'dev-flux-sync']);
    assert.deepEqual(manifest.stacks['dev-flux-sync'].dependencies, ['dev-flux-bootstrap']);
    const bootstrap = JSON.parse(readFileSync(join(output, 'stacks', 'dev-flux-bootstrap', 'cdk.tf.json'), 'utf8'));
    assert.equal(Object.keys(bootstrap.resource.kubernetes_manifest).length, 32);
  });

  test('fails with the manifests message and writes no manifest when Flux manifests cannot be found', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'cdktf-flux-cli-'));
    const output = join(empty, 'out');
    const offline = {
      ...env,
      FLUX_MANIFESTS_DIR: empty,
      XDG_CACHE_HOME: join(empty, 'cache'),
      FLUX_RELEASES_URL: 'http://127.0.0.1:1',
    };
    const failure = await run(cli, ['synth', '--output', output], { cwd: root, env: offline, timeout: 120_000 }).then(
      () => assert.fail('synth should fail'),
      (error: { stdout: string; stderr: string }) => `${error.stdout}${error.stderr}`,
    );
    assert.match(failure, /Flux v2\.9\.4 install manifests not found/);
    assert.match(failure, /flux install --version=v2\.9\.4 --export/);
    assert.equal(existsSync(join(output, 'manifest.json')), false);
  });
});
