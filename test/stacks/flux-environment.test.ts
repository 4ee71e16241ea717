import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { App, Testing } from 'cdktf';
import { Kustomization } from '../../constructs';
import { addFluxEnvironment, synthApp } from '../../stacks';
import { dev } from '../../environments';
import { REPOSITORY_LOCK_FILE } from '../support/manifest-fixtures';
import { manifests, MANIFESTS_DIR } from '../support/manifests';
import { manifestsOf, synthStack } from '../support/synth';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('addFluxEnvironment', () => {
  test('adds a new environment in a few lines, beside dev and independent of it', async () => {
    const app = Testing.app();
    await addFluxEnvironment(app, dev);
    const staging = await addFluxEnvironment(app, {
      name: 'staging',
      kubeContext: 'staging',
      clusterPath: 'clusters/staging',
      appsPath: './apps/staging',
    });
    assert.deepEqual(
      app.node.children.map((c) => c.node.id),
      ['dev-flux-bootstrap', 'dev-flux-sync', 'staging-flux-bootstrap', 'staging-flux-sync'],
    );
    const objects = manifestsOf(synthStack(staging.sync));
    assert.equal(objects['kustomization_flux-system_apps'].spec.path, './apps/staging');
    assert.equal(objects['kustomization_flux-system_infra-controllers'].spec.path, './infrastructure/controllers');
    assert.deepEqual(staging.sync.dependencies, [staging.bootstrap]);
    assert.equal(Object.keys(manifestsOf(synthStack(staging.bootstrap))).length, 32);
  });

  test('keeps the token and any private key out of the synthesized output', async () => {
    const marker = `ghp_cdktfFluxTestToken${Date.now()}`;
    const saved = { ...process.env };
    Object.assign(process.env, { TF_VAR_github_token: marker, GITHUB_TOKEN: marker });
    try {
      const outdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-synth-'));
      const app = new App({ outdir });
      await addFluxEnvironment(app, dev);
      await addFluxEnvironment(app, { name: 'https', kubeContext: 'https', gitAuth: { type: 'https-token' } });
      synthApp(app);
      const files = filesUnder(outdir);
      assert.ok(files.length >= 4, files.join(', '));
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        assert.ok(!text.includes(marker), `${file} holds the token`);
        assert.doesNotMatch(text, /PRIVATE KEY|ghp_[A-Za-z0-9]/, file);
      }
      const bootstrap = JSON.parse(readFileSync(join(outdir, 'stacks', 'dev-flux-bootstrap', 'cdk.tf.json'), 'utf8'));
      assert.equal(bootstrap.variable.github_token, undefined);
      const https = JSON.parse(readFileSync(join(outdir, 'stacks', 'https-flux-bootstrap', 'cdk.tf.json'), 'utf8'));
      assert.deepEqual([https.variable.github_token.default, https.variable.github_token.sensitive], [undefined, true]);
    } finally {
      process.env = saved;
    }
  });

  test('writes nothing when any stack is invalid, and removes a stale manifest', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-synth-'));
    const good = new App({ outdir });
    await addFluxEnvironment(good, dev);
    synthApp(good);
    assert.ok(existsSync(join(outdir, 'manifest.json')));

    const bad = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdktf-flux-synth-')) });
    await addFluxEnvironment(bad, dev);
    const { sync } = await addFluxEnvironment(bad, { name: 'staging', kubeContext: 'staging' });
    new Kustomization(sync, 'everything', { manifests: manifests(), sourceRef: sync.source, prune: true });
    assert.throws(
      () => synthApp(bad),
      /Validation failed:\n {2}Kustomization flux-system\/everything: path "\(root\)" applies clusters\/staging\/flux-system/,
    );
    assert.deepEqual(
      filesUnder(bad.outdir),
      [],
      'no stack of the invalid app was written, not even the valid dev stacks',
    );

    const stale = new App({ outdir });
    const again = await addFluxEnvironment(stale, dev);
    new Kustomization(again.sync, 'everything', {
      manifests: manifests(),
      sourceRef: again.sync.source,
      prune: true,
    });
    assert.throws(() => synthApp(stale));
    assert.equal(
      existsSync(join(outdir, 'manifest.json')),
      false,
      "the earlier run's manifest would be mistaken for this one",
    );
  });

  test('writes each object without references to a manifest file that cdk.tf.json reads, and no other', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-synth-'));
    const stackDir = join(outdir, 'stacks', 'dev-flux-bootstrap');
    const first = new App({ outdir });
    const { bootstrap } = await addFluxEnvironment(first, dev);
    synthApp(first);
    const json = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
    const resources = Object.entries(json.resource.kubernetes_manifest as Record<string, { manifest: unknown }>);
    assert.equal(resources.length, 32);
    const evaluated = synthStack(bootstrap).resource.kubernetes_manifest;
    for (const [name, { manifest }] of resources) {
      assert.equal(manifest, `\${jsondecode(file("\${path.module}/manifests/${name}.json"))}`);
      assert.deepEqual(
        JSON.parse(readFileSync(join(stackDir, 'manifests', `${name}.json`), 'utf8')),
        evaluated[name].manifest,
      );
    }
    // Literal text stays literal in a file: nothing reads it as a template.
    const kustomizations = readFileSync(
      join(stackDir, 'manifests', 'customresourcedefinition_kustomizations_kustomize_toolkit_fluxcd_io.json'),
      'utf8',
    );
    assert.match(kustomizations, /\$\{var:=default\}/);
    assert.doesNotMatch(kustomizations, /\$\$\{/);

    // An object no longer declared leaves no file behind.
    const fewer = new App({ outdir });
    await addFluxEnvironment(fewer, { ...dev, install: { networkPolicy: false } });
    synthApp(fewer);
    const files = readdirSync(join(stackDir, 'manifests'));
    assert.equal(files.length, 32 - 3);
    assert.ok(!files.some((f) => f.startsWith('networkpolicy_')), files.join(', '));
  });

  test("takes the manifests lock, cache folder and manifests folder from the app's options", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdktf-flux-options-'));
    const manifestsDir = join(dir, 'manifests');
    cpSync(join(MANIFESTS_DIR, 'v2.9.4'), join(manifestsDir, 'v2.9.4'), { recursive: true });
    const options = { lockFile: join(dir, 'team.lock.json'), cacheDir: join(dir, 'cache'), manifestsDir };
    writeFileSync(options.lockFile, JSON.stringify({ '//': 'pins nothing', manifests: [] }));
    await assert.rejects(
      addFluxEnvironment(Testing.app(), dev, options),
      new RegExp(
        `Flux manifests ${manifestsDir}/v2\\.9\\.4/gotk-components\\.yaml .* which ${options.lockFile} does not list`,
      ),
    );
    cpSync(REPOSITORY_LOCK_FILE, options.lockFile);
    const { bootstrap } = await addFluxEnvironment(Testing.app(), dev, options);
    assert.equal(bootstrap.install.version, 'v2.9.4');
    assert.equal(readdirSync(join(options.cacheDir, 'parsed')).length, 1, 'the parsed manifests, in the given cache');
  });

  test('parses the manifests once for many environments', async () => {
    const app = Testing.app();
    const a = await addFluxEnvironment(app, { name: 'a' });
    const b = await addFluxEnvironment(app, { name: 'b', kubeContext: 'b' });
    assert.equal(a.bootstrap.install.objects.length, 32);
    assert.notEqual(a.bootstrap.install.objects, b.bootstrap.install.objects);
    assert.equal(manifests(), manifests());
  });
});
