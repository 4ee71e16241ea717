import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';

// The package's executable, cdktf-flux (cli/cdktf-flux.ts, as package.json's bin runs it compiled):
// what it says when asked for help or given something it does not know. test/package runs the
// compiled one in a fresh app.

const root = join(__dirname, '..', '..');

function cdktfFlux(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli', 'cdktf-flux.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
}

const COMMAND_LINES = [
  /^ {2}deploy \[--auto-approve\] \[--var name=value\]\.\.\. \[--var-file file\]\.\.\. <stack>\.\.\.$/m,
  /^ {2}review <stack> \[<plan\.json> \| -\]$/m,
  /^ {2}manifests-lock <version \(v2\.9\.4\) \| url \| file>\.\.\.$/m,
];

describe('cdktf-flux', () => {
  test('--help prints the usage, naming each command with its arguments, and exits 0', () => {
    for (const help of ['--help', '-h', 'help']) {
      const result = cdktfFlux(help);
      assert.equal(result.status, 0, help);
      assert.match(result.stdout, /^usage: cdktf-flux <command> \[<args>\]\n/);
      for (const line of COMMAND_LINES) assert.match(result.stdout, line);
      assert.equal(result.stderr, '');
    }
  });

  test('fails if the command is unknown, naming it and printing the usage', () => {
    const result = cdktfFlux('deplyo', 'dev-flux-bootstrap');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^cdktf-flux: deplyo is not a command\nusage: cdktf-flux <command> \[<args>\]\n/);
    for (const line of COMMAND_LINES) assert.match(result.stderr, line);
    assert.equal(result.stdout, '');
  });

  test('fails if given no command, printing the usage', () => {
    const result = cdktfFlux();
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^usage: cdktf-flux <command> \[<args>\]\n/);
  });

  test('<command> --help prints the usage of that command alone', () => {
    const result = cdktfFlux('manifests-lock', '--help');
    assert.equal(result.status, 0);
    assert.match(
      result.stdout,
      /^usage: cdktf-flux manifests-lock <version \(v2\.9\.4\) \| url \| file>\.\.\.\n {2}pins /,
    );
    assert.doesNotMatch(result.stdout, /deploy/);
  });
});
