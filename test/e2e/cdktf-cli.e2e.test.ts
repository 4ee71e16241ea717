import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { EnvironmentSettings } from '../../settings';
import { MANIFESTS_DIR } from '../support/manifests';
import { TOOLCHAIN_BIN } from './support/kubectl';
import { CdktfProject } from './support/project';

// The real cdktf CLI driving the real OpenTofu through TERRAFORM_BINARY_NAME: deploy, a no-op
// diff, destroy. The stacks' own resources need providers that cannot be obtained here, so the
// app deploys a built-in terraform_data resource; what is tested is the CLI and binary path.

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

describe('cdktf CLI with OpenTofu', { timeout: 180_000 }, () => {
  console.log("# providers: none; OpenTofu's built-in terraform_data");
  const project = mkdtempSync(join(tmpdir(), 'cdktf-flux-cli-'));
  after(() => rmSync(project, { recursive: true, force: true }));
  symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'));
  writeFileSync(
    join(project, 'main.ts'),
    [
      "import { App, LocalBackend, TerraformResource, TerraformStack } from 'cdktf';",
      'const app = new App();',
      "const stack = new TerraformStack(app, 'probe');",
      "new LocalBackend(stack, { path: 'probe.tfstate' });",
      "new TerraformResource(stack, 'marker', { terraformResourceType: 'terraform_data' })",
      "  .addOverride('input', process.env.MARKER ?? 'v1');",
      'app.synth();',
    ].join('\n'),
  );
  writeFileSync(
    join(project, 'cdktf.json'),
    JSON.stringify({
      language: 'typescript',
      app: 'npx tsx main.ts',
      terraformProviders: [],
      sendCrashReports: 'false',
    }),
  );
  const cdktf = (args: string[], extra: Record<string, string> = {}) =>
    run(join(root, 'node_modules', '.bin', 'cdktf'), args, {
      cwd: project,
      timeout: 120_000,
      env: {
        ...process.env,
        TERRAFORM_BINARY_NAME: join(TOOLCHAIN_BIN, 'tofu'),
        TF_CLI_CONFIG_FILE: '/dev/null',
        CHECKPOINT_DISABLE: '1',
        DISABLE_VERSION_CHECK: 'true',
        CI: 'true',
        ...extra,
      },
    }).then(({ stdout, stderr }) => stdout + stderr);

  test('deploys, reports no changes on a second diff, shows a change, and destroys', async () => {
    assert.match(await cdktf(['deploy', 'probe', '--auto-approve']), /Apply complete! Resources: 1 added/);
    assert.ok(existsSync(join(project, 'cdktf.out', 'stacks', 'probe', 'probe.tfstate')));
    assert.match(await cdktf(['diff', 'probe']), /No changes|no differences/);
    assert.match(
      await cdktf(['diff', 'probe'], { MARKER: 'v2' }),
      /1 to change|must be replaced|1 to add, 0 to change, 1 to destroy/,
    );
    assert.match(await cdktf(['destroy', 'probe', '--auto-approve']), /Destroy complete! Resources: 1 destroyed/);
  });
});

// The app's own synth through the real cdktf CLI: what it keeps and what it never leaves behind.
describe('cdktf synth of the app', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdktf-flux-synth-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const project = new CdktfProject(dir, { FLUX_MANIFESTS_DIR: MANIFESTS_DIR });
  const out = (...path: string[]) => join(dir, 'cdktf.out', ...path);
  const synth = async (settings: EnvironmentSettings[]) => project.use(settings).cdktf(['synth']);

  test('keeps the state of an environment removed from the app: it is not under cdktf.out', async () => {
    assert.ok((await synth([{ name: 'dev' }, { name: 'staging', kubeContext: 'staging' }])).ok);
    const state = join(dir, 'terraform.staging-flux-bootstrap.tfstate');
    assert.equal(
      JSON.parse(readFileSync(out('stacks', 'staging-flux-bootstrap', 'cdk.tf.json'), 'utf8')).terraform.backend.local
        .path,
      state,
    );
    writeFileSync(state, '{"version": 4}');
    const result = await synth([{ name: 'dev' }]);
    assert.ok(result.ok, result.output);
    assert.equal(
      existsSync(out('stacks', 'staging-flux-bootstrap')),
      false,
      'cdktf removes the stack of a removed environment',
    );
    assert.ok(existsSync(state), 'and the state stays');
  });

  test('a synth refused at any stage leaves no manifest.json and no stack a deploy could pick up', async () => {
    assert.ok((await synth([{ name: 'dev' }])).ok);
    const refused = await synth([{ name: 'dev', gitHost: { hostname: 'git.example.com' } }]);
    assert.equal(refused.ok, false);
    assert.match(refused.output, /gitHost\.knownHosts is empty/);
    assert.equal(existsSync(out('manifest.json')), false);
    assert.equal(existsSync(out('stacks', 'dev-flux-bootstrap', 'cdk.tf.json')), false);
    const deploy = await project.cdktf(['deploy', '--skip-synth', '--auto-approve', 'dev-flux-bootstrap']);
    assert.equal(deploy.ok, false, 'a deploy of the old output went ahead');
  });

  test('refuses to synth while state is still in the old place under cdktf.out, saying how to move it', async () => {
    assert.ok((await synth([{ name: 'dev' }])).ok);
    const old = out('stacks', 'dev-flux-bootstrap', 'terraform.dev-flux-bootstrap.tfstate');
    writeFileSync(old, '{"version": 4}');
    const result = await synth([{ name: 'dev' }]);
    assert.equal(result.ok, false);
    assert.match(
      result.output,
      /state found under .*cdktf\.out.*Move it there before anything else:\s+mv cdktf\.out\/stacks\/dev-flux-bootstrap\/terraform\.dev-flux-bootstrap\.tfstate \.\//s,
    );
    assert.ok(existsSync(old), 'the state was deleted');
  });
});
