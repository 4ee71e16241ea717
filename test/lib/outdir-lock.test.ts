import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { lockOutdir, OUTDIR_LOCK_HOLDER } from '../../lib/outdir-lock';

const tsx = pathToFileURL(join(__dirname, '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const lockModule = join(__dirname, '..', '..', 'lib', 'outdir-lock.ts');

/**
 * Another process holding the lock of `outdir`: until told to release it (a line on stdin), or
 * for `holdMs` on its own.
 */
function holder(
  outdir: string,
  holdMs?: number,
  run = 'synth',
): Promise<{ pid: number; release: () => Promise<void> }> {
  const script =
    `const { lockOutdir } = require(${JSON.stringify(lockModule)}); ` +
    `lockOutdir(${JSON.stringify(outdir)}, 120000, ${JSON.stringify(run)}); ` +
    `console.log('held'); process.stdin.once('data', () => process.exit(0)); ` +
    (holdMs ? `setTimeout(() => process.exit(0), ${holdMs});` : '');
  const child = spawn(process.execPath, ['--import', tsx, '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolve) =>
    child.stdout.once('data', () => resolve({ pid: child.pid!, release: () => (child.stdin.write('\n'), exited) })),
  );
}

describe('lockOutdir', () => {
  test('fails if another synth holds the folder past the timeout, naming its process', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-lock-'));
    const other = await holder(outdir);
    try {
      assert.throws(
        () => lockOutdir(outdir, 300),
        new RegExp(`is in use by another synth \\(process ${other.pid}\\) for over 0.3 s; wait for it`),
      );
    } finally {
      await other.release();
    }
    lockOutdir(outdir)();
  });

  test('waits for another synth to finish, then takes the folder', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-lock-'));
    await holder(outdir, 500);
    const started = Date.now();
    const release = lockOutdir(outdir, 10_000);
    assert.equal(readFileSync(join(outdir, '.synth.lock'), 'utf8'), `${process.pid} synth`);
    assert.ok(Date.now() - started >= 200, 'it did not wait for the other synth');
    release();
    assert.equal(existsSync(join(outdir, '.synth.lock')), false);
  });

  test('takes over a lock left by a process that is gone', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-lock-'));
    writeFileSync(join(outdir, '.synth.lock'), '999999999');
    const release = lockOutdir(outdir, 300);
    assert.equal(readFileSync(join(outdir, '.synth.lock'), 'utf8'), `${process.pid} synth`);
    release();
  });

  test('is held once per process: a nested take is free', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-lock-'));
    const outer = lockOutdir(outdir);
    lockOutdir(outdir, 100)();
    assert.ok(existsSync(join(outdir, '.synth.lock')), 'the nested release left the outer lock');
    outer();
  });

  test('names a deploy that holds the folder, and lets the synth it runs (named by its pid) write', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-lock-'));
    const deploy = await holder(outdir, undefined, 'cdktf-flux deploy');
    try {
      assert.throws(() => lockOutdir(outdir, 300), /is in use by another cdktf-flux deploy \(process \d+\)/);
      process.env[OUTDIR_LOCK_HOLDER] = String(deploy.pid);
      lockOutdir(outdir, 300)();
      assert.match(readFileSync(join(outdir, '.synth.lock'), 'utf8'), new RegExp(`^${deploy.pid} `), 'still held');
    } finally {
      delete process.env[OUTDIR_LOCK_HOLDER];
      await deploy.release();
    }
  });
});
