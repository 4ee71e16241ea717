import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { storedForm } from '../../lib/stored-form';
import { KubernetesObject } from '../../lib/kubernetes-object';

type Json = Record<string, any>;

const deployment = (podSpec: Json): KubernetesObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', namespace: 'n' },
  spec: { template: { spec: podSpec } },
});
const podSpecOf = (object: KubernetesObject): Json => (object.spec as Json).template.spec;
const containerOf = (c: Json) => podSpecOf(storedForm(deployment({ containers: [c] }))).containers[0];

describe('storedForm: the defaults of list items', () => {
  test("a container's termination message and pull policy, after its own fields", () => {
    const c = containerOf({ name: 'manager', image: 'ghcr.io/fluxcd/source-controller:v1.9.4' });
    assert.deepEqual(c, {
      name: 'manager',
      image: 'ghcr.io/fluxcd/source-controller:v1.9.4',
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    });
    assert.equal(containerOf({ name: 'm', image: 'x', imagePullPolicy: 'Never' }).imagePullPolicy, 'Never');
  });

  test('the pull policy follows the tag: latest or none pulls always, a digest or a version if not present', () => {
    const policy = (image: string) => containerOf({ name: 'm', image }).imagePullPolicy;
    assert.equal(policy('busybox'), 'Always');
    assert.equal(policy('busybox:latest'), 'Always');
    assert.equal(policy('registry.local:5000/busybox'), 'Always');
    assert.equal(policy('registry.local:5000/busybox:1.36'), 'IfNotPresent');
    assert.equal(policy('busybox@sha256:' + '0'.repeat(64)), 'IfNotPresent');
  });

  test("env: a fieldRef's apiVersion and a resourceFieldRef's divisor", () => {
    const c = containerOf({
      name: 'm',
      image: 'x:1',
      env: [
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1024Ki' } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'PLAIN', value: 'v' },
      ],
    });
    assert.deepEqual(c.env, [
      { name: 'NS', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
      { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '0' } } },
      { name: 'PLAIN', value: 'v' },
    ]);
  });

  test("ports' protocol, probes' thresholds and HTTP scheme, and lifecycle hooks", () => {
    const c = containerOf({
      name: 'm',
      image: 'x:1',
      ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
      livenessProbe: { httpGet: { port: 'healthz' }, periodSeconds: 30 },
      readinessProbe: { exec: { command: ['true'] } },
      lifecycle: { preStop: { httpGet: { path: '/stop', port: 80 } } },
    });
    assert.deepEqual(c.ports, [
      { containerPort: 80, protocol: 'TCP' },
      { containerPort: 53, protocol: 'UDP' },
    ]);
    assert.deepEqual(c.livenessProbe, {
      httpGet: { path: '/', scheme: 'HTTP', port: 'healthz' },
      timeoutSeconds: 1,
      periodSeconds: 30,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.deepEqual(c.readinessProbe, {
      exec: { command: ['true'] },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.deepEqual(c.lifecycle.preStop.httpGet, { path: '/stop', scheme: 'HTTP', port: 80 });
    assert.equal(c.startupProbe, undefined, 'a probe the container does not set stays unset');
  });

  test('init containers get the same defaults', () => {
    const spec = podSpecOf(storedForm(deployment({ containers: [], initContainers: [{ name: 'i', image: 'x' }] })));
    assert.equal(spec.initContainers[0].terminationMessagePolicy, 'File');
  });

  test("volumes: the file mode of secret, configMap, downwardAPI and projected volumes; a token's expiry", () => {
    const spec = podSpecOf(
      storedForm(
        deployment({
          containers: [],
          volumes: [
            { name: 'data', emptyDir: { sizeLimit: '1024Mi' } },
            { name: 's', secret: { secretName: 's' } },
            { name: 'c', configMap: { name: 'c', defaultMode: 256 } },
            { name: 'd', downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
            { name: 'p', projected: { sources: [{ serviceAccountToken: { path: 't', audience: 'sts' } }] } },
            { name: 'h', hostPath: { path: '/var/run' } },
          ],
        }),
      ),
    );
    assert.deepEqual(spec.volumes, [
      { name: 'data', emptyDir: { sizeLimit: '1Gi' } },
      { name: 's', secret: { defaultMode: 420, secretName: 's' } },
      { name: 'c', configMap: { name: 'c', defaultMode: 256 } },
      {
        name: 'd',
        downwardAPI: {
          defaultMode: 420,
          items: [{ path: 'ns', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
        },
      },
      {
        name: 'p',
        projected: {
          defaultMode: 420,
          sources: [{ serviceAccountToken: { expirationSeconds: 3600, path: 't', audience: 'sts' } }],
        },
      },
      { name: 'h', hostPath: { type: '', path: '/var/run' } },
    ]);
  });

  test("a Service's ports: protocol TCP, and the port itself as targetPort", () => {
    const service = storedForm({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'n' },
      spec: {
        ports: [
          { name: 'http', port: 80 },
          { port: 9292, targetPort: 'http-webhook', protocol: 'TCP' },
        ],
      },
    });
    assert.deepEqual((service.spec as Json).ports, [
      { protocol: 'TCP', targetPort: 80, name: 'http', port: 80 },
      { port: 9292, targetPort: 'http-webhook', protocol: 'TCP' },
    ]);
  });

  test('custom resources are stored as sent', () => {
    const object = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'apps', namespace: 'flux-system' },
      spec: { interval: '10m', path: './apps', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
    };
    assert.deepEqual(storedForm(object), object);
  });
});
