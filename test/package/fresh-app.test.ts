import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { App } from 'cdktf';
import { production, staging } from '../../examples/consumer/environments';
import { readLock } from '../../lib/manifests-lock';
import { addFluxEnvironment, synthApp } from '../../stacks';
import { REPOSITORY_LOCK_FILE } from '../support/manifest-fixtures';
import { MANIFESTS_DIR } from '../support/manifests';

// The library as another team gets it: packed, installed from the tarball into a new CDKTF
// TypeScript app laid out as `cdktf init --template=typescript` lays it out (examples/consumer),
// compiled by that app's strict tsconfig and synthesized by the command its cdktf.json names; its
// executable, cdktf-flux, run there with npx.

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const example = join(root, 'examples', 'consumer');
const EXAMPLE_FILES = ['package.json', 'cdktf.json', 'tsconfig.json', 'main.ts', 'environments.ts'];

/** The environment of a user's shell: none of npm run's own variables, and no lock of the tests. */
function userEnv(cache: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  delete env.FLUX_MANIFESTS_LOCK;
  return { ...env, FLUX_MANIFESTS_DIR: MANIFESTS_DIR, XDG_CACHE_HOME: cache, CI: 'true' };
}

interface Synthesized {
  readonly manifest: Record<string, unknown>;
  /** Per stack: cdk.tf.json and each file beside it, parsed, paths inside the project written <project>. */
  readonly stacks: Record<string, Record<string, unknown>>;
}

function readJson(file: string, project: string): Record<string, any> {
  return JSON.parse(readFileSync(file, 'utf8').split(project).join('<project>')) as Record<string, any>;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** What a synth wrote into `outdir`, for a project in `project`. */
function synthesized(outdir: string, project: string): Synthesized {
  const stacks = join(outdir, 'stacks');
  return {
    manifest: readJson(join(outdir, 'manifest.json'), project),
    stacks: Object.fromEntries(
      readdirSync(stacks).map((stack) => [
        stack,
        Object.fromEntries(
          filesUnder(join(stacks, stack)).map((f) => [relative(join(stacks, stack), f), readJson(f, project)]),
        ),
      ]),
    ),
  };
}

/** The same synthesis with the framework's version set aside, where cdktn writes its own. */
function withoutFrameworkVersion(s: Synthesized): Synthesized {
  const stacks = structuredClone(s.stacks) as Record<string, Record<string, any>>;
  for (const files of Object.values(stacks)) delete files['cdk.tf.json']['//'].metadata.version;
  const { version, ...manifest } = s.manifest;
  assert.equal(typeof version, 'string');
  return { manifest, stacks };
}

/** A new app from examples/consumer with cdktf-flux from `tarball`; `change` edits its package.json. */
async function freshApp(
  dir: string,
  tarball: string,
  env: NodeJS.ProcessEnv,
  change: (pkg: Record<string, any>) => void = () => undefined,
): Promise<string> {
  mkdirSync(dir);
  for (const file of EXAMPLE_FILES) cpSync(join(example, file), join(dir, file));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  pkg.dependencies['cdktf-flux'] = `file:${tarball}`;
  change(pkg);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  // The lock a user commits after the first synth pins the same manifests as this repository's.
  cpSync(REPOSITORY_LOCK_FILE, join(dir, 'flux-manifests.lock.json'));
  // From the npm cache npm ci filled, going to the registry only for what it lacks.
  const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, env });
  return `${install.stdout}${install.stderr}`;
}

/** Runs the app as cdktf synth does: the command cdktf.json names, in the project's folder. */
function synth(dir: string, env: NodeJS.ProcessEnv) {
  const { app } = JSON.parse(readFileSync(join(dir, 'cdktf.json'), 'utf8')) as { app: string };
  return run('/bin/sh', ['-c', app], { cwd: dir, env, timeout: 120_000 });
}

describe('a fresh CDKTF app that installs the packed library', { timeout: 600_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'cdktf-flux-fresh-app-'));
  const env = userEnv(join(work, 'cache'));
  let tarball = '';
  let expected: Synthesized;

  before(async () => {
    const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, env });
    tarball = join(work, stdout.trim().split('\n').pop()!);
    // What this repository's app synthesizes for the same settings.
    const outdir = join(work, 'repository-out');
    const app = new App({ outdir });
    for (const environment of [staging, production]) await addFluxEnvironment(app, environment);
    synthApp(app);
    expected = synthesized(outdir, root);
  });

  test("pins the framework as this repository's app does", () => {
    const example = JSON.parse(readFileSync(join(root, 'examples', 'consumer', 'package.json'), 'utf8'));
    const repository = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    for (const name of Object.keys(repository.peerDependencies))
      assert.equal(example.dependencies[name], repository.devDependencies[name], name);
  });

  test('packs compiled JavaScript and declarations, one entry point, one executable, no sources or tests', async () => {
    const files = (await run('tar', ['-tzf', tarball])).stdout.trim().split('\n');
    const expected = ['dist/index.js', 'dist/index.d.ts', 'dist/cli/cdktf-flux.js', 'CHANGELOG.md', 'README.md'];
    for (const file of [...expected, 'package.json']) assert.ok(files.includes(`package/${file}`), file);
    const stray = files.filter(
      (f) => !/^package\/(dist\/.*\.(js|d\.ts)|CHANGELOG\.md|README\.md|LICENSE|package\.json)$/.test(f),
    );
    assert.deepEqual(stray, []);
    assert.ok(
      !files.some((f) => /^package\/dist\/(test|bench|examples|scripts|main|environments)\b/.test(f)),
      'the app',
    );
    const pkg = JSON.parse((await run('tar', ['-xzOf', tarball, 'package/package.json'])).stdout);
    assert.deepEqual(pkg.exports, {
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './package.json': './package.json',
    });
    assert.deepEqual(pkg.bin, { 'cdktf-flux': 'dist/cli/cdktf-flux.js' });
    const bin = (await run('tar', ['-xzOf', tarball, 'package/dist/cli/cdktf-flux.js'])).stdout;
    assert.match(bin, /^#!\/usr\/bin\/env node\n/);
    assert.equal(pkg.private, undefined);
  });

  test('installs without a warning, compiles in strict mode and synthesizes what this repository does', async () => {
    const dir = join(work, 'cdktf-app');
    const output = await freshApp(dir, tarball, env);
    assert.doesNotMatch(output, /npm (warn|error)/i, output);
    await run('npm', ['ls', '--all'], { cwd: dir, env });
    await synth(dir, env);
    assert.ok(existsSync(join(dir, 'main.js')), 'tsc compiled main.ts');
    assert.deepEqual(synthesized(join(dir, 'cdktf.out'), dir), expected);
  });

  test('has the executable cdktf-flux: npx cdktf-flux --help names its commands', async () => {
    const { stdout } = await run('npx', ['--no-install', 'cdktf-flux', '--help'], {
      cwd: join(work, 'cdktf-app'),
      env,
    });
    assert.match(stdout, /^usage: cdktf-flux <command> \[<args>\]\n/);
    for (const command of ['deploy', 'review', 'manifests-lock'])
      assert.match(stdout, new RegExp(`^ {2}${command} `, 'm'), command);
  });

  test("npx cdktf-flux manifests-lock, as synth's refusal prints it, pins the file in the app's lock", async () => {
    const dir = join(work, 'cdktf-app');
    const lock = join(dir, 'flux-manifests.lock.json');
    const file = join(MANIFESTS_DIR, 'v2.9.4', 'gotk-components.yaml');
    const pinned = readLock(lock).find(
      (e) => e.version === 'v2.9.4' && e.source === 'export' && e.components.length === 4,
    );
    assert.ok(pinned, "the repository's lock pins v2.9.4's export of the four default controllers");
    // The lock without that entry: synth refuses the file, saying what to run.
    const { manifests, ...rest } = JSON.parse(readFileSync(lock, 'utf8'));
    const others = manifests.filter((e: { sha256: string }) => e.sha256 !== pinned.sha256);
    writeFileSync(lock, `${JSON.stringify({ ...rest, manifests: others }, null, 2)}\n`);
    const refusal = await synth(dir, env).then(
      () => assert.fail('synth should refuse a file the lock does not list'),
      (error: { stderr: string }) => error.stderr,
    );
    const command = /If you trust this file, run (.*) and commit the lock/.exec(refusal)?.[1];
    assert.equal(command, `npx cdktf-flux manifests-lock ${file}`, refusal);
    const { stdout } = await run('/bin/sh', ['-c', command ?? ''], { cwd: dir, env });
    assert.match(
      stdout,
      new RegExp(`^Pinned Flux v2\\.9\\.4 \\(export: .*\\) sha256 ${pinned.sha256} from ${file} in ${lock}; `),
    );
    // The lock the app synthesized with above, byte for byte (the deploy below synthesizes with it again).
    assert.equal(readFileSync(lock, 'utf8'), readFileSync(REPOSITORY_LOCK_FILE, 'utf8'));
  });

  test("npx cdktf-flux review and deploy run in the app's folder, with its cdktf.json", async () => {
    const dir = join(work, 'cdktf-app');
    const plan = join(work, 'plan.json');
    writeFileSync(plan, JSON.stringify({ format_version: '1.2', resource_changes: [] }));
    const review = await run('npx', ['--no-install', 'cdktf-flux', 'review', 'staging-flux-sync', plan], {
      cwd: dir,
      env,
    });
    assert.equal(
      review.stdout,
      '### `staging-flux-sync`: 0 to create, 0 to update, 0 to replace, 0 to delete\n\nNo changes.\n',
    );
    // Deploy synthesizes with the app's own command (tsc, then node main.js), runs OpenTofu (here a
    // stand-in that records its calls) in the app's cdktf.out, and looks with the cluster client (an
    // ES module the package depends on) for what an earlier run left on the cluster, which here
    // answers nowhere.
    const tofu = join(work, 'tofu');
    writeFileSync(
      tofu,
      [
        '#!/bin/sh',
        `echo "$(basename "$PWD") $*" >> ${join(work, 'tofu-calls')}`,
        'if [ "$1" = init ]; then mkdir -p .terraform && touch .terraform.lock.hcl; fi',
      ].join('\n'),
    );
    chmodSync(tofu, 0o755);
    const kubeconfig = join(work, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'none', cluster: { server: 'https://127.0.0.1:1' } }],
        users: [{ name: 'none', user: {} }],
        contexts: [{ name: 'staging', context: { cluster: 'none', user: 'none' } }],
        'current-context': 'staging',
      }),
    );
    rmSync(join(dir, 'cdktf.out'), { recursive: true });
    const deployEnv = { ...env, TERRAFORM_BINARY_NAME: tofu, TF_VAR_kubeconfig_path: kubeconfig };
    const failure = await run('npx', ['--no-install', 'cdktf-flux', 'deploy', 'staging-flux-bootstrap'], {
      cwd: dir,
      env: deployEnv,
    }).then(
      () => assert.fail('the cluster cannot be reached'),
      (error: { stderr: string }) => error.stderr,
    );
    assert.match(failure, /^deploy: .*ECONNREFUSED 127\.0\.0\.1:1/m);
    assert.ok(existsSync(join(dir, 'cdktf.out', 'manifest.json')), "the app's command synthesized the app");
    assert.deepEqual(readFileSync(join(work, 'tofu-calls'), 'utf8').trim().split('\n'), [
      'staging-flux-bootstrap init -input=false',
      'staging-flux-bootstrap state pull',
    ]);
  });

  test('fails with a clear error, and writes nothing, when the app holds a second copy of constructs', async () => {
    const dir = join(work, 'cdktf-app');
    const nested = join(dir, 'node_modules', 'cdktf-flux', 'node_modules', 'constructs');
    cpSync(join(dir, 'node_modules', 'constructs'), nested, { recursive: true });
    const failure = await synth(dir, env).then(
      () => assert.fail('synth should fail'),
      (error: { stderr: string }) => error.stderr,
    );
    assert.match(
      failure,
      new RegExp(
        `^addFluxEnvironment: the app was built with another copy of constructs than cdktf-flux loads: ` +
          `${join(dir, 'node_modules', 'constructs')} and ${nested}\\. .* \\(npm ls constructs lists the copies`,
      ),
    );
    assert.equal(existsSync(join(dir, 'cdktf.out', 'manifest.json')), false);
  });

  test('runs on CDK Terrain: cdktf as an alias of cdktn 0.24.0, constructs 10.6.0; the same stacks', async () => {
    const dir = join(work, 'cdktn-app');
    const output = await freshApp(dir, tarball, env, (pkg) => {
      pkg.dependencies.cdktf = 'npm:cdktn@0.24.0';
      pkg.dependencies.constructs = '10.6.0';
      // The prebuilt providers' peer range names cdktf ^0.21.0; the override points it at the alias.
      pkg.overrides = { cdktf: '$cdktf', constructs: '$constructs' };
    });
    assert.doesNotMatch(output, /npm (warn|error)/i, output);
    await run('npm', ['ls', '--all'], { cwd: dir, env });
    await synth(dir, env);
    const terrain = synthesized(join(dir, 'cdktf.out'), dir);
    assert.equal(terrain.manifest.version, '0.24.0');
    assert.deepEqual(withoutFrameworkVersion(terrain), withoutFrameworkVersion(expected));
  });
});

describe('the consumer app the README shows', () => {
  test('is quoted by the README exactly as the compiler checks it (examples/consumer)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const file of ['environments.ts', 'main.ts']) {
      const source = readFileSync(join(example, file), 'utf8');
      assert.ok(readme.includes(`\`\`\`ts\n${source}\`\`\``), `README.md does not quote examples/consumer/${file}`);
    }
  });
});
