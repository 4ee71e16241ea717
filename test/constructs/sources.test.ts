import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  Bucket,
  BucketProps,
  ExternalArtifact,
  GitRepository,
  HelmChart,
  HelmChartProps,
  HelmRepository,
} from '../../constructs';
import { buildEveryFieldOfMoreKinds } from '../support/every-field';
import { manifests } from '../support/manifests';
import { manifestsOf, synthConstructs, synthStack, testStack } from '../support/synth';

const v294 = manifests('v2.9.4');
const bucket = (scope: Construct, props: Partial<BucketProps> = {}) =>
  new Bucket(scope, 'charts', { manifests: v294, bucketName: 'charts', endpoint: 'minio.example.com', ...props });
const chart = (scope: Construct, props: Partial<HelmChartProps> = {}) =>
  new HelmChart(scope, 'podinfo', {
    manifests: v294,
    chart: 'podinfo',
    ...props,
    sourceRef:
      props.sourceRef ?? new HelmRepository(scope, 'charts', { manifests: v294, url: 'https://charts.example.com' }),
  });

describe('every field of the kinds added in code, as api-server.e2e applies them', () => {
  // The live suite sends these objects to a kube-apiserver; here, that synth accepts each of them.
  test('synthesizes every object, none refused by a rule of its construct', () => {
    const objects = manifestsOf(
      synthConstructs((s) => buildEveryFieldOfMoreKinds(s, manifests('v2.9.4', 'v2.9.4-image-automation'))),
    );
    const kinds = new Set(Object.values(objects).map((o: any) => o.kind));
    assert.deepEqual([...kinds].sort(), [
      'Bucket',
      'ExternalArtifact',
      'GitRepository',
      'HelmChart',
      'HelmRepository',
      'ImagePolicy',
      'ImageRepository',
      'ImageUpdateAutomation',
    ]);
  });
});

describe('Bucket', () => {
  test('renders a source.toolkit.fluxcd.io/v1 Bucket with the defaults resolved', () => {
    assert.deepEqual(manifestsOf(synthConstructs((s) => bucket(s)))['bucket_flux-system_charts'], {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'Bucket',
      metadata: { name: 'charts', namespace: 'flux-system' },
      spec: { interval: '1m', bucketName: 'charts', endpoint: 'minio.example.com' },
    });
  });

  test('takes every field of the CRD schema', () => {
    const spec = manifestsOf(
      synthConstructs((s) =>
        bucket(s, {
          provider: 'aws',
          region: 'eu-west-1',
          prefix: 'flux/',
          interval: '5m',
          timeout: '30s',
          insecure: false,
          ignore: '*.md',
          serviceAccountName: 'reader',
          certSecretRef: { name: 'ca' },
          proxySecretRef: { name: 'proxy' },
          sts: { provider: 'aws', endpoint: 'https://sts.amazonaws.com' },
          suspend: false,
        }),
      ),
    )['bucket_flux-system_charts'].spec;
    assert.deepEqual(spec, {
      interval: '5m',
      provider: 'aws',
      bucketName: 'charts',
      endpoint: 'minio.example.com',
      region: 'eu-west-1',
      prefix: 'flux/',
      certSecretRef: { name: 'ca' },
      ignore: '*.md',
      insecure: false,
      proxySecretRef: { name: 'proxy' },
      serviceAccountName: 'reader',
      sts: { provider: 'aws', endpoint: 'https://sts.amazonaws.com' },
      suspend: false,
      timeout: '30s',
    });
  });

  test('fails if provider is not one the CRD allows', () => {
    assert.throws(
      () => synthConstructs((s) => bucket(s, { provider: 'minio' as never })),
      /spec\.provider: "minio" is not one of generic, aws, gcp, azure \(source\.toolkit\.fluxcd\.io\/v1 Bucket schema/,
    );
  });

  test('fails if insecure would send the access key of secretRef over plain http', () => {
    assert.throws(
      () => synthConstructs((s) => bucket(s, { insecure: true, secretRef: { name: 'minio-key' } })),
      /insecure would send the access key of secretRef "minio-key" over plain http; serve the object store over https/,
    );
    synthConstructs((s) => bucket(s, { insecure: true }));
  });
});

describe('HelmChart', () => {
  test('renders a HelmChart of a HelmRepository, in its namespace', () => {
    assert.deepEqual(manifestsOf(synthConstructs((s) => chart(s)))['helmchart_flux-system_podinfo'], {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmChart',
      metadata: { name: 'podinfo', namespace: 'flux-system' },
      spec: { interval: '1m', chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'charts' } },
    });
  });

  test('takes every field of the CRD schema, from a GitRepository or a Bucket', () => {
    const objects = manifestsOf(
      synthConstructs((s) => {
        const git = new GitRepository(s, 'apps', { manifests: v294, url: 'https://github.com/o/r', namespace: 'apps' });
        chart(s, {
          sourceRef: git,
          chart: './charts/podinfo',
          version: '6.x',
          interval: '10m',
          reconcileStrategy: 'Revision',
          valuesFiles: ['values.yaml', 'values-dev.yaml'],
          ignoreMissingValuesFiles: true,
          suspend: false,
        });
        new HelmChart(s, 'from-bucket', { manifests: v294, chart: './podinfo', sourceRef: bucket(s) });
      }),
    );
    assert.deepEqual(objects['helmchart_apps_podinfo'].spec, {
      interval: '10m',
      chart: './charts/podinfo',
      version: '6.x',
      sourceRef: { kind: 'GitRepository', name: 'apps' },
      ignoreMissingValuesFiles: true,
      reconcileStrategy: 'Revision',
      suspend: false,
      valuesFiles: ['values.yaml', 'values-dev.yaml'],
    });
    assert.deepEqual(objects['helmchart_flux-system_from-bucket'].spec.sourceRef, { kind: 'Bucket', name: 'charts' });
  });

  test('verifies a chart from an OCI HelmRepository', () => {
    const objects = manifestsOf(
      synthConstructs((s) => {
        const oci = new HelmRepository(s, 'charts', { manifests: v294, type: 'oci', url: 'oci://ghcr.io/o/charts' });
        chart(s, {
          sourceRef: oci,
          verify: { provider: 'cosign', matchOIDCIdentity: [{ issuer: '^https://x$', subject: '.*' }] },
        });
      }),
    );
    assert.deepEqual(objects['helmchart_flux-system_podinfo'].spec.verify, {
      provider: 'cosign',
      matchOIDCIdentity: [{ issuer: '^https://x$', subject: '.*' }],
    });
  });

  test('fails if the source is in another namespace, where source-controller never looks', () => {
    assert.throws(
      () =>
        synthConstructs((s) => {
          const repository = new HelmRepository(s, 'charts', {
            manifests: v294,
            url: 'https://c.example.com',
            namespace: 'charts',
          });
          chart(s, { sourceRef: repository, namespace: 'apps' });
        }),
      {
        message:
          'test/podinfo (HelmChart apps/podinfo): sourceRef HelmRepository charts/charts is not in namespace apps, ' +
          'where source-controller looks for the source of a HelmChart; leave namespace out ' +
          "(it defaults to the source's) or create the source in apps",
      },
    );
  });

  test('fails if verify is given for a chart that is not from an OCI registry, which source-controller skips', () => {
    assert.throws(() => synthConstructs((s) => chart(s, { verify: { provider: 'cosign' } })), {
      message:
        'test/podinfo (HelmChart flux-system/podinfo): verify {"provider":"cosign"}: source-controller verifies ' +
        'only charts from an OCI registry, and sourceRef HelmRepository flux-system/charts is not a HelmRepository ' +
        'of type oci; drop verify, or take the chart from an OCI HelmRepository',
    });
  });

  test('fails if sourceRef is not a HelmRepository, GitRepository or Bucket', () => {
    assert.throws(
      () =>
        synthConstructs((s) =>
          chart(s, { sourceRef: { kind: 'OCIRepository', name: 'x', namespace: 'flux-system' } as never }),
        ),
      /sourceRef .*: is not a HelmRepository, GitRepository or Bucket construct, the sources source-controller takes a chart from$/,
    );
  });

  test('fails if its source is of a stack that does not deploy it', () => {
    const theirs = bucket(new TerraformStack(Testing.app(), 'staging-flux-sync'));
    const stack = testStack();
    chart(stack, { sourceRef: theirs });
    assert.throws(
      () => synthStack(stack),
      /HelmChart flux-system\/podinfo: sourceRef Bucket flux-system\/charts of stack staging-flux-sync, which stack test does not deploy, so Flux would wait for it forever; create the source in test/,
    );
  });
});

describe('ExternalArtifact', () => {
  test('renders an ExternalArtifact, with the object that produces it', () => {
    const objects = manifestsOf(
      synthConstructs((s) => {
        new ExternalArtifact(s, 'plain', { manifests: v294 });
        const producer = {
          apiVersion: 'source.extensions.fluxcd.io/v1beta1',
          kind: 'ArtifactGenerator',
          name: 'gen',
          namespace: 'tools',
        };
        new ExternalArtifact(s, 'generated', { manifests: v294, sourceRef: producer });
      }),
    );
    assert.deepEqual(objects['externalartifact_flux-system_plain'], {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'ExternalArtifact',
      metadata: { name: 'plain', namespace: 'flux-system' },
      spec: {},
    });
    assert.deepEqual(objects['externalartifact_flux-system_generated'].spec, {
      sourceRef: {
        apiVersion: 'source.extensions.fluxcd.io/v1beta1',
        kind: 'ArtifactGenerator',
        name: 'gen',
        namespace: 'tools',
      },
    });
  });

  test('fails if the installed Flux is older than v2.7.0, which first has its CRD', () => {
    assert.throws(() => synthConstructs((s) => new ExternalArtifact(s, 'plain', { manifests: manifests('v2.6.4') })), {
      message:
        'test/plain (ExternalArtifact flux-system/plain): the manifests of Flux v2.6.4 have no ExternalArtifact CRD ' +
        '(source.toolkit.fluxcd.io): Flux has it from v2.7.0 on; set fluxVersion to v2.7.0 or later',
    });
  });
});
