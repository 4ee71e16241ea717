import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { TOOLCHAIN_BIN } from './support/kubectl';

// The real cdktf CLI driving the real OpenTofu through TERRAFORM_BINARY_NAME: deploy, a no-op
// diff, destroy. The stacks' own resources need providers that cannot be obtained here, so the
// app deploys a built-in terraform_data resource; what is tested is the CLI and binary path.

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

describe('cdktf CLI with OpenTofu', { timeout: 180_000 }, () => {
  const project = mkdtempSync(join(tmpdir(), 'cdktf-flux-cli-'));
  symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'));
  writeFileSync(
    join(project, 'main.ts'),
    [
      "import { App, LocalBackend, TerraformResource, TerraformStack } from 'cdktf';",
      'const app = new App();',
      "const stack = new TerraformStack(app, 'probe');",
      "new LocalBackend(stack, { path: 'probe.tfstate' });",
      "new TerraformResource(stack, 'marker', { terraformResourceType: 'terraform_data' }).addOverride('input', process.env.MARKER ?? 'v1');",
      'app.synth();',
    ].join('\n'),
  );
  writeFileSync(join(project, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'npx tsx main.ts', terraformProviders: [], sendCrashReports: 'false' }));
  const cdktf = (args: string[], extra: Record<string, string> = {}) =>
    run(join(root, 'node_modules', '.bin', 'cdktf'), args, {
      cwd: project,
      timeout: 120_000,
      env: { ...process.env, TERRAFORM_BINARY_NAME: join(TOOLCHAIN_BIN, 'tofu'), TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: 'true', CI: 'true', ...extra },
    }).then(({ stdout, stderr }) => stdout + stderr);

  test('deploys, reports no changes on a second diff, shows a change, and destroys', async () => {
    assert.match(await cdktf(['deploy', 'probe', '--auto-approve']), /Apply complete! Resources: 1 added/);
    assert.ok(existsSync(join(project, 'cdktf.out', 'stacks', 'probe', 'probe.tfstate')));
    assert.match(await cdktf(['diff', 'probe']), /No changes|no differences/);
    assert.match(await cdktf(['diff', 'probe'], { MARKER: 'v2' }), /1 to change|must be replaced|1 to add, 0 to change, 1 to destroy/);
    assert.match(await cdktf(['destroy', 'probe', '--auto-approve']), /Destroy complete! Resources: 1 destroyed/);
  });
});
