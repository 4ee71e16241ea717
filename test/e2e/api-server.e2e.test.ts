import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Testing } from 'cdktf';
import { FluxInstall, GitRepository, Kustomization } from '../../constructs';
import { addFluxEnvironment } from '../../stacks';
import { EnvironmentSettings } from '../../variables';
import { buildEveryField } from '../support/every-field';
import { manifests } from '../support/manifests';
import { manifestsOf, synthConstructs, synthStack } from '../support/synth';
import { Cluster, startCluster } from './support/cluster';
import { applyServerSide, BINARIES, getJson, kubectl, stackObjects } from './support/kubectl';

// What a live kube-apiserver does with the objects our stacks synthesize. The Terraform
// providers cannot be obtained here (test/e2e/toolchain/README.md), so the objects are sent by
// kubectl server-side apply, in the order and with the values a Terraform plan would send them.

let cluster: Cluster;
let kubeconfig: string;

async function environment(settings: EnvironmentSettings) {
  const { bootstrap, sync } = await addFluxEnvironment(Testing.app(), settings);
  return { bootstrap: stackObjects(synthStack(bootstrap)), sync: stackObjects(synthStack(sync)) };
}

function applyWaves(waves: Record<string, any>[][], options: { fieldManager?: string } = {}): void {
  for (const wave of waves) {
    applyServerSide(kubeconfig, wave, options);
    if (wave.some((o) => o.kind === 'CustomResourceDefinition')) {
      kubectl(kubeconfig, ['wait', '--for=condition=Established', '--timeout=60s', ...wave.map((o) => `crd/${o.metadata.name}`)]);
    }
  }
}

const uid = (kind: string, name: string, namespace?: string) => getJson(kubeconfig, [kind, name, ...(namespace ? ['-n', namespace] : [])]).metadata.uid as string;

describe('live kube-apiserver', { timeout: 600_000 }, () => {
  before(async () => {
    cluster = await startCluster(mkdtempSync(join(tmpdir(), 'cdktf-flux-e2e-')), BINARIES);
    kubeconfig = cluster.kubeconfig;
  });
  after(async () => cluster?.stop());

  test('accepts the v2.8.8 install, then v2.9.4 over it as in-place updates', async () => {
    applyWaves((await environment({ name: 'dev', fluxVersion: 'v2.8.8' })).bootstrap);
    const before = { namespace: uid('namespace', 'flux-system'), crd: uid('crd', 'kustomizations.kustomize.toolkit.fluxcd.io'), deployment: uid('deployment', 'source-controller', 'flux-system') };
    applyWaves((await environment({ name: 'dev' })).bootstrap);
    assert.deepEqual(
      { namespace: uid('namespace', 'flux-system'), crd: uid('crd', 'kustomizations.kustomize.toolkit.fluxcd.io'), deployment: uid('deployment', 'source-controller', 'flux-system') },
      before,
      'nothing was replaced',
    );
    const deployments = getJson(kubeconfig, ['deployments', '-n', 'flux-system']).items as any[];
    assert.deepEqual(deployments.map((d) => d.spec.template.spec.containers[0].image).sort(), [
      'ghcr.io/fluxcd/helm-controller:v1.6.3',
      'ghcr.io/fluxcd/kustomize-controller:v1.9.4',
      'ghcr.io/fluxcd/notification-controller:v1.9.3',
      'ghcr.io/fluxcd/source-controller:v1.9.4',
    ]);
    const labelled = getJson(kubeconfig, ['namespace,deployment,service,crd,networkpolicy,serviceaccount,clusterrole,clusterrolebinding,resourcequota', '-A', '-l', 'app.kubernetes.io/part-of=flux']).items as any[];
    assert.equal(labelled.length, 32);
    assert.deepEqual([...new Set(labelled.map((o) => o.metadata.labels['app.kubernetes.io/version']))], ['v2.9.4'], 'every object ends at the new version\'s labels');
    const crds = getJson(kubeconfig, ['crd']).items as any[];
    const flux = crds.filter((c) => c.spec.group.endsWith('toolkit.fluxcd.io'));
    assert.equal(flux.length, 11);
    assert.ok(flux.every((c) => c.status.conditions.some((s: any) => s.type === 'Established' && s.status === 'True')));
    const policy = getJson(kubeconfig, ['networkpolicy', 'allow-webhooks', '-n', 'flux-system']);
    assert.deepEqual(policy.spec.ingress[0].ports, [{ port: 9292, protocol: 'TCP' }]);
  });

  test('accepts the dev GitRepository and Kustomizations with the expected spec', async () => {
    applyWaves((await environment({ name: 'dev' })).sync);
    const repo = getJson(kubeconfig, ['gitrepository', 'flux-system', '-n', 'flux-system']);
    assert.equal(repo.apiVersion, 'source.toolkit.fluxcd.io/v1');
    assert.deepEqual(
      { url: repo.spec.url, ref: repo.spec.ref, interval: repo.spec.interval, secretRef: repo.spec.secretRef },
      { url: 'ssh://git@github.com/mark-icy/infra-new', ref: { branch: 'main' }, interval: '1m0s', secretRef: { name: 'flux-system' } },
    );
    const kustomizations = getJson(kubeconfig, ['kustomizations', '-n', 'flux-system']).items as any[];
    const byName = Object.fromEntries(kustomizations.map((k) => [k.metadata.name, k.spec]));
    assert.deepEqual(Object.keys(byName).sort(), ['apps', 'infra-controllers', 'infra-prereqs', 'secrets']);
    assert.deepEqual(byName['infra-prereqs'].dependsOn, [{ name: 'infra-controllers' }]);
    assert.deepEqual([byName.apps.path, byName.apps.interval, byName.apps.retryInterval, byName.apps.timeout, byName.apps.prune], ['./apps/dev', '1h', '1m', '5m', true]);
    assert.deepEqual(byName.secrets.sourceRef, { kind: 'GitRepository', name: 'flux-system' });
  });

  test('accepts an install with every flux install option applied', async () => {
    const install = { namespace: 'flux-options', registry: 'registry.example.com/fluxcd', imagePullSecret: 'regcred', logLevel: 'debug' as const, tolerationKeys: ['dedicated'], watchAllNamespaces: false, networkPolicy: false, clusterDomain: 'k8s.example' };
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
    assert.equal(getJson(kubeconfig, ['clusterrolebinding', 'crd-controller-flux-options']).subjects[0].namespace, 'flux-options');
  });

  test('accepts every spec field the typed constructs render', () => {
    const objects = manifestsOf(synthConstructs((scope) => buildEveryField(scope, manifests())));
    assert.match(applyServerSide(kubeconfig, Object.values(objects)), /kustomization\.kustomize\.toolkit\.fluxcd\.io\/apps serverside-applied/);
    const stored = getJson(kubeconfig, ['kustomization', 'apps', '-n', 'flux-system']).spec;
    assert.deepEqual(stored.postBuild, objects['kustomization_flux-system_apps'].spec.postBuild);
    assert.deepEqual(getJson(kubeconfig, ['gitrepository', 'flux-system', '-n', 'flux-system']).spec.include, [{ repository: { name: 'shared' }, fromPath: 'deploy', toPath: 'shared' }]);
  });

  // Each case: a change the constructs refuse at synth, and the same change made to a valid
  // object behind their back, which the API server must refuse as well.
  const v294 = manifests();
  const valid = () => manifestsOf(synthConstructs((scope) => new Kustomization(scope, 'apps', { manifests: v294, sourceRef: new GitRepository(scope, 'flux-system', { manifests: v294, url: 'ssh://git@github.com/a/b' }), prune: true })));
  const cases: { name: string; synth: () => unknown; object: (o: Record<string, any>) => Record<string, any> }[] = [
    { name: 'interval that is not a duration', synth: () => synthConstructs((s) => new GitRepository(s, 'r', { manifests: v294, url: 'ssh://git@github.com/a/b', interval: '10 minutes' })), object: (o) => ({ ...o.repo, spec: { ...o.repo.spec, interval: '10 minutes' } }) },
    { name: 'GitRepository timeout in hours', synth: () => synthConstructs((s) => new GitRepository(s, 'r', { manifests: v294, url: 'ssh://git@github.com/a/b', timeout: '1h' })), object: (o) => ({ ...o.repo, spec: { ...o.repo.spec, timeout: '1h' } }) },
    { name: 'url without a scheme Flux accepts', synth: () => synthConstructs((s) => new GitRepository(s, 'r', { manifests: v294, url: 'git@github.com:a/b.git' })), object: (o) => ({ ...o.repo, spec: { ...o.repo.spec, url: 'git@github.com:a/b.git' } }) },
    { name: 'provider outside the enum', synth: () => synthConstructs((s) => new GitRepository(s, 'r', { manifests: v294, url: 'ssh://git@github.com/a/b', provider: 'gcp' as never })), object: (o) => ({ ...o.repo, spec: { ...o.repo.spec, provider: 'gcp' } }) },
    { name: 'unknown field', synth: () => synthConstructs((s) => new GitRepository(s, 'r', { manifests: v294, url: 'ssh://git@github.com/a/b', ref: { brnach: 'main' } as never })), object: (o) => ({ ...o.repo, spec: { ...o.repo.spec, ref: { brnach: 'main' } } }) },
    { name: 'missing prune', synth: () => synthConstructs((s) => new Kustomization(s, 'k', { manifests: v294, sourceRef: new GitRepository(s, 'r', { manifests: v294, url: 'ssh://git@github.com/a/b' }), prune: undefined as never })), object: (o) => ({ ...o.ks, spec: { ...o.ks.spec, prune: undefined } }) },
    { name: 'deletionPolicy outside the enum', synth: () => synthConstructs((s) => new Kustomization(s, 'k', { manifests: v294, sourceRef: new GitRepository(s, 'r', { manifests: v294, url: 'ssh://git@github.com/a/b' }), prune: true, deletionPolicy: 'Keep' as never })), object: (o) => ({ ...o.ks, spec: { ...o.ks.spec, deletionPolicy: 'Keep' } }) },
    { name: 'name that is not DNS-1123', synth: () => synthConstructs((s) => new GitRepository(s, 'r', { manifests: v294, url: 'ssh://git@github.com/a/b', name: 'Flux_System' })), object: (o) => ({ ...o.repo, metadata: { ...o.repo.metadata, name: 'Flux_System' } }) },
    { name: 'install namespace that is not DNS-1123', synth: () => synthConstructs((s) => new FluxInstall(s, 'flux', { manifests: v294, namespace: 'Flux' })), object: () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Flux' } }) },
  ];
  for (const c of cases) {
    test(`refuses, like synth, a ${c.name}`, () => {
      assert.throws(c.synth, Error, 'synth accepts it');
      applyServerSide(kubeconfig, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'probe' } }]);
      const objects = valid();
      const inProbe = (o: Record<string, any>) => ({ ...o, metadata: { ...o.metadata, namespace: 'probe' } });
      const changed = c.object({ repo: inProbe(objects['gitrepository_flux-system_flux-system']), ks: inProbe(objects['kustomization_flux-system_apps']) });
      assert.throws(() => applyServerSide(kubeconfig, [changed]), /Invalid value|Required value|missing required field|unknown field|Unsupported value|strict decoding error/, 'the API server accepts it');
    });
  }

  test('removes everything in reverse order, leaving no CRD, custom resource or namespace', async () => {
    const start = Date.now();
    const { bootstrap, sync } = await environment({ name: 'dev' });
    for (const wave of [...sync, ...bootstrap].reverse()) {
      kubectl(kubeconfig, ['delete', '--ignore-not-found', '--wait=true', '--timeout=60s', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: wave }));
    }
    const options = (await environment({ name: 'options', install: { namespace: 'flux-options', networkPolicy: false } })).bootstrap;
    for (const wave of [...options].reverse()) kubectl(kubeconfig, ['delete', '--ignore-not-found', '--wait=true', '--timeout=60s', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: wave }));
    const crds = (getJson(kubeconfig, ['crd']).items as any[]).filter((c) => c.spec.group.endsWith('toolkit.fluxcd.io'));
    assert.deepEqual(crds, []);
    const namespaces = (getJson(kubeconfig, ['namespaces']).items as any[]).map((n) => n.metadata.name);
    assert.ok(!namespaces.includes('flux-system') && !namespaces.includes('flux-options'), namespaces.join(', '));
    console.log(`# destroy of two installs and the sync objects: ${((Date.now() - start) / 1000).toFixed(1)} s`);
  });

  test('adopts a cluster set up by flux bootstrap: imported objects update in place, nothing recreated or deleted', async () => {
    // What flux bootstrap leaves: the install and the sync objects, applied by kustomize-controller,
    // plus the flux-system Kustomization that applied them. Here from v2.8.8, so adopting also upgrades.
    const old = await environment({ name: 'dev', fluxVersion: 'v2.8.8' });
    const fluxSystem = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'flux-system', namespace: 'flux-system' }, spec: { interval: '10m0s', path: './clusters/dev', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' } } };
    applyWaves([...old.bootstrap, [...old.sync.flat(), fluxSystem]], { fieldManager: 'kustomize-controller' });
    const inventory = () =>
      Object.fromEntries(
        (getJson(kubeconfig, ['namespace,deployment,service,serviceaccount,crd,networkpolicy,gitrepository,kustomization', '-A', '-l', 'app.kubernetes.io/part-of=flux']).items as any[])
          .concat(getJson(kubeconfig, ['gitrepository,kustomization', '-n', 'flux-system']).items as any[])
          .map((o) => [`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`, o.metadata.uid]),
      );
    const before = inventory();

    const adopted = await environment({ name: 'dev', adopt: true });
    const deployments = adopted.bootstrap.flat().filter((o) => o.kind === 'Deployment');
    assert.throws(() => applyServerSide(kubeconfig, deployments), /conflict/i, 'without force-conflicts, fields kustomize-controller owns cannot be taken over');
    for (const wave of [...adopted.bootstrap, ...adopted.sync]) applyServerSide(kubeconfig, wave, { forceConflicts: true });

    assert.deepEqual(inventory(), before, 'same objects, same uids: nothing recreated, nothing deleted');
    const source = getJson(kubeconfig, ['deployment', 'source-controller', '-n', 'flux-system', '--show-managed-fields']);
    assert.equal(source.spec.template.spec.containers[0].image, 'ghcr.io/fluxcd/source-controller:v1.9.4');
    const owners = (source.metadata.managedFields as any[]).filter((f) => JSON.stringify(f.fieldsV1).includes('"f:image"')).map((f) => f.manager);
    assert.deepEqual(owners, ['Terraform']);
  });
});
