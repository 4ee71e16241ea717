import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AnnotationMetadataEntryType } from 'cdktf';
import { FluxInstall, FluxInstallProps } from '../../constructs';
import { manifests } from '../support/manifests';
import { manifestsOf, synthConstructs, testStack } from '../support/synth';

const v294 = manifests('v2.9.4');

function install(props: Partial<FluxInstallProps> = {}) {
  return manifestsOf(synthConstructs((scope) => new FluxInstall(scope, 'flux', { manifests: v294, ...props })));
}
const podOf = (objects: Record<string, any>, controller: string) =>
  objects[`deployment_flux-system_${controller}`].spec.template.spec;
const argsOf = (objects: Record<string, any>, controller: string): string[] =>
  podOf(objects, controller).containers[0].args;
const plain = install();

describe('FluxInstall customisation: typed settings', () => {
  test('sets flags, replacing those the manifests set and adding the rest', () => {
    const objects = install({
      controllers: {
        'kustomize-controller': {
          flags: {
            concurrent: 20,
            requeueDependency: '5s',
            logLevel: 'debug',
            featureGates: { DisableStatusPollerCache: true, StrictPostBuildSubstitutions: false },
            other: { 'max-retry-delay': '10m', 'kube-api-qps': 100 },
          },
        },
      },
    });
    const before = argsOf(plain, 'kustomize-controller');
    const args = argsOf(objects, 'kustomize-controller');
    assert.deepEqual(args, [
      ...before.map((a) => (a === '--log-level=info' ? '--log-level=debug' : a)),
      '--max-retry-delay=10m',
      '--kube-api-qps=100',
      '--concurrent=20',
      '--requeue-dependency=5s',
      '--feature-gates=DisableStatusPollerCache=true,StrictPostBuildSubstitutions=false',
    ]);
    assert.deepEqual(
      argsOf(objects, 'helm-controller'),
      argsOf(plain, 'helm-controller'),
      'other controllers unchanged',
    );
  });

  test('merges feature gates with those the manifests set', () => {
    const objects = install({
      controllers: { 'helm-controller': { flags: { featureGates: { OOMWatch: true } } } },
      patches: [
        {
          patch: [{ op: 'add', path: '/spec/template/spec/containers/0/args/-', value: '--feature-gates=A=true' }],
          target: { kind: 'Deployment', name: 'source-controller' },
        },
      ],
    });
    assert.ok(argsOf(objects, 'helm-controller').includes('--feature-gates=OOMWatch=true'));
    const merged = install({
      controllers: { 'source-controller': { flags: { featureGates: { B: false } } } },
      patches: [
        {
          patch: [{ op: 'replace', path: '/spec/template/spec/containers/0/args/0', value: '--feature-gates=A=true' }],
          target: { kind: 'Deployment', name: 'source-controller' },
        },
      ],
    });
    // The user's patch comes after the typed settings, so it wins: typed first, patches last.
    assert.equal(argsOf(merged, 'source-controller')[0], '--feature-gates=A=true');
  });

  test('sets resources, merged with the manifests, in the form the API server stores', () => {
    const pod = podOf(
      install({ controllers: { 'source-controller': { resources: { limits: { memory: '2048Mi' } } } } }),
      'source-controller',
    );
    assert.deepEqual(pod.containers[0].resources, {
      limits: { cpu: '1', memory: '2Gi' },
      requests: { cpu: '50m', memory: '64Mi' },
    });
  });

  test('annotates the service account and labels the pods, for workload identity on EKS, GKE and AKS', () => {
    const objects = install({
      controllers: {
        'kustomize-controller': {
          serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/flux' },
        },
        'source-controller': {
          serviceAccountAnnotations: { 'azure.workload.identity/client-id': '00000000-0000-0000-0000-000000000000' },
          podLabels: { 'azure.workload.identity/use': 'true' },
        },
        'helm-controller': {
          serviceAccountAnnotations: { 'iam.gke.io/gcp-service-account': 'flux@p.iam.gserviceaccount.com' },
        },
      },
    });
    assert.deepEqual(objects['serviceaccount_flux-system_kustomize-controller'].metadata.annotations, {
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/flux',
    });
    assert.deepEqual(objects['serviceaccount_flux-system_helm-controller'].metadata.annotations, {
      'iam.gke.io/gcp-service-account': 'flux@p.iam.gserviceaccount.com',
    });
    const source = objects['deployment_flux-system_source-controller'].spec.template.metadata.labels;
    assert.equal(source['azure.workload.identity/use'], 'true');
    assert.equal(source.app, 'source-controller', 'the selector label stays');
    assert.equal(objects['serviceaccount_flux-system_notification-controller'].metadata.annotations, undefined);
    assert.deepEqual(
      objects['deployment_flux-system_kustomize-controller'].spec.template.metadata.labels,
      plain['deployment_flux-system_kustomize-controller'].spec.template.metadata.labels,
    );
  });

  test('schedules the pods: nodeSelector merged, affinity, tolerations added to tolerationKeys, priority class', () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['flux'] }] }],
        },
      },
    };
    const pod = podOf(
      install({
        tolerationKeys: ['CriticalAddonsOnly'],
        controllers: {
          'kustomize-controller': {
            nodeSelector: { pool: 'flux' },
            affinity,
            tolerations: [{ key: 'flux', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
            priorityClassName: 'flux-critical',
          },
        },
      }),
      'kustomize-controller',
    );
    assert.deepEqual(pod.nodeSelector, { 'kubernetes.io/os': 'linux', pool: 'flux' });
    assert.deepEqual(pod.affinity, affinity);
    assert.deepEqual(pod.tolerations, [
      { key: 'CriticalAddonsOnly', operator: 'Exists' },
      { key: 'flux', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
    ]);
    assert.equal(pod.priorityClassName, 'flux-critical');
  });

  test('locks down multi-tenancy on each controller that takes each flag', () => {
    const objects = install({ multiTenancy: {} });
    const added = (controller: string) =>
      argsOf(objects, controller).filter((a) => !argsOf(plain, controller).includes(a));
    assert.deepEqual(added('kustomize-controller'), [
      '--no-cross-namespace-refs=true',
      '--no-remote-bases=true',
      '--default-service-account=default',
    ]);
    assert.deepEqual(added('helm-controller'), ['--no-cross-namespace-refs=true', '--default-service-account=default']);
    assert.deepEqual(added('notification-controller'), ['--no-cross-namespace-refs=true']);
    assert.deepEqual(added('source-controller'), []);
    const own = install({ multiTenancy: { defaultServiceAccount: 'tenant' } });
    assert.ok(argsOf(own, 'helm-controller').includes('--default-service-account=tenant'));
  });

  test('fails if a flag is one the controller version does not take, naming the setting and the nearest flag', () => {
    assert.throws(
      () => install({ controllers: { 'kustomize-controller': { flags: { other: { 'max-retry-delya': '10m' } } } } }),
      {
        message:
          'test/flux: controllers.kustomize-controller.flags.other.max-retry-delya: kustomize-controller v1.9.4 has ' +
          'no flag --max-retry-delya; did you mean max-retry-delay?',
      },
    );
    // --no-remote-bases is kustomize-controller's alone.
    assert.throws(
      () => install({ controllers: { 'helm-controller': { flags: { other: { 'no-remote-bases': true } } } } }),
      /controllers\.helm-controller\.flags\.other\.no-remote-bases: helm-controller v1\.6\.3 has no flag --no-remote-bases/,
    );
    // kustomize-controller v1.6.1 (Flux v2.6.4) has no --default-decryption-service-account yet.
    assert.throws(
      () =>
        manifestsOf(
          synthConstructs(
            (scope) =>
              new FluxInstall(scope, 'flux', {
                manifests: manifests('v2.6.4'),
                controllers: {
                  'kustomize-controller': { flags: { other: { 'default-decryption-service-account': 'sops' } } },
                },
              }),
          ),
        ),
      /kustomize-controller v1\.6\.1 has no flag --default-decryption-service-account/,
    );
  });

  test('warns that flags are not checked for a controller version the table does not list', () => {
    const stack = testStack();
    new FluxInstall(stack, 'flux', {
      manifests: manifests('v2.9.4', 'v2.9.4-image-automation'),
      componentsExtra: ['image-reflector-controller'],
      controllers: { 'image-reflector-controller': { flags: { concurrent: 8 } } },
    });
    const messages = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => m.data));
    assert.deepEqual(messages, [
      'the flags of image-reflector-controller v1.2.4 are not checked: ' +
        'lib/controller-flags.ts does not list that version',
    ]);
  });

  test('fails if a controller given settings is not installed', () => {
    assert.throws(() => install({ controllers: { 'image-automation-controller': { podLabels: { a: 'b' } } } }), {
      message:
        'test/flux: controllers.image-automation-controller: image-automation-controller is not installed; ' +
        'add it to componentsExtra',
    });
  });

  test('fails if a typed setting has the wrong shape, naming it and the value', () => {
    assert.throws(
      () =>
        install({
          controllers: {
            'kustomize-controller': {
              flags: { concurrent: 0, requeueDependency: '5 seconds', other: { '--concurrent': 2, concurrent: 3 } },
              resources: { limits: { cpu: '2 cores' } },
              tolerations: [{ key: 'flux', effect: 'NoScheduel' as never }],
              podLabels: { 'azure.workload.identity/use': true as never },
            },
          } as never,
        }),
      (error: Error) => {
        for (const expected of [
          'controllers.kustomize-controller.flags.concurrent 0: must be a whole number of at least 1',
          'controllers.kustomize-controller.flags.requeueDependency "5 seconds": is not a duration',
          'controllers.kustomize-controller.flags.other.--concurrent "--concurrent": ' +
            'give the flag\'s name without "--"',
          'controllers.kustomize-controller.flags.other.concurrent "concurrent": ' +
            'is a typed setting; use flags.concurrent',
          'controllers.kustomize-controller.resources.limits.cpu "2 cores": is not a quantity',
          'controllers.kustomize-controller.tolerations[0].effect "NoScheduel": is not one of NoSchedule, ' +
            'PreferNoSchedule, NoExecute',
          'controllers.kustomize-controller.podLabels["azure.workload.identity/use"] true: must be a string',
        ])
          assert.ok(error.message.includes(expected), `${expected}\n${error.message}`);
        return true;
      },
    );
    assert.throws(
      () => install({ controllers: { 'kustomize-controler': {} } as never }),
      /controllers\.kustomize-controler \{\}: is not a prop of controllers; did you mean kustomize-controller\?/,
    );
  });
});
