import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { readLock } from '../lib/manifests-lock';
import { REPOSITORY_LOCK_FILE } from './support/manifest-fixtures';
import { MANIFESTS_DIR } from './support/manifests';
import { releaseFiles, releaseInstallYaml, releaseMirror, sha256 } from './support/release-mirror';

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

  test('npm run synth, online with nothing set, pins the verified release in the lock and caches it', async () => {
    const installYaml = releaseInstallYaml('v2.9.4');
    const release = await releaseMirror(releaseFiles('v2.9.4', installYaml));
    const dir = mkdtempSync(join(tmpdir(), 'cdktf-flux-cli-'));
    const lockFile = join(dir, 'flux-manifests.lock.json');
    copyFileSync(REPOSITORY_LOCK_FILE, lockFile);
    const online: NodeJS.ProcessEnv = {
      ...env,
      FLUX_RELEASES_URL: release.url,
      FLUX_MANIFESTS_LOCK: lockFile,
      XDG_CACHE_HOME: join(dir, 'cache'),
    };
    delete online.FLUX_MANIFESTS_DIR;
    // npm run synth runs the app itself, which writes where CDKTF_OUTDIR says, as under cdktf synth.
    const synth = (output: string) =>
      run('npm', ['run', 'synth'], {
        cwd: root,
        env: { ...online, CDKTF_OUTDIR: join(dir, output) },
        timeout: 120_000,
      });
    try {
      const { stdout } = await synth('out');
      assert.match(
        stdout,
        new RegExp(
          `Pinned Flux v2\\.9\\.4 \\(release: .*\\) sha256 ${sha256(installYaml)} from .* in ${lockFile}; commit it`,
        ),
      );
      assert.equal(readLock(lockFile).find((e) => e.source === 'release')?.sha256, sha256(installYaml));
      const bootstrap = JSON.parse(
        readFileSync(join(dir, 'out', 'stacks', 'dev-flux-bootstrap', 'cdk.tf.json'), 'utf8'),
      );
      assert.equal(Object.keys(bootstrap.resource.kubernetes_manifest).length, 32, 'the four default controllers');
    } finally {
      release.server.close();
    }
    const again = await synth('again');
    assert.doesNotMatch(again.stdout, /Pinned/, 'offline from the cache, pinned already');
    assert.ok(existsSync(join(dir, 'again', 'stacks', 'dev-flux-bootstrap', 'cdk.tf.json')));
  });

  test('two npm run synth at once into one folder: the second waits, and both leave complete output', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-cli-'));
    const synth = () => run('npm', ['run', 'synth'], { cwd: root, env: { ...env, CDKTF_OUTDIR: outdir } });
    await Promise.all([synth(), synth()]);
    const bootstrap = JSON.parse(readFileSync(join(outdir, 'stacks', 'dev-flux-bootstrap', 'cdk.tf.json'), 'utf8'));
    assert.equal(Object.keys(bootstrap.resource.kubernetes_manifest).length, 32);
    assert.equal(existsSync(join(outdir, '.synth.lock')), false, 'the lock was left behind');
  });
});
