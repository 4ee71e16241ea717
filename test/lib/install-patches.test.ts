import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { installObjects, resolveInstallOptions } from '../../lib/install-options';
import { applyInstallPatches, NamedPatch } from '../../lib/install-patches';
import { KubernetesObject } from '../../lib/kubernetes-object';
import { Problems } from '../../lib/rules';
import { manifests } from '../support/manifests';

const objects = installObjects(manifests('v2.9.4'), resolveInstallOptions({}));

function patched(...patches: Omit<NamedPatch, 'source'>[]): KubernetesObject[] {
  const problems = new Problems('test');
  const result = applyInstallPatches(
    problems,
    objects,
    patches.map((p, i) => ({ ...p, source: `patches[${i}]` })),
  );
  problems.throwIfAny();
  return result;
}

const find = (list: KubernetesObject[], kind: string, name: string) =>
  list.find((o) => o.kind === kind && o.metadata.name === name) as Record<string, any>;
const argsOf = (list: KubernetesObject[], name: string): string[] =>
  find(list, 'Deployment', name).spec.template.spec.containers[0].args;

describe('install patches', () => {
  test('applies a JSON patch given as YAML text to every object its target selects, by regular expression', () => {
    const result = patched({
      patch: '- op: add\n  path: /spec/template/spec/containers/0/args/-\n  value: --concurrent=20\n',
      target: { kind: 'Deployment', name: '(kustomize-controller|helm-controller)' },
    });
    assert.equal(argsOf(result, 'kustomize-controller').at(-1), '--concurrent=20');
    assert.equal(argsOf(result, 'helm-controller').at(-1), '--concurrent=20');
    assert.ok(!argsOf(result, 'source-controller').includes('--concurrent=20'), 'the name regex is anchored');
    assert.deepEqual(
      result.filter((o, i) => o !== objects[i]).map((o) => o.metadata.name),
      ['kustomize-controller', 'helm-controller'],
      'nothing else changes',
    );
  });

  test('applies a JSON patch given as a list of operations, in order', () => {
    const result = patched({
      patch: [
        { op: 'add', path: '/spec/template/spec/containers/0/args/0', value: '--no-cross-namespace-refs=true' },
        { op: 'replace', path: '/spec/replicas', value: 2 },
        { op: 'test', path: '/spec/replicas', value: 2 },
        { op: 'remove', path: '/spec/template/metadata/annotations' },
      ],
      target: { group: 'apps', version: 'v1', kind: 'Deployment', name: 'notification-controller' },
    });
    const d = find(result, 'Deployment', 'notification-controller');
    assert.equal(d.spec.template.spec.containers[0].args[0], '--no-cross-namespace-refs=true');
    assert.equal(d.spec.replicas, 2);
    assert.equal(d.spec.template.metadata.annotations, undefined);
  });

  test('applies a strategic merge patch given as YAML, naming its object itself, as kustomize does', () => {
    const result = patched({
      patch:
        'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: kustomize-controller\n  namespace: flux-system\n' +
        '  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/flux\n',
    });
    assert.deepEqual(find(result, 'ServiceAccount', 'kustomize-controller').metadata.annotations, {
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/flux',
    });
    assert.equal(find(result, 'ServiceAccount', 'source-controller').metadata.annotations, undefined);
  });

  test('applies a strategic merge patch given as an object to what a label selector selects', () => {
    const result = patched({
      patch: {
        spec: {
          template: {
            spec: { containers: [{ name: 'manager', env: [{ name: 'HTTPS_PROXY', value: 'http://proxy:3128' }] }] },
          },
        },
      },
      target: { kind: 'Deployment', labelSelector: 'app.kubernetes.io/part-of=flux,control-plane in (controller)' },
    });
    for (const name of ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller']) {
      const env = find(result, 'Deployment', name).spec.template.spec.containers[0].env;
      assert.deepEqual(env[0], { name: 'HTTPS_PROXY', value: 'http://proxy:3128' }, name);
      assert.ok(
        env.some((e: { name: string }) => e.name === 'RUNTIME_NAMESPACE'),
        `${name} keeps its own env`,
      );
    }
  });

  test('selects by namespace and annotation selector, and applies patches in the order given', () => {
    const result = patched(
      {
        patch: { metadata: { annotations: { team: 'platform' } } },
        target: { kind: 'ServiceAccount', namespace: 'flux-system', name: 'helm-controller' },
      },
      { patch: { metadata: { labels: { tagged: 'yes' } } }, target: { annotationSelector: 'team=platform' } },
    );
    assert.equal(find(result, 'ServiceAccount', 'helm-controller').metadata.labels.tagged, 'yes');
    assert.equal(find(result, 'ServiceAccount', 'source-controller').metadata.labels.tagged, undefined);
  });

  test('leaves the objects it was given unchanged', () => {
    const before = JSON.stringify(objects);
    patched({ patch: { spec: { replicas: 3 } }, target: { kind: 'Deployment' } });
    assert.equal(JSON.stringify(objects), before);
  });

  test('fails if a JSON patch has no target', () => {
    assert.throws(() => patched({ patch: [{ op: 'remove', path: '/spec/replicas' }] }), {
      message:
        "test: patches[0]: a JSON patch needs a target, such as { kind: 'Deployment', name: 'kustomize-controller' }",
    });
  });

  test('fails if a target selects no object, naming the nearest', () => {
    assert.throws(
      () => patched({ patch: { spec: { replicas: 2 } }, target: { kind: 'Deployment', name: 'kustomise-controller' } }),
      {
        message:
          'test: patches[0] (target kind Deployment, name kustomise-controller): selects no object of the install; ' +
          'did you mean kustomize-controller?',
      },
    );
    assert.throws(
      () => patched({ patch: 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: kustomize-controller\n' }),
      /patches\[0\] \(target group , kind ServiceAccount, name kustomize-controller, namespace \): selects no object/,
      'a patch naming its object must give its namespace, as with kustomize',
    );
  });

  test('fails if an operation fails, naming the patch, the target, the object and the path', () => {
    assert.throws(
      () =>
        patched({
          patch: [{ op: 'replace', path: '/spec/template/spec/containers/1/args/0', value: '--concurrent=20' }],
          target: { kind: 'Deployment', name: 'source-controller' },
        }),
      {
        message:
          'test: patches[0] (target kind Deployment, name source-controller): ' +
          'Deployment flux-system/source-controller: ' +
          'operation 0 (replace /spec/template/spec/containers/1/args/0) fails: ' +
          '/spec/template/spec/containers/1/args/0 does not exist in the object',
      },
    );
    assert.throws(
      () =>
        patched({
          patch: [{ op: 'test', path: '/spec/replicas', value: 3 }],
          target: { kind: 'Deployment', name: 'source-controller' },
        }),
      /operation 0 \(test \/spec\/replicas\) fails: the value is 1, not 3$/,
    );
  });

  test('fails if the result is what the API server would refuse, naming the patches and the value', () => {
    assert.throws(
      () =>
        patched({
          patch: {
            spec: {
              template: { spec: { containers: [{ name: 'manager', resources: { limits: { cpu: '1 core' } } }] } },
            },
          },
          target: { kind: 'Deployment', name: 'source-controller' },
        }),
      {
        message:
          'test: Deployment flux-system/source-controller, as patched by patches[0] (target kind Deployment, name ' +
          'source-controller): spec.template.spec.containers[0].resources.limits.cpu "1 core" is not a quantity; use ' +
          'one such as 500m, 2, 512Mi or 1Gi',
      },
    );
    assert.throws(
      () =>
        patched({
          patch: [{ op: 'replace', path: '/spec/template/metadata/labels/app', value: 'other' }],
          target: { kind: 'Deployment', name: 'helm-controller' },
        }),
      /spec\.template\.metadata\.labels\["app"\] "other" must stay "helm-controller": the Deployment's selector/,
    );
  });

  test('checks the result once every patch is applied: a mount may come before its volume', () => {
    const mount = {
      patch: {
        spec: {
          template: {
            spec: { containers: [{ name: 'manager', volumeMounts: [{ name: 'cache', mountPath: '/cache' }] }] },
          },
        },
      },
      target: { kind: 'Deployment', name: 'source-controller' },
    };
    const volume = {
      patch: { spec: { template: { spec: { volumes: [{ name: 'cache', emptyDir: {} }] } } } },
      target: { kind: 'Deployment', name: 'source-controller' },
    };
    assert.ok(patched(mount, volume));
    assert.throws(() => patched(mount), /volumeMounts\[0\]\.name "cache" names no volume of the pod/);
  });

  test('fails if a patch renames an object, is not a patch, or has a bad target', () => {
    assert.throws(
      () => patched({ patch: [{ op: 'replace', path: '/metadata/name', value: 'x' }], target: { kind: 'Namespace' } }),
      /Namespace flux-system: changes metadata\.name \("x"\); a patch may change an object, not make it another object/,
    );
    assert.throws(
      () => patched({ patch: 'a: [', target: { kind: 'Namespace' } }),
      /patches\[0\]: the patch is not YAML or JSON/,
    );
    assert.throws(
      () => patched({ patch: [{ op: 'append', path: '/x' }] as never, target: { kind: 'Namespace' } }),
      /operation 0 \{"op":"append","path":"\/x"\} is not an RFC 6902 operation; use op add, remove, replace, move, copy, test/,
    );
    assert.throws(
      () => patched({ patch: { spec: {} }, target: { kind: 'Deployment', labelSelector: 'app in a,b' } }),
      /target\.labelSelector "app in a,b" is not a selector/,
    );
    assert.throws(
      () => patched({ patch: { spec: {} }, target: { name: '(' } }),
      /target\.name "\(" is not a regular expression/,
    );
    assert.throws(
      () => patched({ patch: '$patch: delete\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n' }),
      /\$patch: delete of a whole object is not supported/,
    );
  });

  test('reports every problem at once', () => {
    assert.throws(
      () =>
        patched(
          { patch: [{ op: 'remove', path: '/spec/replicas' }] },
          { patch: { spec: {} }, target: { kind: 'Deploymnet' } },
        ),
      /2 problems:\n {2}test: patches\[0\]: a JSON patch needs a target.*\n {2}test: patches\[1\] \(target kind Deploymnet\): selects no object of the install; did you mean Deployment\?$/,
    );
  });
});
