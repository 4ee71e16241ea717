import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Testing } from 'cdktf';
import { summarizePlan } from '../../cli/plan-summary';
import { planFolderParent } from '../../cli/review';
import { addFluxEnvironment } from '../../stacks';
import { EnvironmentSettings } from '../../settings';
import '../support/manifests';
import { modelPlan } from '../support/plan';
import { synthStack } from '../support/synth';

async function stacks(settings: Partial<EnvironmentSettings> = {}) {
  const { bootstrap, sync } = await addFluxEnvironment(Testing.app(), { name: 'dev', ...settings });
  return { bootstrap: synthStack(bootstrap), sync: synthStack(sync) };
}

describe('summarizePlan', () => {
  test('summarizes the upgrade from v2.8.8 to v2.9.4 on one screen, naming every changed image tag', async () => {
    const [old, now] = [await stacks({ fluxVersion: 'v2.8.8' }), await stacks()];
    const { markdown, warnings } = summarizePlan('dev-flux-bootstrap', modelPlan(old.bootstrap, now.bootstrap));
    const lines = markdown.trimEnd().split('\n');
    assert.ok(lines.length <= 50, `${lines.length} lines:\n${markdown}`);
    assert.match(lines[0], /^### `dev-flux-bootstrap`: 0 to create, 32 to update, 0 to replace, 0 to delete$/);
    for (const [controller, from, to] of [
      ['source-controller', 'v1.8.5', 'v1.9.4'],
      ['kustomize-controller', 'v1.8.5', 'v1.9.4'],
      ['helm-controller', 'v1.5.5', 'v1.6.3'],
      ['notification-controller', 'v1.8.4', 'v1.9.3'],
    ]) {
      assert.ok(
        markdown.includes(
          `\`spec.template.spec.containers[0].image\`: \`"ghcr.io/fluxcd/${controller}:${from}"\` → ` +
            `\`"ghcr.io/fluxcd/${controller}:${to}"\``,
        ),
        `${controller}\n${markdown}`,
      );
    }
    assert.match(
      markdown,
      /Flux version label `v2\.8\.8` → `v2\.9\.4` on 32 objects; \d+ of them change nothing else and are not listed\./,
    );
    assert.match(
      markdown,
      /\| update \| CustomResourceDefinition alerts\.notification\.toolkit\.fluxcd\.io \| \d+ fields changed, \d+ in the schemas; served versions v1beta2, v1beta3 → v1beta3 \|/,
    );
    assert.doesNotMatch(markdown, /openAPIV3Schema|description/, 'CRD schemas are summarized, not printed');
    // v2.9 stops serving v1beta2 of Alert, Provider and Receiver: the one thing to act on.
    assert.deepEqual(
      warnings.map((w) => w.replace(/:.*/, '')),
      [
        'CustomResourceDefinition alerts.notification.toolkit.fluxcd.io',
        'CustomResourceDefinition providers.notification.toolkit.fluxcd.io',
        'CustomResourceDefinition receivers.notification.toolkit.fluxcd.io',
      ],
    );
    assert.match(
      markdown,
      /- ⚠️ 3 CustomResourceDefinitions: API version v1beta2 is no longer served: objects stored at v1beta2 must be migrated before this is applied .*flux migrate.* \(alerts\.notification\.toolkit\.fluxcd\.io, providers\.notification\.toolkit\.fluxcd\.io, receivers\.notification\.toolkit\.fluxcd\.io\)/,
    );
    assert.ok(markdown.indexOf('**Warnings**') < markdown.indexOf('| change |'), 'warnings come first');
  });

  test('passes a patch upgrade (v2.9.3 to v2.9.4: schemas and labels only) without a warning', async () => {
    const [old, now] = [await stacks({ fluxVersion: 'v2.9.3' }), await stacks()];
    const { markdown, warnings } = summarizePlan('dev-flux-bootstrap', modelPlan(old.bootstrap, now.bootstrap));
    assert.deepEqual(warnings, []);
    assert.match(
      markdown,
      /ghcr\.io\/fluxcd\/source-controller:v1\.9\.3"` → `"ghcr\.io\/fluxcd\/source-controller:v1\.9\.4/,
    );
  });

  test('warns when a Kustomization stops pruning', async () => {
    const { sync } = await stacks();
    const noPrune = structuredClone(sync);
    (noPrune.resource.kubernetes_manifest['kustomization_flux-system_apps'] as any).manifest.spec.prune = false;
    const { warnings } = summarizePlan('dev-flux-sync', modelPlan(sync, noPrune));
    assert.deepEqual(warnings, [
      'Kustomization flux-system/apps: prune is turned off: objects removed from the repository will stay on ' +
        'the cluster',
    ]);
  });

  test('warns when the GitRepository changes how it authenticates, naming both', async () => {
    const withUrl = (stack: Awaited<ReturnType<typeof stacks>>['sync'], url: string) => {
      const copy = structuredClone(stack);
      (copy.resource.kubernetes_manifest['gitrepository_flux-system_flux-system'] as any).manifest.spec.url = url;
      return copy;
    };
    const before = withUrl((await stacks()).sync, 'ssh://git@github.com/my-org/fleet');
    const after = withUrl(
      (await stacks({ gitAuth: { type: 'github-app', appId: 1, installationId: 2 } })).sync,
      'https://github.com/my-org/fleet',
    );
    assert.deepEqual(summarizePlan('dev-flux-sync', modelPlan(before, after)).warnings, [
      'GitRepository flux-system/flux-system: Flux authenticates with a GitHub App instead of an SSH key: from its ' +
        'next fetch the source stops updating until the host accepts the new credentials',
    ]);
    assert.deepEqual(summarizePlan('dev-flux-sync', modelPlan(after, after)).warnings, []);
  });

  test('shows a branch change as exactly that change to the GitRepository', async () => {
    const { sync } = await stacks();
    const { markdown, warnings } = summarizePlan('dev-flux-sync', modelPlan(sync, sync, { git_branch: 'release' }));
    assert.deepEqual(warnings, []);
    assert.match(markdown, /^### `dev-flux-sync`: 0 to create, 1 to update, 0 to replace, 0 to delete$/m);
    assert.match(
      markdown,
      /\| update \| GitRepository flux-system\/flux-system \| `spec\.ref\.branch`: `"main"` → `"release"` \|/,
    );
  });

  test('shows a customisation as ordinary field changes: flags added, an annotation set, no index shifts', async () => {
    const [plain, customised] = [
      await stacks(),
      await stacks({
        install: {
          multiTenancy: {},
          controllers: {
            'kustomize-controller': {
              flags: { concurrent: 20 },
              serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/flux' },
            },
          },
          // Flux's guide puts the lockdown flag first: every later arg moves one place.
          patches: [
            {
              patch: [{ op: 'add', path: '/spec/template/spec/containers/0/args/0', value: '--log-encoding=console' }],
              target: { kind: 'Deployment', name: 'notification-controller' },
            },
          ],
        },
      }),
    ];
    const { markdown, warnings } = summarizePlan(
      'dev-flux-bootstrap',
      modelPlan(plain.bootstrap, customised.bootstrap),
    );
    assert.deepEqual(warnings, []);
    assert.match(markdown, /^### `dev-flux-bootstrap`: 0 to create, 4 to update, 0 to replace, 0 to delete$/m);
    const row = (object: string) => markdown.split('\n').find((l) => l.startsWith(`| update | ${object} |`));
    assert.equal(
      row('Deployment flux-system/kustomize-controller'),
      '| update | Deployment flux-system/kustomize-controller | `spec.template.spec.containers[0].args`: added ' +
        '`"--no-cross-namespace-refs=true"`, `"--no-remote-bases=true"`, `"--default-service-account=default"`, ' +
        '`"--concurrent=20"` |',
    );
    assert.equal(
      row('ServiceAccount flux-system/kustomize-controller'),
      '| update | ServiceAccount flux-system/kustomize-controller | ' +
        '`metadata.annotations["eks.amazonaws.com/role-arn"]`: `(none)` → `"arn:aws:iam::111122223333:role/flux"` |',
    );
    assert.equal(
      row('Deployment flux-system/notification-controller'),
      '| update | Deployment flux-system/notification-controller | `spec.template.spec.containers[0].args`: added ' +
        '`"--log-encoding=console"`, `"--no-cross-namespace-refs=true"` |',
    );
  });

  test('warns that removing a Kustomization with prune makes Flux garbage-collect its objects', async () => {
    const { sync } = await stacks();
    const withoutApps = structuredClone(sync);
    delete withoutApps.resource.kubernetes_manifest['kustomization_flux-system_apps'];
    const { markdown, warnings } = summarizePlan('dev-flux-sync', modelPlan(sync, withoutApps));
    assert.deepEqual(warnings, [
      'Kustomization flux-system/apps: deleted',
      'Kustomization flux-system/apps: prune is enabled, so Flux will garbage-collect every object it applied',
    ]);
    assert.match(markdown, /\| delete \| Kustomization flux-system\/apps \| {2}\|/);
  });

  test('warns that removing a HelmRelease uninstalls its chart, unless it was suspended', async () => {
    const sources: EnvironmentSettings['sources'] = [
      { type: 'helm', name: 'charts', url: 'https://charts.example.com' },
    ];
    const release = { name: 'podinfo', source: 'charts', chart: 'podinfo' };
    const [plain, suspended] = [
      await stacks({ sources, helmReleases: [release] }),
      await stacks({ sources, helmReleases: [{ ...release, suspend: true }] }),
    ];
    const without = structuredClone(plain.sync);
    delete without.resource.kubernetes_manifest['helmrelease_flux-system_podinfo'];
    assert.deepEqual(summarizePlan('dev-flux-sync', modelPlan(plain.sync, without)).warnings, [
      'HelmRelease flux-system/podinfo: deleted',
      'HelmRelease flux-system/podinfo: helm-controller uninstalls the release, deleting every object of the ' +
        'chart; to keep them, deploy the HelmRelease with suspend: true first',
    ]);
    assert.deepEqual(summarizePlan('dev-flux-sync', modelPlan(suspended.sync, without)).warnings, [
      'HelmRelease flux-system/podinfo: deleted',
    ]);
  });

  test('warns when the deploy key is rotated, and never prints Secret data', async () => {
    const [ecdsa, ed25519] = [await stacks(), await stacks({ gitAuth: { type: 'deploy-key', algorithm: 'ED25519' } })];
    const plan = modelPlan(ecdsa.bootstrap, ed25519.bootstrap);
    for (const rc of plan.resource_changes ?? [])
      if (rc.type === 'tls_private_key') rc.change.actions.splice(0, Infinity, 'delete', 'create');
    const secret = plan.resource_changes?.find((rc) => rc.type === 'kubernetes_secret_v1');
    if (secret) {
      secret.change.actions.splice(0, Infinity, 'update');
      (secret.change.after as { data: Record<string, string> }).data.identity = '-----BEGIN OPENSSH PRIVATE KEY-----';
    }
    const { markdown, warnings } = summarizePlan('dev-flux-bootstrap', plan);
    assert.ok(
      warnings.some((w) => w.startsWith('git key pair') && w.includes('the deploy key is rotated or removed')),
      warnings.join('\n'),
    );
    assert.match(markdown, /\| replace \| git key pair/);
    assert.match(markdown, /`data\.identity`: \(sensitive\)/);
    assert.doesNotMatch(markdown, /PRIVATE KEY/);
  });

  test('counts what a deploy takes over as imports: alone, or with the update it also gets', async () => {
    const { bootstrap } = await stacks();
    const plan = modelPlan(bootstrap, bootstrap);
    const [namespace, deployKey] = ['kubernetes_manifest', 'github_repository_deploy_key'].map((type) =>
      plan.resource_changes!.find((rc) => rc.type === type)!,
    );
    Object.assign(namespace.change, { actions: ['no-op'], importing: { id: 'apiVersion=v1,kind=Namespace,name=x' } });
    Object.assign(deployKey.change, { actions: ['update'], importing: { id: 'infra-new:1000' } });
    const { markdown } = summarizePlan('dev-flux-bootstrap', plan);
    assert.match(
      markdown,
      /^### `dev-flux-bootstrap`: 0 to create, 1 to update, 0 to replace, 0 to delete, 2 to import$/m,
    );
    assert.match(markdown, /\| import \| [^|]+ \|/);
    assert.match(markdown, /\| update \| GitHub deploy key \(github_repository_deploy_key\.[^)]+\) \(imported\) \|/);
    assert.doesNotMatch(summarizePlan('dev-flux-bootstrap', modelPlan(bootstrap, bootstrap)).markdown, /to import/);
  });

  test('names the fields a deploy sets back after drift in the cluster, and only those', async () => {
    const { sync } = await stacks();
    const manifest = sync.resource.kubernetes_manifest['kustomization_flux-system_apps'].manifest as any;
    // As the provider plans it: the manifest is unchanged, the object read from the cluster has
    // the drift (and fields we do not set), the planned object has our values back.
    const live = { ...manifest, metadata: { ...manifest.metadata, annotations: { 'by-hand': 'yes' } } };
    const planned = structuredClone(live);
    live.spec = { ...manifest.spec, interval: '5h', suspend: null };
    planned.spec = { ...manifest.spec, suspend: null };
    const { markdown, warnings } = summarizePlan('dev-flux-sync', {
      resource_changes: [
        {
          address: 'kubernetes_manifest.kustomization_flux-system_apps',
          type: 'kubernetes_manifest',
          change: {
            actions: ['update'],
            before: { manifest, object: live },
            after: { manifest, object: planned },
            after_unknown: {},
          },
        },
      ],
    });
    assert.equal(
      markdown.split('\n').find((line) => line.startsWith('| update')),
      '| update | Kustomization flux-system/apps | `spec.interval`: `"5h"` → `"1h"` (drift: changed in the cluster) |',
    );
    assert.deepEqual(warnings, []);
  });

  test('says there is nothing to review when nothing changes', async () => {
    const { sync } = await stacks();
    assert.deepEqual(summarizePlan('dev-flux-sync', modelPlan(sync, sync)), {
      markdown: '### `dev-flux-sync`: 0 to create, 0 to update, 0 to replace, 0 to delete\n\nNo changes.\n',
      warnings: [],
    });
  });
});

describe('cdktf-flux review', () => {
  const run = promisify(execFile);
  const cli = join(__dirname, '..', '..', 'cli', 'cdktf-flux.ts');
  const review = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', cli, 'review', ...args]).then(
      ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  test('exits 2 and prints the summary when a warning is raised, 0 when not', async () => {
    const { sync } = await stacks();
    const withoutApps = structuredClone(sync);
    delete withoutApps.resource.kubernetes_manifest['kustomization_flux-system_apps'];
    const dir = mkdtempSync(join(tmpdir(), 'cdktf-flux-plan-json-'));
    writeFileSync(join(dir, 'risky.json'), JSON.stringify({ format_version: '1.2', ...modelPlan(sync, withoutApps) }));
    writeFileSync(join(dir, 'calm.json'), JSON.stringify({ format_version: '1.2', ...modelPlan(sync, sync) }));
    const risky = await review('dev-flux-sync', join(dir, 'risky.json'));
    assert.equal(risky.code, 2);
    assert.match(risky.stdout, /⚠️ Kustomization flux-system\/apps: prune is enabled/);
    assert.equal((await review('dev-flux-sync', join(dir, 'calm.json'))).code, 0);
  });

  test("keeps the plan in the user's runtime directory where XDG_RUNTIME_DIR names one, else in memory", () => {
    const runtime = mkdtempSync(join(tmpdir(), 'cdktf-flux-runtime-'));
    assert.equal(planFolderParent({ XDG_RUNTIME_DIR: runtime }), runtime);
    const inMemory = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    assert.equal(planFolderParent({ XDG_RUNTIME_DIR: join(runtime, 'gone') }), inMemory);
    assert.equal(planFolderParent({}), inMemory);
    rmSync(runtime, { recursive: true });
  });

  test('fails with its usage when not given a stack', async () => {
    const result = await review();
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^usage: cdktf-flux review <stack> \[<plan\.json> \| -\]\n/);
  });

  test('fails, saying what to run, when the stack was not synthesized', async () => {
    const result = await review('no-such-stack');
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /cdktf\.out\/stacks\/no-such-stack\/cdk\.tf\.json does not exist; synthesize first \(npx cdktf synth, or the app command of cdktf\.json\)/,
    );
  });

  test('reads the plan from standard input', async () => {
    const { sync } = await stacks();
    const child = execFile(process.execPath, ['--import', 'tsx', cli, 'review', 'dev-flux-sync', '-']);
    let stdout = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stdin?.end(JSON.stringify({ format_version: '1.2', ...modelPlan(sync, sync) }));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    assert.match(stdout, /No changes\./);
  });

  for (const [what, text] of [
    ['state JSON', JSON.stringify({ format_version: '1.0', values: { root_module: {} } })],
    ['null', 'null'],
    ['a number', '42'],
    ['an array', '[]'],
  ]) {
    test(`fails if given ${what} instead of a plan`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cdktf-flux-plan-json-'));
      writeFileSync(join(dir, 'input.json'), text);
      const result = await review('dev-flux-sync', join(dir, 'input.json'));
      assert.equal(result.code, 1);
      assert.match(result.stderr, /is not a plan in JSON/);
    });
  }

  test('fails if the file is not a plan in JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdktf-flux-plan-json-'));
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ version: 4, resources: [] }));
    const result = await review('dev-flux-sync', join(dir, 'state.json'));
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /is not a plan in JSON \(no format_version or resource_changes\); give the output of show -json <planfile>/,
    );
  });
});
