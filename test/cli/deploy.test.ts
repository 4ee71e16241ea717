import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

// cdktf-flux deploy's own part (npm run deploy in this repository), with a recording stand-in for
// OpenTofu (the live suite runs it with OpenTofu itself): which stacks it applies in which order,
// when it runs init, what it refuses.

const root = join(__dirname, '..', '..');
const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/**
 * A project whose app writes two stacks, the sync stack depending on the bootstrap stack, into the
 * folder CDKTF_OUTDIR names, as a cdktf App does; `output` is cdktf.json's.
 */
function project(output?: string): { dir: string; calls: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'cdktf-flux-deploy-'));
  const manifest = {
    stacks: {
      'dev-flux-sync': { dependencies: ['dev-flux-bootstrap'] },
      'dev-flux-bootstrap': { dependencies: [] },
    },
  };
  const app = [
    `const fs = require('fs');`,
    `const out = process.env.CDKTF_OUTDIR ?? 'cdktf.out';`,
    `fs.writeFileSync(out + '/manifest.json', ${JSON.stringify(JSON.stringify(manifest))});`,
    `for (const s of ['dev-flux-bootstrap', 'dev-flux-sync']) {`,
    `  fs.mkdirSync(out + '/stacks/' + s, { recursive: true });`,
    `  fs.writeFileSync(out + '/stacks/' + s + '/cdk.tf.json',`,
    `  JSON.stringify({ terraform: { required_providers: { tls: { version: '4.1.0' } } } }));`,
    `}`,
  ].join('\n');
  writeFileSync(join(dir, 'app.js'), app);
  writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ app: `${process.execPath} app.js`, output }));
  // Records each call as "<stack> <args>"; init leaves what a real init leaves.
  const tofu = join(dir, 'tofu');
  writeFileSync(
    tofu,
    [
      '#!/bin/sh',
      `echo "$(basename "$PWD") $*" >> ${join(dir, 'calls')}`,
      'if [ "$1" = init ]; then mkdir -p .terraform && touch .terraform.lock.hcl; fi',
    ].join('\n'),
  );
  chmodSync(tofu, 0o755);
  const calls = () => readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
  return { dir, calls };
}

function deploy(dir: string, args: string[]) {
  return spawnSync(process.execPath, ['--import', tsx, join(root, 'cli', 'cdktf-flux.ts'), 'deploy', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, TERRAFORM_BINARY_NAME: join(dir, 'tofu') },
  });
}

describe('cdktf-flux deploy', () => {
  test('applies the named stacks dependencies first, and runs init only where the stack needs one', () => {
    const { dir, calls } = project();
    const first = deploy(dir, ['--auto-approve', '--var', 'git_branch=main', 'dev-flux-sync', 'dev-flux-bootstrap']);
    assert.equal(first.status, 0, first.stderr);
    // Each apply after a read of the state, for what an earlier run left (cli/recovery.ts).
    assert.deepEqual(calls(), [
      'dev-flux-bootstrap init -input=false',
      'dev-flux-bootstrap state pull',
      'dev-flux-bootstrap apply -auto-approve -input=false -var=git_branch=main',
      'dev-flux-sync init -input=false',
      'dev-flux-sync state pull',
      'dev-flux-sync apply -auto-approve -input=false -var=git_branch=main',
    ]);
    assert.equal(deploy(dir, ['dev-flux-bootstrap']).status, 0);
    assert.deepEqual(
      calls().slice(6),
      ['dev-flux-bootstrap state pull', 'dev-flux-bootstrap apply'],
      'initialised already: no second init',
    );
  });

  test('runs init again when the providers or the backend change', () => {
    const { dir, calls } = project();
    assert.equal(deploy(dir, ['--auto-approve', 'dev-flux-bootstrap']).status, 0);
    writeFileSync(
      join(dir, 'app.js'),
      readFileSync(join(dir, 'app.js'), 'utf8').replace("version: '4.1.0'", "version: '4.2.0'"),
    );
    assert.equal(deploy(dir, ['--auto-approve', 'dev-flux-bootstrap']).status, 0);
    assert.deepEqual(
      calls().filter((c) => c.includes(' init')),
      ['dev-flux-bootstrap init -input=false', 'dev-flux-bootstrap init -input=false'],
    );
  });

  test('fails if an option is not one it takes, naming it and the cdktf command to use instead', () => {
    const { dir } = project();
    const result = deploy(dir, ['--parallelism=3', 'dev-flux-bootstrap']);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /--parallelism=3 is not an option of cdktf-flux deploy \(--auto-approve, --var, --var-file\); for other cdktf deploy options run npx cdktf deploy --skip-provider-lock --parallelism=3 dev-flux-bootstrap/,
    );
  });

  test('fails if a stack is unknown or none is named, listing the stacks', () => {
    const { dir } = project();
    assert.match(
      deploy(dir, ['dev-flux-synk']).stderr,
      /dev-flux-synk: no such stack; the app's stacks are dev-flux-sync, dev-flux-bootstrap/,
    );
    assert.match(deploy(dir, []).stderr, /name the stacks to deploy: dev-flux-sync, dev-flux-bootstrap/);
  });

  test("synthesizes into the folder cdktf.json's output names, and applies the stacks there", () => {
    const { dir, calls } = project('out');
    const result = deploy(dir, ['--auto-approve', 'dev-flux-bootstrap']);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(existsSync(join(dir, 'out', 'stacks', 'dev-flux-bootstrap', '.terraform', 'cdktf-flux-init.sha256')));
    assert.equal(existsSync(join(dir, 'cdktf.out')), false);
    assert.deepEqual(calls(), [
      'dev-flux-bootstrap init -input=false',
      'dev-flux-bootstrap state pull',
      'dev-flux-bootstrap apply -auto-approve -input=false',
    ]);
  });

  test("fails if the folder has no cdktf.json, saying to run it in the app's folder", () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdktf-flux-deploy-'));
    const result = deploy(dir, ['dev-flux-bootstrap']);
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      `deploy: there is no cdktf.json in ${dir}: run cdktf-flux deploy in the app's folder, where cdktf.json ` +
        'names the command that runs the app\n',
    );
  });

  test('fails if synth fails, applying nothing', () => {
    const { dir } = project();
    writeFileSync(join(dir, 'app.js'), 'process.exit(3)');
    const result = deploy(dir, ['dev-flux-bootstrap']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /synth \(.* app\.js\) failed; nothing was deployed/);
  });

  test('after a state lock another run holds, says how to wait for it or release it, naming the lock', () => {
    const { dir } = project();
    // What OpenTofu 1.10 prints (clistate/state.go, LockInfo.String) in its error box.
    const locked = [
      '╷',
      '│ Error: Error acquiring the state lock',
      '│ ',
      '│ Error message: the state is already locked by another terraform client',
      '│ Lock Info:',
      '│   ID:        8c8d9a5e-5b34-4f5e-b6b1-0c5a3f0e6d2a',
      '│   Path:      ',
      '│   Operation: OperationTypeApply',
      '│   Who:       ci@runner-7',
      '│   Version:   1.10.10',
      '╵',
    ];
    const tofu = join(dir, 'tofu');
    const failApply = `if [ "$1" = apply ]; then cat >&2 <<'EOF'\n${locked.join('\n')}\nEOF\nexit 1; fi`;
    writeFileSync(tofu, `${readFileSync(tofu, 'utf8')}\n${failApply}\n`);
    const result = deploy(dir, ['--auto-approve', 'dev-flux-bootstrap']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /Error acquiring the state lock/, "OpenTofu's own error is shown");
    assert.match(
      result.stderr,
      new RegExp(
        'dev-flux-bootstrap: another run holds its state lock \\(ci@runner-7\\), so nothing was changed\\. If that ' +
          'run is still going, wait for it and deploy again\\. If it was killed, the lock stays in the backend: ' +
          'release it with \\(cd cdktf\\.out/stacks/dev-flux-bootstrap && \\S+ force-unlock ' +
          '8c8d9a5e-5b34-4f5e-b6b1-0c5a3f0e6d2a\\), then deploy again\\.',
      ),
    );
  });
});
