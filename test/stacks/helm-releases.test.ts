import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testing } from 'cdktf';
import { addFluxEnvironment } from '../../stacks';
import { EnvironmentSettings, HelmReleaseSettings, SourceSettings } from '../../settings';
import '../support/manifests';
import { manifestsOf, synthStack } from '../support/synth';

const SOURCES: SourceSettings[] = [
  { type: 'helm', name: 'podinfo', url: 'https://stefanprodan.github.io/podinfo' },
  { type: 'oci', name: 'redis-chart', url: 'oci://registry.example.com/charts/redis', ref: { tag: '20.1.0' } },
  { type: 'git', name: 'charts', url: 'https://github.com/my-org/charts' },
];

async function environment(helmReleases: HelmReleaseSettings[], settings: Partial<EnvironmentSettings> = {}) {
  const stacks = await addFluxEnvironment(Testing.app(), { name: 'dev', sources: SOURCES, helmReleases, ...settings });
  return { stack: stacks.sync, objects: manifestsOf(synthStack(stacks.sync)), json: synthStack(stacks.sync) };
}

describe('helmReleases: Helm charts as data, each from a source of the environment', () => {
  test('a chart by name from a Helm repository, by path from git, an OCI artifact as chartRef', async () => {
    const { stack, objects } = await environment([
      { name: 'podinfo', source: 'podinfo', chart: 'podinfo', version: '6.x', targetNamespace: 'apps' },
      { name: 'redis', source: 'redis-chart', values: { architecture: 'standalone' } },
      { name: 'tools', source: 'charts', chart: './charts/tools' },
    ]);
    assert.deepEqual(objects['helmrelease_flux-system_podinfo'].spec, {
      interval: '10m',
      chart: { spec: { chart: 'podinfo', version: '6.x', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } },
      targetNamespace: 'apps',
    });
    assert.deepEqual(objects['helmrelease_flux-system_redis'].spec, {
      interval: '10m',
      chartRef: { kind: 'OCIRepository', name: 'redis-chart' },
      values: { architecture: 'standalone' },
    });
    assert.deepEqual(objects['helmrelease_flux-system_tools'].spec.chart.spec, {
      chart: './charts/tools',
      sourceRef: { kind: 'GitRepository', name: 'charts' },
    });
    assert.deepEqual([...stack.helmReleases.keys()], ['podinfo', 'redis', 'tools']);
    assert.equal(stack.helmReleases.get('podinfo')?.node.id, 'release-podinfo');
  });

  test('Flux v2.8.8 serves every kind and field they use: the same objects, checked against its CRDs', async () => {
    const releases: HelmReleaseSettings[] = [
      { name: 'podinfo', source: 'podinfo', chart: 'podinfo', version: '6.x', targetNamespace: 'apps' },
      { name: 'redis', source: 'redis-chart', values: { architecture: 'standalone' } },
    ];
    const [current, previous] = [await environment(releases), await environment(releases, { fluxVersion: 'v2.8.8' })];
    for (const address of [
      'helmrelease_flux-system_podinfo',
      'helmrelease_flux-system_redis',
      'helmrepository_flux-system_podinfo',
    ])
      assert.deepEqual(previous.objects[address], current.objects[address], address);
  });

  test('dependsOn: a HelmRelease in the spec, a Kustomization as the order of the deploy', async () => {
    const { stack, objects, json } = await environment([
      { name: 'app', source: 'podinfo', chart: 'podinfo', dependsOn: ['base', 'apps'] },
      { name: 'base', source: 'podinfo', chart: 'podinfo' },
    ]);
    assert.deepEqual(objects['helmrelease_flux-system_app'].spec.dependsOn, [{ name: 'base' }]);
    const app = json.resource.kubernetes_manifest['helmrelease_flux-system_app'];
    assert.deepEqual(app.depends_on, ['kubernetes_manifest.kustomization_flux-system_apps']);
    assert.deepEqual([...stack.helmReleases.keys()], ['app', 'base'], 'in order of declaration');
  });

  test('refuses a release whose chart does not fit its source, and a name both kinds have', async () => {
    const cases: [HelmReleaseSettings, string][] = [
      [
        { name: 'redis', source: 'redis-chart', chart: 'redis' },
        'dev-flux-sync: helmReleases: "redis" chart "redis": source "redis-chart" is an OCI artifact, which is the ' +
          "chart itself (Flux's chartRef); leave chart and version out",
      ],
      [
        { name: 'podinfo', source: 'podinfo' },
        'dev-flux-sync: helmReleases: "podinfo" has no chart; give its name in HelmRepository "podinfo"',
      ],
      [
        { name: 'x', source: 'nginx', chart: 'nginx' },
        'dev-flux-sync: helmReleases: "x" source "nginx" is not a source of this environment; declare it in ' +
          'sources or use one of flux-system, podinfo, redis-chart, charts',
      ],
      [
        { name: 'apps', source: 'podinfo', chart: 'podinfo' },
        'dev-flux-sync: helmReleases: "apps" also names a Kustomization, so a dependsOn naming it would be ' +
          'ambiguous; give the HelmRelease its own name',
      ],
    ];
    for (const [release, message] of cases) await assert.rejects(() => environment([release]), { message });
  });

  test('every problem of the layout in one run: sources, Kustomizations and HelmReleases together', async () => {
    await assert.rejects(
      () =>
        environment(
          [
            { name: 'a', source: 'podinfo', chart: 'podinfo', dependsOn: ['b'] },
            { name: 'b', source: 'podinfo', chart: 'podinfo', dependsOn: ['a'] },
            { name: 'c', source: 'podinfo', chart: 'podinfo', dependsOn: ['broken'] },
            { name: 'd', source: 'podinfo', chart: 'podinfo', interval: '5 minutes' },
          ],
          {
            sources: [...SOURCES, { type: 'git', name: 'podinfo', url: 'https://github.com/my-org/again' }],
            kustomizations: [
              { name: 'broken', path: './apps', prune: true, timeout: 'soon' },
              { name: 'apps', path: './apps', prune: true, source: 'missing' },
            ],
          },
        ),
      (error: Error) => {
        const lines = error.message.split('\n');
        assert.match(lines[0], /^5 problems:$/);
        const expected = [
          /sources: "podinfo" is declared more than once/,
          /Kustomization flux-system\/broken\): spec.timeout: "soon" is not a duration/,
          /kustomizations: "apps" source "missing" is not a source of this environment/,
          /helmReleases: dependsOn cycle a → b → a/,
          /HelmRelease flux-system\/d\): spec.interval: "5 minutes" is not a duration/,
        ];
        for (const pattern of expected)
          assert.equal(lines.filter((l) => pattern.test(l)).length, 1, `${pattern} once in\n${error.message}`);
        // c depends on the refused Kustomization: not built, nothing more to say about it.
        assert.equal(lines.filter((l) => /"c"/.test(l)).length, 0, `no problem of its own for c in\n${error.message}`);
        return true;
      },
    );
  });

  test('from settings through stacks: items the settings check refuses, with the stack problems, at once', async () => {
    await assert.rejects(
      () =>
        environment(
          [{ name: 'web', source: 'podinfo', chart: 'podinfo', dependsOn: ['infra'], intervall: '5m' } as any],
          {
            sources: [...SOURCES, { type: 'git', name: 'team', url: 'git@github.com:my-org/team' }],
            kustomizations: [
              { name: 'infra', path: './infra', prune: 'yes' as any },
              { name: 'apps', path: './apps', prune: true, dependsOn: ['infra'], source: 'team' },
              { name: 'extra', path: './extra', prune: true, source: 'nowhere' },
            ],
          },
        ),
      (error: Error) => {
        // apps depends on the refused infra and applies the refused source team: nothing more is said of it.
        assert.deepEqual(error.message.split('\n'), [
          '4 problems:',
          '  environment "dev": kustomizations[0].prune "yes": is required, true or false: whether Flux deletes ' +
            'what is removed from the repository',
          '  environment "dev": sources[3].url "git@github.com:my-org/team": is not an ssh:// or https:// URL',
          '  environment "dev": helmReleases[0].intervall "5m": is not a setting of helmReleases[0]; did you mean ' +
            'interval?',
          '  dev-flux-sync: kustomizations: "extra" source "nowhere" is not a source of this environment; declare it ' +
            'in sources or use one of flux-system, podinfo, redis-chart, charts',
        ]);
        return true;
      },
    );
  });
});
