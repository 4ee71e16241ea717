import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Testing } from 'cdktf';
import {
  ControllerSettings,
  FluxInstall,
  FluxInstallProps,
  GitRepository,
  GitRepositoryProps,
  InstallPatch,
  Kustomization,
  KustomizationProps,
} from '../../constructs';
import { addFluxEnvironment } from '../../stacks';
import { EnvironmentSettings } from '../../settings';
import { aks, eks, fleet, gke, patched as bootstrapPatches, tenants } from '../../examples/customisation';
import { buildEveryField, buildEveryNotificationField } from '../support/every-field';
import { manifests } from '../support/manifests';
import { manifestsOf, synthConstructs, synthStack } from '../support/synth';
import { Cluster, startCluster } from './support/cluster';
import { applyServerSide, BINARIES, getJson, kubectl, stackObjects } from './support/kubectl';

// What a live kube-apiserver accepts and refuses of the objects our constructs synthesize, sent
// directly by kubectl server-side apply: every install option and every typed field is accepted,
// and each value synth refuses is refused by the API server too. Deploying, diffing, upgrading,
// adopting and destroying through cdktf and the providers is deploy.e2e.test.ts.

let cluster: Cluster;
let kubeconfig: string;
let clusterDir: string;

async function environment(settings: EnvironmentSettings) {
  const repository = { githubOrg: 'mark-icy', githubRepository: 'infra-new' };
  const { bootstrap, sync } = await addFluxEnvironment(Testing.app(), { ...repository, ...settings });
  return {
    bootstrap: stackObjects(synthStack(bootstrap)),
    sync: stackObjects(synthStack(sync), synthStack(bootstrap)),
  };
}

function applyWaves(waves: Record<string, any>[][], options: { fieldManager?: string } = {}): void {
  for (const wave of waves) {
    applyServerSide(kubeconfig, wave, options);
    if (wave.some((o) => o.kind === 'CustomResourceDefinition')) {
      kubectl(kubeconfig, [
        'wait',
        '--for=condition=Established',
        '--timeout=60s',
        ...wave.map((o) => `crd/${o.metadata.name}`),
      ]);
    }
  }
}

describe('live kube-apiserver', { timeout: 600_000 }, () => {
  before(async () => {
    console.log('# providers: none; objects go to the API server by kubectl');
    clusterDir = mkdtempSync(join(tmpdir(), 'cdktf-flux-e2e-'));
    cluster = await startCluster(clusterDir, BINARIES);
    kubeconfig = cluster.kubeconfig;
    applyWaves((await environment({ name: 'dev' })).bootstrap); // the CRDs the sync objects need
  });
  after(async () => {
    await cluster?.stop();
    rmSync(clusterDir, { recursive: true, force: true });
  });

  test('accepts the dev GitRepository and Kustomizations with the expected spec', async () => {
    applyWaves((await environment({ name: 'dev' })).sync);
    const repo = getJson(kubeconfig, ['gitrepository', 'flux-system', '-n', 'flux-system']);
    assert.equal(repo.apiVersion, 'source.toolkit.fluxcd.io/v1');
    assert.deepEqual(
      { url: repo.spec.url, ref: repo.spec.ref, interval: repo.spec.interval, secretRef: repo.spec.secretRef },
      {
        url: 'ssh://git@github.com/mark-icy/infra-new',
        ref: { branch: 'main' },
        interval: '1m0s',
        secretRef: { name: 'flux-system' },
      },
    );
    const kustomizations = getJson(kubeconfig, ['kustomizations', '-n', 'flux-system']).items as any[];
    const byName = Object.fromEntries(kustomizations.map((k) => [k.metadata.name, k.spec]));
    assert.deepEqual(Object.keys(byName).sort(), ['apps', 'infra-controllers', 'infra-prereqs', 'secrets']);
    assert.deepEqual(byName['infra-prereqs'].dependsOn, [{ name: 'infra-controllers' }]);
    assert.deepEqual(
      [byName.apps.path, byName.apps.interval, byName.apps.retryInterval, byName.apps.timeout, byName.apps.prune],
      ['./apps/dev', '1h', '1m', '5m', true],
    );
    assert.deepEqual(byName.secrets.sourceRef, { kind: 'GitRepository', name: 'flux-system' });
  });

  test('accepts an install with every flux install option applied', async () => {
    const install = {
      namespace: 'flux-options',
      registry: 'registry.example.com/fluxcd',
      imagePullSecret: 'regcred',
      logLevel: 'debug' as const,
      tolerationKeys: ['dedicated'],
      watchAllNamespaces: false,
      networkPolicy: false,
      clusterDomain: 'k8s.example',
    };
    applyWaves((await environment({ name: 'options', install })).bootstrap);
    const deployments = getJson(kubeconfig, ['deployments', '-n', 'flux-options']).items as any[];
    assert.equal(deployments.length, 4);
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      assert.match(pod.containers[0].image, /^registry\.example\.com\/fluxcd\//);
      assert.deepEqual(pod.imagePullSecrets, [{ name: 'regcred' }]);
      assert.deepEqual(pod.tolerations, [{ key: 'dedicated', operator: 'Exists' }]);
      assert.ok(pod.containers[0].args.includes('--watch-all-namespaces=false'));
      assert.ok(pod.containers[0].args.includes('--log-level=debug'));
    }
    assert.equal((getJson(kubeconfig, ['networkpolicy', '-n', 'flux-options']).items as any[]).length, 0);
    assert.equal(
      getJson(kubeconfig, ['clusterrolebinding', 'crd-controller-flux-options']).subjects[0].namespace,
      'flux-options',
    );
  });

  test('accepts every customisation example of the README, each stored as synthesized', async () => {
    for (const example of [eks, gke, aks, fleet, tenants, bootstrapPatches]) {
      const namespace = `flux-${example.name}`;
      const { bootstrap } = await environment({ ...example, install: { ...example.install, namespace } });
      applyWaves(bootstrap);
      const wanted = bootstrap.flat().filter((o) => o.kind === 'Deployment' || o.kind === 'ServiceAccount');
      for (const object of wanted) {
        const stored = getJson(kubeconfig, [object.kind, object.metadata.name, '-n', namespace]);
        const what = `${example.name}: ${object.kind} ${object.metadata.name}`;
        if (object.kind === 'ServiceAccount')
          assert.deepEqual(stored.metadata.annotations ?? {}, object.metadata.annotations ?? {}, what);
        if (object.kind === 'Deployment') {
          const [pod, own] = [stored.spec.template.spec, object.spec.template.spec];
          assert.deepEqual(pod.containers[0].args, own.containers[0].args, what);
          assert.deepEqual(pod.containers[0].resources, own.containers[0].resources, what);
          assert.deepEqual(pod.tolerations, own.tolerations, what);
          assert.deepEqual(pod.nodeSelector, own.nodeSelector, what);
          assert.deepEqual(stored.spec.template.metadata.labels, object.spec.template.metadata.labels, what);
        }
      }
    }
  });

  test('accepts every spec field the typed constructs render', () => {
    const objects = manifestsOf(
      synthConstructs((scope) => buildEveryNotificationField(scope, manifests(), buildEveryField(scope, manifests()))),
    );
    assert.match(
      applyServerSide(kubeconfig, Object.values(objects)),
      /kustomization\.kustomize\.toolkit\.fluxcd\.io\/apps serverside-applied/,
    );
    const stored = getJson(kubeconfig, ['kustomization', 'apps', '-n', 'flux-system']).spec;
    assert.deepEqual(stored.postBuild, objects['kustomization_flux-system_apps'].spec.postBuild);
    for (const [kind, name] of [
      ['provider', 'github-status'],
      ['alert', 'everything'],
      ['receiver', 'push'],
    ]) {
      const spec = getJson(kubeconfig, [kind, name, '-n', 'flux-system']).spec;
      assert.deepEqual(spec, objects[`${kind}_flux-system_${name}`].spec, `${kind} ${name} stored as synthesized`);
    }
    assert.deepEqual(getJson(kubeconfig, ['gitrepository', 'flux-system', '-n', 'flux-system']).spec.include, [
      { repository: { name: 'shared' }, fromPath: 'deploy', toPath: 'shared' },
    ]);
  });

  // Each case: a change the constructs refuse at synth, and the same change made to a valid
  // object behind their back, which the API server must refuse as well.
  const v294 = manifests();
  const valid = () =>
    manifestsOf(
      synthConstructs(
        (scope) =>
          new Kustomization(scope, 'apps', {
            manifests: v294,
            sourceRef: new GitRepository(scope, 'flux-system', { manifests: v294, url: 'ssh://git@github.com/a/b' }),
            prune: true,
          }),
      ),
    );
  const url = 'ssh://git@github.com/a/b';
  // Synth of one GitRepository, or of one Kustomization of one, with these props on top.
  const repository = (props: Partial<GitRepositoryProps>) => () =>
    synthConstructs((s) => new GitRepository(s, 'r', { manifests: v294, url, ...props }));
  const kustomization = (props: Partial<KustomizationProps>) => () =>
    synthConstructs(
      (s) =>
        new Kustomization(s, 'k', {
          manifests: v294,
          sourceRef: new GitRepository(s, 'r', { manifests: v294, url }),
          prune: true,
          ...props,
        }),
    );
  const inSpec = (object: Record<string, any>, spec: Record<string, unknown>) => ({
    ...object,
    spec: { ...object.spec, ...spec },
  });
  const cases: { name: string; synth: () => unknown; object: (o: Record<string, any>) => Record<string, any> }[] = [
    {
      name: 'interval that is not a duration',
      synth: repository({ interval: '10 minutes' }),
      object: (o) => inSpec(o.repo, { interval: '10 minutes' }),
    },
    {
      name: 'GitRepository timeout in hours',
      synth: repository({ timeout: '1h' }),
      object: (o) => inSpec(o.repo, { timeout: '1h' }),
    },
    {
      name: 'url without a scheme Flux accepts',
      synth: repository({ url: 'git@github.com:a/b.git' }),
      object: (o) => inSpec(o.repo, { url: 'git@github.com:a/b.git' }),
    },
    {
      name: 'provider outside the enum',
      synth: repository({ provider: 'gcp' as never }),
      object: (o) => inSpec(o.repo, { provider: 'gcp' }),
    },
    {
      name: 'unknown field',
      synth: repository({ ref: { brnach: 'main' } as never }),
      object: (o) => inSpec(o.repo, { ref: { brnach: 'main' } }),
    },
    {
      name: 'missing prune',
      synth: kustomization({ prune: undefined as never }),
      object: (o) => inSpec(o.ks, { prune: undefined }),
    },
    {
      name: 'deletionPolicy outside the enum',
      synth: kustomization({ deletionPolicy: 'Keep' as never }),
      object: (o) => inSpec(o.ks, { deletionPolicy: 'Keep' }),
    },
    {
      name: 'name that is not DNS-1123',
      synth: repository({ name: 'Flux_System' }),
      object: (o) => ({ ...o.repo, metadata: { ...o.repo.metadata, name: 'Flux_System' } }),
    },
    {
      name: 'install namespace that is not DNS-1123',
      synth: () => synthConstructs((s) => new FluxInstall(s, 'flux', { manifests: v294, namespace: 'Flux' })),
      object: () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Flux' } }),
    },
  ];
  for (const c of cases) {
    test(`refuses, like synth, a ${c.name}`, () => {
      assert.throws(c.synth, Error, 'synth accepts it');
      applyServerSide(kubeconfig, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'probe' } }]);
      const objects = valid();
      const inProbe = (o: Record<string, any>) => ({ ...o, metadata: { ...o.metadata, namespace: 'probe' } });
      const changed = c.object({
        repo: inProbe(objects['gitrepository_flux-system_flux-system']),
        ks: inProbe(objects['kustomization_flux-system_apps']),
      });
      assert.throws(
        () => applyServerSide(kubeconfig, [changed]),
        /Invalid value|Required value|missing required field|unknown field|Unsupported value|strict decoding error/,
        'the API server accepts it',
      );
    });
  }

  // The install's customisation: a setting or patch synth refuses, and the same change made to
  // the kustomize-controller Deployment behind its back, which the API server refuses as well.
  const install = (props: Partial<FluxInstallProps>) => () =>
    synthConstructs((s) => new FluxInstall(s, 'flux', { manifests: v294, ...props }));
  const controller = (own: ControllerSettings) => install({ controllers: { 'kustomize-controller': own } });
  const patched = (patch: InstallPatch['patch']) =>
    install({ patches: [{ target: { kind: 'Deployment', name: 'kustomize-controller' }, patch }] });
  const podSpec = (d: Record<string, any>, change: (spec: Record<string, any>) => void) => {
    const copy = structuredClone(d);
    change(copy.spec.template.spec);
    return copy;
  };
  const customisations: {
    name: string;
    synth: () => unknown;
    deployment: (d: Record<string, any>) => Record<string, any>;
  }[] = [
    {
      name: 'toleration with operator Exists and a value',
      synth: controller({ tolerations: [{ key: 'gpu', operator: 'Exists', value: 'true' }] }),
      deployment: (d) => podSpec(d, (p) => (p.tolerations = [{ key: 'gpu', operator: 'Exists', value: 'true' }])),
    },
    {
      name: 'CPU request above its limit',
      synth: controller({ resources: { limits: { cpu: '1' }, requests: { cpu: '2' } } }),
      deployment: (d) =>
        podSpec(d, (p) => (p.containers[0].resources = { limits: { cpu: '1' }, requests: { cpu: '2' } })),
    },
    {
      name: 'preferred affinity of weight 0',
      synth: controller({
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 0, preference: { matchExpressions: [{ key: 'pool', operator: 'In', values: ['flux'] }] } },
            ],
          },
        },
      }),
      deployment: (d) =>
        podSpec(d, (p) => {
          p.affinity = {
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 0, preference: { matchExpressions: [{ key: 'pool', operator: 'In', values: ['flux'] }] } },
              ],
            },
          };
        }),
    },
    {
      name: 'patch mounting a volume the pod does not have',
      synth: patched([
        {
          op: 'add',
          path: '/spec/template/spec/containers/0/volumeMounts/-',
          value: { name: 'cache', mountPath: '/c' },
        },
      ]),
      deployment: (d) => podSpec(d, (p) => p.containers[0].volumeMounts.push({ name: 'cache', mountPath: '/c' })),
    },
    {
      name: 'patch adding an env var without a name',
      synth: patched([{ op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { value: 'x' } }]),
      deployment: (d) => podSpec(d, (p) => p.containers[0].env.push({ value: 'x' })),
    },
  ];
  for (const c of customisations) {
    test(`refuses, like synth, an install customisation with a ${c.name}`, () => {
      assert.throws(c.synth, Error, 'synth accepts it');
      applyServerSide(kubeconfig, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'probe' } }]);
      const deployment = manifestsOf(install({})())['deployment_flux-system_kustomize-controller'];
      const changed = c.deployment({ ...deployment, metadata: { ...deployment.metadata, namespace: 'probe' } });
      assert.throws(
        () => applyServerSide(kubeconfig, [changed]),
        /Invalid value|Required value|Not found|must be less than or equal|missing required field/,
        'the API server accepts it',
      );
    });
  }
});
