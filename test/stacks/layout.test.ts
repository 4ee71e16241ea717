import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TerraformStack, Testing } from 'cdktf';
import { GitRepository, Kustomization } from '../../constructs';
import { platform, staging } from '../../examples/environments';
import { addFluxEnvironment } from '../../stacks';
import { EnvironmentSettings, KustomizationSettings } from '../../settings';
import '../support/manifests';
import { manifestsOf, synthStack } from '../support/synth';

async function kustomizations(settings: EnvironmentSettings) {
  const { sync } = await addFluxEnvironment(Testing.app(), settings);
  const objects = manifestsOf(synthStack(sync));
  return Object.fromEntries(
    Object.values(objects)
      .filter((o) => o.kind === 'Kustomization')
      .map((o) => [o.metadata.name, o.spec]),
  );
}

const withLayout = (layout: KustomizationSettings[]) =>
  addFluxEnvironment(Testing.app(), { name: 'dev', kustomizations: layout });

describe('the repository layout as data', () => {
  test('gives a staging cluster its own infrastructure paths in one line', async () => {
    const specs = await kustomizations(staging);
    assert.deepEqual(Object.keys(specs).sort(), ['apps', 'infra-controllers', 'infra-prereqs', 'secrets']);
    assert.deepEqual(
      [specs['infra-controllers'].path, specs['infra-prereqs'].path, specs.apps.path],
      ['./infrastructure/staging/controllers', './infrastructure/staging/prereqs', './apps/staging'],
    );
    assert.deepEqual(specs['infra-prereqs'].dependsOn, [{ name: 'infra-controllers' }]);
  });

  test("builds another team's Kustomizations altogether, dependsOn by name", async () => {
    const specs = await kustomizations(platform);
    assert.deepEqual(Object.keys(specs).sort(), ['cluster', 'monitoring', 'tenants']);
    assert.deepEqual(specs.cluster.dependsOn, [{ name: 'tenants' }]);
    assert.deepEqual(
      [specs.tenants.path, specs.tenants.interval, specs.tenants.prune],
      ['./tenants/platform', '10m', true],
    );
  });

  test('the README quotes the environments and main.ts exactly as the compiler checks them', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    for (const file of ['environments.ts', 'main.ts']) {
      const source = readFileSync(join(__dirname, '..', '..', 'examples', file), 'utf8');
      const quoted = source.slice(source.indexOf('import'));
      assert.ok(readme.includes(quoted), `README.md does not quote examples/${file} from its import line on`);
    }
  });

  test(
    'adds a Kustomization from main.ts with only what is about it; manifests and adoption come from the ' + 'stack',
    async () => {
      for (const adopt of [false, true]) {
        const { sync } = await addFluxEnvironment(Testing.app(), { name: 'dev', adopt });
        new Kustomization(sync, 'monitoring', { sourceRef: sync.source, path: './monitoring', prune: true });
        const synthesized = synthStack(sync) as unknown as {
          import?: { to: string }[];
          resource: Record<string, Record<string, any>>;
        };
        assert.equal(
          manifestsOf(synthesized as never)['kustomization_flux-system_monitoring'].spec.path,
          './monitoring',
        );
        assert.equal(
          (synthesized.import ?? []).some((i) => i.to === 'kubernetes_manifest.kustomization_flux-system_monitoring'),
          adopt,
        );
      }
    },
  );

  test('fails if a Flux object is created where no stack defaults and no manifests are given', () => {
    const stack = new TerraformStack(Testing.app(), 'bare');
    assert.throws(
      () => new GitRepository(stack, 'flux-system', { url: 'ssh://git@github.com/a/b' }),
      /bare\/flux-system: no Flux manifests to check GitRepository flux-system against; pass manifests, or set them on the stack with FluxStackDefaults\.set/,
    );
  });

  test('fails if a Kustomization dependsOn a name the environment does not declare', async () => {
    await assert.rejects(
      withLayout([{ name: 'apps', path: './apps', prune: true, dependsOn: ['infra'] }]),
      /dev-flux-sync: kustomizations: "apps" dependsOn "infra", which this environment does not declare; declare it or use one of apps/,
    );
  });

  test('fails if a name is declared twice', async () => {
    await assert.rejects(
      withLayout([
        { name: 'apps', path: './a', prune: true },
        { name: 'apps', path: './b', prune: true },
      ]),
      /"apps" declared more than once; give each Kustomization its own name/,
    );
  });

  test('fails if dependsOn makes a cycle, naming it', async () => {
    const layout = [
      { name: 'a', path: './a', prune: true, dependsOn: ['c'] },
      { name: 'b', path: './b', prune: true, dependsOn: ['a'] },
      { name: 'c', path: './c', prune: true, dependsOn: ['b'] },
    ];
    await assert.rejects(withLayout(layout), /dependsOn cycle a → c → b → a; drop one of these dependencies/);
  });

  test('fails if a Kustomization field is misspelt, or prune is left out', async () => {
    await assert.rejects(
      withLayout([{ name: 'apps', path: './apps', prune: true, intreval: '5m' } as never]),
      /kustomizations\[0\]\.intreval "5m": is not a setting of kustomizations\[0\]; did you mean interval\?/,
    );
    await assert.rejects(
      withLayout([{ name: 'apps', path: './apps' } as never]),
      /kustomizations\[0\]\.prune undefined: is required, true or false/,
    );
  });
});
