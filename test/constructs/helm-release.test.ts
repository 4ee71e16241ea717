import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import {
  FluxStackDefaults,
  GitRepository,
  HelmRelease,
  HelmReleaseProps,
  HelmRepository,
  Kustomization,
  RECONCILE_REQUEST_ANNOTATION,
} from '../../constructs';
import { manifests } from '../support/manifests';
import { synthConstructs, synthStack, testStack } from '../support/synth';

const v294 = manifests('v2.9.4');

const charts = (scope: Construct, namespace = 'flux-system') =>
  new HelmRepository(scope, 'charts', { manifests: v294, namespace, url: 'https://stefanprodan.github.io/podinfo' });

const chart = (scope: Construct) => ({ spec: { chart: 'podinfo', version: '6.x', sourceRef: charts(scope) } });

type Resource = { manifest: Record<string, any>; depends_on?: string[]; wait?: unknown; timeouts?: unknown };

function synthRelease(props: Partial<HelmReleaseProps> = {}, namespace = 'flux-system'): Resource {
  const synthesized = synthConstructs(
    (scope) => new HelmRelease(scope, 'podinfo', { manifests: v294, chart: chart(scope), ...props }),
  );
  return synthesized.resource.kubernetes_manifest[`helmrelease_${namespace}_podinfo`] as Resource;
}

const helmRelease = (props: Partial<HelmReleaseProps> = {}) => synthRelease(props).manifest;

describe('HelmRelease', () => {
  test('renders a helm.toolkit.fluxcd.io/v2 HelmRelease in the namespace of its chart source, with defaults', () => {
    assert.deepEqual(helmRelease({ values: { replicaCount: 2 } }), {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'podinfo', namespace: 'flux-system' },
      spec: {
        interval: '10m',
        chart: { spec: { chart: 'podinfo', version: '6.x', sourceRef: { kind: 'HelmRepository', name: 'charts' } } },
        values: { replicaCount: 2 },
      },
    });
  });

  test('refers to its chart source by construct, with a namespace only across namespaces', () => {
    const synthesized = synthConstructs((scope) => {
      new HelmRelease(scope, 'podinfo', {
        manifests: v294,
        namespace: 'apps',
        chart: { metadata: { labels: { team: 'a' } }, spec: { chart: 'podinfo', sourceRef: charts(scope) } },
      });
    });
    const spec = (synthesized.resource.kubernetes_manifest['helmrelease_apps_podinfo'] as Resource).manifest.spec;
    assert.deepEqual(spec.chart, {
      metadata: { labels: { team: 'a' } },
      spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'flux-system' } },
    });
  });

  test('takes chartRef, a chart Flux already fetched, instead of chart', () => {
    const ociRepository = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      name: 'podinfo',
      namespace: 'apps',
    };
    const release = synthRelease({ chart: undefined, chartRef: ociRepository }, 'apps').manifest;
    assert.equal(release.metadata.namespace, 'apps', 'the namespace of the chartRef');
    assert.deepEqual(release.spec.chartRef, { kind: 'OCIRepository', name: 'podinfo' });
  });

  test('a HelmRelease in dependsOn is Flux dependsOn; a Kustomization orders the deploy (depends_on)', () => {
    const synthesized = synthConstructs((scope) => {
      const source = new GitRepository(scope, 'flux-system', { manifests: v294, url: 'https://github.com/org/repo' });
      const infra = new Kustomization(scope, 'infra', {
        manifests: v294,
        sourceRef: source,
        prune: true,
        readyTimeout: '5m',
      });
      const repository = charts(scope);
      const crds = new HelmRelease(scope, 'crds', {
        manifests: v294,
        chart: { spec: { chart: 'crds', sourceRef: repository } },
      });
      const shared = new HelmRelease(scope, 'shared', {
        manifests: v294,
        namespace: 'platform',
        chart: { spec: { chart: 'shared', sourceRef: repository } },
      });
      new HelmRelease(scope, 'podinfo', {
        manifests: v294,
        chart: { spec: { chart: 'podinfo', sourceRef: repository } },
        dependsOn: [crds, infra, shared],
      });
    });
    const release = synthesized.resource.kubernetes_manifest['helmrelease_flux-system_podinfo'] as Resource;
    assert.deepEqual(release.manifest.spec.dependsOn, [{ name: 'crds' }, { name: 'shared', namespace: 'platform' }]);
    assert.deepEqual(release.depends_on, ['kubernetes_manifest.kustomization_flux-system_infra']);
  });

  test('takes every field of the CRD schema, under its upstream name', () => {
    const spec = helmRelease({
      interval: '1h',
      releaseName: 'web',
      targetNamespace: 'apps',
      storageNamespace: 'apps',
      serviceAccountName: 'deployer',
      timeout: '10m',
      maxHistory: 3,
      install: { crds: 'CreateReplace', remediation: { retries: 3 } },
      upgrade: { crds: 'CreateReplace', remediation: { retries: 3, strategy: 'rollback' } },
      test: { enable: true },
      rollback: { cleanupOnFail: true },
      uninstall: { keepHistory: false },
      driftDetection: { mode: 'enabled' },
      valuesFrom: [{ kind: 'ConfigMap', name: 'podinfo-values', valuesKey: 'values.yaml' }],
      postRenderers: [{ kustomize: { images: [{ name: 'podinfo', newTag: '6.5.0' }] } }],
      commonMetadata: { labels: { team: 'a' } },
      suspend: false,
    }).spec;
    assert.deepEqual(Object.keys(spec), [
      'interval',
      'chart',
      'commonMetadata',
      'driftDetection',
      'install',
      'maxHistory',
      'postRenderers',
      'releaseName',
      'rollback',
      'serviceAccountName',
      'storageNamespace',
      'suspend',
      'targetNamespace',
      'test',
      'timeout',
      'uninstall',
      'upgrade',
      'valuesFrom',
    ]);
    assert.deepEqual(spec.upgrade, { crds: 'CreateReplace', remediation: { retries: 3, strategy: 'rollback' } });
  });

  test('waits for Ready as the stack says, asking for a reconcile whenever the spec changes, values included', () => {
    const request = (replicaCount: number) => {
      const stack = testStack();
      FluxStackDefaults.set(stack, { manifests: v294, readyTimeout: '5m' });
      new HelmRelease(stack, 'podinfo', { chart: chart(stack), values: { replicaCount } });
      const resource = synthStack(stack).resource.kubernetes_manifest['helmrelease_flux-system_podinfo'] as Resource;
      assert.deepEqual(resource.timeouts, { create: '5m', update: '5m' });
      return resource.manifest.metadata.annotations[RECONCILE_REQUEST_ANNOTATION];
    };
    assert.equal(request(1), request(1));
    assert.notEqual(
      request(1),
      request(2),
      'changed values are a new request: the Ready of the old ones does not count',
    );
  });

  test('fails if neither chart nor chartRef is given, or both', () => {
    const message = (what: string) =>
      `test/podinfo (HelmRelease flux-system/podinfo): ${what} set; give chart (a chart name and version in a ` +
      'HelmRepository, GitRepository or Bucket) or chartRef (an OCIRepository, HelmChart or ExternalArtifact), one ' +
      'of them';
    assert.throws(() => helmRelease({ chart: undefined }), { message: message('neither chart nor chartRef is') });
    const ociRepository = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository', name: 'podinfo' };
    assert.throws(() => helmRelease({ chartRef: { ...ociRepository, namespace: 'flux-system' } }), {
      message: message('both chart and chartRef are'),
    });
  });

  test('fails if interval is not a duration, once', () => {
    assert.throws(() => helmRelease({ interval: '10 minutes' }), {
      message:
        'test/podinfo (HelmRelease flux-system/podinfo): spec.interval: "10 minutes" is not a duration; use Go ' +
        'syntax such as 10m or 1h30m (units ms, s, m, h) (helm.toolkit.fluxcd.io/v2 HelmRelease schema of Flux ' +
        'v2.9.4)',
    });
  });

  test('fails if interval is zero, which Flux refuses', () => {
    assert.throws(() => helmRelease({ interval: '0s' }), {
      message:
        'test/podinfo (HelmRelease flux-system/podinfo): interval "0s" is zero; Flux requires a positive interval ' +
        '(how often it reconciles), such as 1m or 10m',
    });
  });

  test('fails if the name is longer than a label value, which helm-controller writes it into', () => {
    const name = `podinfo-${'a'.repeat(56)}`;
    assert.throws(() => synthRelease({ name }), {
      message:
        `test/podinfo (HelmRelease flux-system/${name}): name "${name}" is not a valid HelmRelease name; use ` +
        'lower-case letters, digits, "-" and ".", starting and ending with a letter or digit, at most 63 ' +
        'characters: Flux writes it into the label helm.toolkit.fluxcd.io/name of every object it applies, and a ' +
        'label value holds at most 63',
    });
  });

  test('fails if targetNamespace or storageNamespace is not a valid namespace, each once', () => {
    const subject = '  test/podinfo (HelmRelease flux-system/podinfo)';
    const rule =
      'is not a valid namespace; use lower-case letters, digits and "-", starting and ending with a letter or ' +
      'digit (DNS-1123 label), at most 63 characters';
    assert.throws(() => helmRelease({ targetNamespace: 'Team_A', storageNamespace: 'a'.repeat(64) }), {
      message: [
        '2 problems:',
        `${subject}: targetNamespace "Team_A" ${rule}`,
        `${subject}: storageNamespace "${'a'.repeat(64)}" ${rule}`,
      ].join('\n'),
    });
  });

  test('fails if the chart source is a kind helm-controller cannot take a chart from', () => {
    const ociRepository = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      name: 'podinfo',
      namespace: 'flux-system',
    };
    assert.throws(() => helmRelease({ chart: { spec: { chart: 'podinfo', sourceRef: ociRepository } } }), {
      message:
        'test/podinfo (HelmRelease flux-system/podinfo): spec.chart.spec.sourceRef.kind: "OCIRepository" is not ' +
        'one of HelmRepository, GitRepository, Bucket (helm.toolkit.fluxcd.io/v2 HelmRelease schema of Flux v2.9.4)',
    });
  });

  test('fails if a field of the chart is misspelt, naming the nearest', () => {
    assert.throws(
      () =>
        synthConstructs((scope) => {
          const spec = { chart: 'podinfo', sourceRef: charts(scope), verison: '6.x' };
          new HelmRelease(scope, 'podinfo', { manifests: v294, chart: { spec } as never });
        }),
      {
        message:
          'test/podinfo (HelmRelease flux-system/podinfo): chart.spec.verison "6.x": is not a prop of ' +
          'chart.spec; did you mean version?',
      },
    );
  });

  test('fails if a value is outside the CRD enum', () => {
    assert.throws(
      () => helmRelease({ upgrade: { remediation: { strategy: 'retry' as never } } }),
      /spec\.upgrade\.remediation\.strategy: "retry" is not one of rollback, uninstall/,
    );
  });

  test('fails if dependsOn holds a source instead of a HelmRelease or Kustomization', () => {
    assert.throws(
      () =>
        synthConstructs((scope) => {
          const repository = charts(scope);
          new HelmRelease(scope, 'podinfo', {
            manifests: v294,
            chart: { spec: { chart: 'podinfo', sourceRef: repository } },
            dependsOn: [repository as never],
          });
        }),
      {
        message:
          'test/podinfo (HelmRelease flux-system/podinfo): dependsOn[0] HelmRepository flux-system/charts: is not ' +
          'a HelmRelease or a Kustomization; a HelmRelease waits for its chart by itself, so drop it from dependsOn',
      },
    );
  });

  test('fails if a Kustomization it depends on is not waited for, so the deploy would order nothing', () => {
    assert.throws(
      () =>
        synthConstructs((scope) => {
          const source = new GitRepository(scope, 'flux-system', { manifests: v294, url: 'https://github.com/o/r' });
          const infra = new Kustomization(scope, 'infra', { manifests: v294, sourceRef: source, prune: true });
          new HelmRelease(scope, 'podinfo', { manifests: v294, chart: chart(scope), dependsOn: [infra] });
        }),
      {
        message:
          'test/podinfo (HelmRelease flux-system/podinfo): dependsOn[0] Kustomization flux-system/infra: ' +
          'helm-controller waits for HelmReleases only, so the deploy applies this release after the ' +
          'Kustomization, which orders nothing unless the deploy waits for it to be Ready; give the Kustomization ' +
          'a readyTimeout (or syncWait waitFor "all")',
      },
    );
  });

  test('fails if a Kustomization it depends on is of another stack, whose deploy cannot order it', () => {
    const staging = new TerraformStack(Testing.app(), 'staging-flux-sync');
    const source = new GitRepository(staging, 'flux-system', { manifests: v294, url: 'https://github.com/o/r' });
    const apps = new Kustomization(staging, 'apps', {
      manifests: v294,
      sourceRef: source,
      prune: true,
      readyTimeout: '5m',
    });
    const stack = testStack();
    new HelmRelease(stack, 'podinfo', { manifests: v294, chart: chart(stack), dependsOn: [apps] });
    assert.throws(
      () => synthStack(stack),
      /\[test\/podinfo\] HelmRelease flux-system\/podinfo: dependsOn\[0\] Kustomization flux-system\/apps of stack staging-flux-sync, which stack test does not deploy, so the deploy of this stack cannot wait for it before applying the release; create it in test or drop the dependency\n/,
    );
  });

  test('fails if a dependency or the chart source is of a stack that does not deploy it', () => {
    const staging = new TerraformStack(Testing.app(), 'staging-flux-sync');
    const repository = charts(staging);
    const theirs = new HelmRelease(staging, 'crds', {
      manifests: v294,
      chart: { spec: { chart: 'crds', sourceRef: repository } },
    });
    const stack = testStack();
    new HelmRelease(stack, 'podinfo', {
      manifests: v294,
      chart: { spec: { chart: 'podinfo', sourceRef: repository } },
      dependsOn: [theirs],
    });
    assert.throws(() => synthStack(stack), {
      message: new RegExp(
        [
          'HelmRelease flux-system/podinfo: dependsOn\\[0\\] HelmRelease flux-system/crds of stack ' +
            'staging-flux-sync, which stack test does not deploy, so Flux would wait for it forever; create it in ' +
            'test or drop the dependency',
          'HelmRelease flux-system/podinfo: chart\\.spec\\.sourceRef HelmRepository flux-system/charts of stack ' +
            'staging-flux-sync, which stack test does not deploy, so Flux would wait for it forever; create the ' +
            'source in test',
        ].join('[^]*'),
      ),
    });
  });
});
