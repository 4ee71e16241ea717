import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StrategicMergeError, strategicMerge } from '../../lib/strategic-merge';

// The expected results are what kustomize v5.7.1 (sigs.k8s.io/kustomize/api v0.21.1) builds from
// the same object and patch (with apiVersion, kind and a name added, which kustomize requires):
// compared by hand once, with kustomize's krusty built from the Go module cache, and the same but
// for the order of a merged container port (below).

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'source-controller', namespace: 'flux-system', labels: { app: 'source-controller' } },
  spec: {
    template: {
      metadata: { labels: { app: 'source-controller' } },
      spec: {
        initContainers: [{ name: 'init', image: 'busybox' }],
        containers: [
          {
            name: 'manager',
            image: 'ghcr.io/fluxcd/source-controller:v1.9.4',
            args: ['--log-level=info', '--watch-all-namespaces=true'],
            env: [
              { name: 'RUNTIME_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'TUF_ROOT', value: '/tmp/.sigstore' },
            ],
            ports: [
              { containerPort: 9090, name: 'http', protocol: 'TCP' },
              { containerPort: 8080, name: 'http-prom', protocol: 'TCP' },
            ],
            volumeMounts: [
              { mountPath: '/data', name: 'data' },
              { mountPath: '/tmp', name: 'tmp' },
            ],
            resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '50m' } },
          },
        ],
        imagePullSecrets: [{ name: 'regcred' }],
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        tolerations: [{ key: 'a', operator: 'Exists' }],
        volumes: [
          { name: 'data', emptyDir: {} },
          { name: 'tmp', emptyDir: {} },
        ],
      },
    },
  },
});

type Pod = ReturnType<typeof deployment>['spec']['template']['spec'] & Record<string, any>;
const podOf = (o: Record<string, any>): Pod => o.spec.template.spec;
const pod = (spec: Record<string, unknown>) => ({ spec: { template: { spec } } });
const manager = (fields: Record<string, unknown>) => pod({ containers: [{ name: 'manager', ...fields }] });

describe('strategicMerge', () => {
  test('merges containers by name: a new one is added, the named one merged', () => {
    const result = podOf(strategicMerge(deployment(), pod({ containers: [{ name: 'sidecar', image: 'proxy' }] })));
    assert.deepEqual(
      result.containers.map((c: { name: string }) => c.name),
      ['sidecar', 'manager'],
      'items the patch names come first, as kustomize orders them',
    );
    const merged = podOf(strategicMerge(deployment(), manager({ image: 'mirror/source-controller:v1.9.4' })));
    assert.equal(merged.containers.length, 1);
    assert.equal(merged.containers[0].image, 'mirror/source-controller:v1.9.4');
    assert.deepEqual(merged.containers[0].args, deployment().spec.template.spec.containers[0].args);
  });

  test('merges init containers by name', () => {
    const result = podOf(strategicMerge(deployment(), pod({ initContainers: [{ name: 'init', image: 'alpine' }] })));
    assert.deepEqual(result.initContainers, [{ name: 'init', image: 'alpine' }]);
  });

  test('merges env by name, the named items first, keeping valueFrom beside a new value as kustomize does', () => {
    const result = podOf(
      strategicMerge(
        deployment(),
        manager({
          env: [
            { name: 'TUF_ROOT', value: '/cache' },
            { name: 'HTTPS_PROXY', value: 'http://proxy:3128' },
          ],
        }),
      ),
    );
    assert.deepEqual(result.containers[0].env, [
      { name: 'TUF_ROOT', value: '/cache' },
      { name: 'HTTPS_PROXY', value: 'http://proxy:3128' },
      { name: 'RUNTIME_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ]);
  });

  test('merges volumes by name', () => {
    const result = podOf(
      strategicMerge(deployment(), pod({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'flux' } }] })),
    );
    assert.deepEqual(result.volumes, [
      { name: 'data', emptyDir: {}, persistentVolumeClaim: { claimName: 'flux' } },
      { name: 'tmp', emptyDir: {} },
    ]);
    const replaced = podOf(
      strategicMerge(
        deployment(),
        pod({ volumes: [{ name: 'data', emptyDir: null, persistentVolumeClaim: { claimName: 'flux' } }] }),
      ),
    );
    assert.deepEqual(replaced.volumes[0], { name: 'data', persistentVolumeClaim: { claimName: 'flux' } });
  });

  test('merges volumeMounts by mountPath', () => {
    const result = podOf(
      strategicMerge(deployment(), manager({ volumeMounts: [{ mountPath: '/tmp', name: 'scratch' }] })),
    );
    assert.deepEqual(result.containers[0].volumeMounts, [
      { mountPath: '/tmp', name: 'scratch' },
      { mountPath: '/data', name: 'data' },
    ]);
  });

  test('merges container ports by containerPort', () => {
    const added = podOf(strategicMerge(deployment(), manager({ ports: [{ containerPort: 7070, name: 'extra' }] })));
    assert.deepEqual(
      added.containers[0].ports.map((p: { containerPort: number }) => p.containerPort),
      [7070, 9090, 8080],
    );
    // kustomize keys ports on containerPort and protocol, and keeps a merged port in its place;
    // Kubernetes' merge key is containerPort alone. The fields agree, the order may not.
    const merged = podOf(strategicMerge(deployment(), manager({ ports: [{ containerPort: 8080, name: 'metrics' }] })));
    assert.deepEqual(
      merged.containers[0].ports.find((p: { containerPort: number }) => p.containerPort === 8080),
      { containerPort: 8080, name: 'metrics', protocol: 'TCP' },
    );
    assert.equal(merged.containers[0].ports.length, 2);
  });

  test("merges a Service's ports by port", () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80, name: 'http' }] },
    };
    const result = strategicMerge(service, { spec: { ports: [{ port: 443, name: 'https' }] } }) as any;
    assert.deepEqual(result.spec.ports, [
      { port: 443, name: 'https' },
      { port: 80, name: 'http' },
    ]);
  });

  test('merges imagePullSecrets by name', () => {
    const result = podOf(strategicMerge(deployment(), pod({ imagePullSecrets: [{ name: 'mirror' }] })));
    assert.deepEqual(result.imagePullSecrets, [{ name: 'mirror' }, { name: 'regcred' }]);
  });

  test('replaces tolerations, which Kubernetes merges as a whole (no merge key), as kustomize does', () => {
    const result = podOf(strategicMerge(deployment(), pod({ tolerations: [{ key: 'b', operator: 'Exists' }] })));
    assert.deepEqual(result.tolerations, [{ key: 'b', operator: 'Exists' }]);
  });

  test('replaces lists of values, such as args', () => {
    const result = podOf(strategicMerge(deployment(), manager({ args: ['--concurrent=20'] })));
    assert.deepEqual(result.containers[0].args, ['--concurrent=20']);
  });

  test('merges maps and deletes a field set to null', () => {
    const result = podOf(
      strategicMerge(
        deployment(),
        pod({
          nodeSelector: { pool: 'flux' },
          containers: [{ name: 'manager', resources: { limits: { memory: '2Gi', cpu: null } } }],
        }),
      ),
    );
    assert.deepEqual(result.nodeSelector, { 'kubernetes.io/os': 'linux', pool: 'flux' });
    assert.deepEqual(result.containers[0].resources, { limits: { memory: '2Gi' }, requests: { cpu: '50m' } });
  });

  test('deletes a merge-key item with $patch: delete and replaces a list or map with $patch: replace', () => {
    const deleted = podOf(strategicMerge(deployment(), manager({ env: [{ name: 'TUF_ROOT', $patch: 'delete' }] })));
    assert.deepEqual(
      deleted.containers[0].env.map((e: { name: string }) => e.name),
      ['RUNTIME_NAMESPACE'],
    );
    const list = podOf(
      strategicMerge(deployment(), pod({ volumes: [{ $patch: 'replace' }, { name: 'only', emptyDir: {} }] })),
    );
    assert.deepEqual(list.volumes, [{ name: 'only', emptyDir: {} }]);
    const map = podOf(strategicMerge(deployment(), pod({ nodeSelector: { $patch: 'replace', pool: 'flux' } })));
    assert.deepEqual(map.nodeSelector, { pool: 'flux' });
  });

  test('leaves the original object unchanged', () => {
    const original = deployment();
    strategicMerge(original, manager({ env: [{ name: 'X', value: '1' }] }));
    assert.deepEqual(original, deployment());
  });

  test('fails if a merge-key item lacks its key, or a directive is not supported', () => {
    assert.throws(
      () => strategicMerge(deployment(), manager({ env: [{ value: '1' }] })),
      (e: StrategicMergeError) =>
        e.path === '/spec/template/spec/containers/0/env/0' && /needs its merge key "name"/.test(e.message),
    );
    assert.throws(
      () => strategicMerge(deployment(), pod({ $setElementOrder: { containers: [] } })),
      /\$setElementOrder is not supported/,
    );
  });
});
