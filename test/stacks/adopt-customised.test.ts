import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { Testing } from 'cdktf';
import { parse } from 'yaml';
import { summarizePlan } from '../../cli/plan-summary';
import { InstallPatch } from '../../lib/install-patches';
import { KubernetesObject } from '../../lib/kubernetes-object';
import { addFluxEnvironment } from '../../stacks';
import { EnvironmentSettings } from '../../settings';
import '../support/manifests';
import { modelPlan } from '../support/plan';
import { synthStack } from '../support/synth';

// A cluster that `flux bootstrap` customised, as Flux's bootstrap customization and multi-tenancy
// guides do it: clusters/dev/flux-system/kustomization.yaml, word for word as a team keeps it.
/* eslint-disable max-len -- the file as a team keeps it, its long target regex included */
const KUSTOMIZATION_YAML = `
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - gotk-components.yaml
  - gotk-sync.yaml
patches:
  - patch: |
      - op: add
        path: /spec/template/spec/containers/0/args/0
        value: --no-cross-namespace-refs=true
    target:
      kind: Deployment
      name: "(kustomize-controller|helm-controller|notification-controller|image-reflector-controller|image-automation-controller)"
  - patch: |
      - op: add
        path: /spec/template/spec/containers/0/args/-
        value: --no-remote-bases=true
    target:
      kind: Deployment
      name: "kustomize-controller"
  - patch: |
      - op: add
        path: /spec/template/spec/containers/0/args/0
        value: --default-service-account=default
    target:
      kind: Deployment
      name: "(kustomize-controller|helm-controller)"
  - patch: |
      - op: add
        path: /spec/template/spec/containers/0/args/-
        value: --concurrent=20
      - op: add
        path: /spec/template/spec/containers/0/args/-
        value: --requeue-dependency=5s
    target:
      kind: Deployment
      name: "(kustomize-controller|helm-controller|source-controller)"
  - patch: |
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: kustomize-controller
        annotations:
          eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/flux-kustomize
    target:
      kind: ServiceAccount
      name: kustomize-controller
  - patch: |
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: all
      spec:
        template:
          spec:
            containers:
              - name: manager
                resources:
                  limits:
                    memory: 2Gi
            nodeSelector:
              role: flux
            tolerations:
              - key: role
                operator: Equal
                value: flux
                effect: NoSchedule
    target:
      kind: Deployment
      labelSelector: app.kubernetes.io/part-of=flux
`;
/* eslint-enable max-len */

// sha256 of the 32 objects kustomize v5.7.1 (sigs.k8s.io/kustomize/api v0.21.1, krusty) built from
// Flux v2.9.4's gotk-components.yaml and the patches above, each object's keys sorted, the objects
// sorted by kind, namespace and name: computed once by hand with kustomize built from the Go module
// cache, since the tests cannot run kustomize. Our objects hash the same only if every field is equal.
const KUSTOMIZE_BUILD_SHA256 = '6c374f119160377fa234f62a211916ca21ae289d19d01f3cd8a3e60433979277';

const { patches } = parse(KUSTOMIZATION_YAML) as { patches: InstallPatch[] };

const sorted = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sorted)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
        )
      : v;
const keyOf = (o: KubernetesObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const digest = (objects: readonly KubernetesObject[]) =>
  createHash('sha256')
    .update(JSON.stringify([...objects].sort((a, b) => keyOf(a).localeCompare(keyOf(b))).map(sorted)))
    .digest('hex');

async function environment(settings: Partial<EnvironmentSettings>) {
  return addFluxEnvironment(Testing.app(), { name: 'dev', adopt: true, ...settings });
}

describe('adopting a cluster that flux bootstrap customised with patches', () => {
  test('the same patches give exactly the objects kustomize built for flux bootstrap', async () => {
    const { bootstrap } = await environment({ install: { patches } });
    assert.equal(bootstrap.install.objects.length, 32);
    assert.equal(digest(bootstrap.install.objects), KUSTOMIZE_BUILD_SHA256);
    const find = (kind: string, name: string) =>
      bootstrap.install.objects.find((o) => o.kind === kind && o.metadata.name === name) as Record<string, any>;
    const kustomize = find('Deployment', 'kustomize-controller').spec.template.spec;
    assert.deepEqual(kustomize.containers[0].args, [
      '--default-service-account=default',
      '--no-cross-namespace-refs=true',
      '--events-addr=http://notification-controller.$(RUNTIME_NAMESPACE).svc.cluster.local./',
      '--watch-all-namespaces=true',
      '--log-level=info',
      '--log-encoding=json',
      '--enable-leader-election',
      '--no-remote-bases=true',
      '--concurrent=20',
      '--requeue-dependency=5s',
    ]);
    assert.deepEqual(kustomize.containers[0].resources.limits, { cpu: '1000m', memory: '2Gi' });
    assert.deepEqual(kustomize.nodeSelector, { 'kubernetes.io/os': 'linux', role: 'flux' });
    assert.deepEqual(kustomize.tolerations, [{ key: 'role', operator: 'Equal', value: 'flux', effect: 'NoSchedule' }]);
    assert.deepEqual(find('ServiceAccount', 'kustomize-controller').metadata.annotations, {
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/flux-kustomize',
    });
  });

  test('imports every object, so the first deploy takes them over with no change to plan', async () => {
    const { bootstrap } = await environment({ install: { patches } });
    const synthesized = synthStack(bootstrap);
    const imported = new Set(((synthesized as { import?: { to: string }[] }).import ?? []).map((i) => i.to));
    for (const address of Object.keys(synthesized.resource.kubernetes_manifest))
      assert.ok(imported.has(`kubernetes_manifest.${address}`), address);
  });

  test('the typed settings instead of the patches would reorder flags: the review says so, nothing else', async () => {
    const [asBootstrapped, typed] = [
      await environment({ install: { patches } }),
      await environment({
        install: {
          multiTenancy: {},
          controllers: Object.fromEntries(
            ['kustomize-controller', 'helm-controller', 'source-controller'].map((c) => [
              c,
              { flags: { concurrent: 20, requeueDependency: '5s' } },
            ]),
          ),
          patches: patches.slice(4),
        },
      }),
    ];
    const { markdown, warnings } = summarizePlan(
      'dev-flux-bootstrap',
      modelPlan(synthStack(asBootstrapped.bootstrap), synthStack(typed.bootstrap)),
    );
    assert.deepEqual(warnings, []);
    assert.match(markdown, /^### `dev-flux-bootstrap`: 0 to create, 3 to update, 0 to replace, 0 to delete$/m);
    for (const controller of ['kustomize-controller', 'helm-controller', 'notification-controller'])
      assert.ok(
        markdown.includes(
          `| update | Deployment flux-system/${controller} | \`spec.template.spec.containers[0].args\`: reordered |`,
        ),
        `${controller}\n${markdown}`,
      );
  });
});
