import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSelector, targetProblems, targets } from '../../lib/patch-target';

const matches = (selector: string, labels: Record<string, string>) =>
  (parseSelector(selector) ?? []).every((r) => r(labels));

describe('patch targets', () => {
  test('reads label selectors as Kubernetes does: equality, inequality, existence and sets', () => {
    const labels = { app: 'kustomize-controller', 'app.kubernetes.io/part-of': 'flux' };
    assert.ok(matches('app.kubernetes.io/part-of=flux', labels));
    assert.ok(matches('app==kustomize-controller,app.kubernetes.io/part-of', labels));
    assert.ok(matches('app!=helm-controller, !tier', labels));
    assert.ok(matches('app in (kustomize-controller, helm-controller)', labels));
    assert.ok(!matches('app notin (kustomize-controller)', labels));
    assert.ok(!matches('tier', labels));
    assert.equal(parseSelector('app in a'), undefined);
    assert.equal(parseSelector('!app=x'), undefined);
  });

  test('matches kind, name and namespace as whole-value regular expressions, group and version from apiVersion', () => {
    const object = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'helm-controller', namespace: 'flux-system' },
    };
    assert.ok(targets({ kind: 'Deployment', name: '(kustomize|helm)-controller' }, object));
    assert.ok(!targets({ name: 'helm' }, object), 'anchored: a part of the name is not the name');
    assert.ok(targets({ group: 'apps', version: 'v1', namespace: 'flux-.*' }, object));
    assert.ok(!targets({ group: '' }, object));
    assert.ok(
      targets(
        { group: '', kind: 'ServiceAccount' },
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x' } },
      ),
    );
  });

  test('fails if a field is not a regular expression or a selector', () => {
    assert.deepEqual(targetProblems({ kind: '[', labelSelector: 'a in b' }), [
      'target.kind "[" is not a regular expression',
      'target.labelSelector "a in b" is not a selector; use key=value, key!=value, key, !key or key in (a,b)',
    ]);
  });
});
