import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { installObjects, resolveInstallOptions } from '../../lib/install-options';
import { KubernetesObject } from '../../lib/kubernetes-object';
import { installObjectProblems } from '../../lib/pod-checks';
import { manifests } from '../support/manifests';

const objects = installObjects(manifests('v2.9.4'), resolveInstallOptions({}));
const argsBefore: string[] = (objects.find((o) => o.kind === 'Deployment') as Record<string, any>).spec.template.spec
  .containers[0].args;

function problemsOf(change: (pod: Record<string, any>) => void): string[] {
  const deployment = structuredClone(objects.find((o) => o.kind === 'Deployment')) as Record<string, any>;
  change(deployment.spec.template.spec);
  return installObjectProblems(deployment as KubernetesObject);
}

describe('what the API server refuses in a customised install', () => {
  test('passes every object of the manifests as they are', () => {
    for (const version of ['v2.6.4', 'v2.7.5', 'v2.8.8', 'v2.9.4'])
      for (const o of installObjects(manifests(version), resolveInstallOptions({})))
        assert.deepEqual(installObjectProblems(o), [], `${version} ${o.kind} ${o.metadata.name}`);
  });

  test('fails if a toleration is not one Kubernetes accepts', () => {
    assert.deepEqual(
      problemsOf((pod) => {
        pod.tolerations = [
          { key: 'a', operator: 'Exist' },
          { key: 'b', operator: 'Exists', value: 'x', effect: 'NoSchedul' },
          { operator: 'Equal', value: 'x' },
          { key: 'c', effect: 'NoSchedule', tolerationSeconds: 60 },
        ];
      }),
      [
        'spec.template.spec.tolerations[0].operator "Exist" is not one of Exists, Equal',
        'spec.template.spec.tolerations[1].effect "NoSchedul" is not one of NoSchedule, PreferNoSchedule, NoExecute',
        'spec.template.spec.tolerations[1].value "x" must be empty with operator Exists',
        'spec.template.spec.tolerations[2].operator "Equal" must be Exists when the key is empty',
        'spec.template.spec.tolerations[3].tolerationSeconds 60 is only allowed with effect NoExecute',
      ],
    );
  });

  test('fails if a request exceeds its limit, an env var has a value and valueFrom, or args are not strings', () => {
    assert.deepEqual(
      problemsOf((pod) => {
        const c = pod.containers[0];
        c.resources = { limits: { memory: '1Gi' }, requests: { memory: '2Gi' } };
        c.env.push({ name: 'X', value: '1', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
        c.args.push(20);
      }),
      [
        `spec.template.spec.containers[0].args ${JSON.stringify([...argsBefore, 20])} must be a list of strings ` +
          '(quote numbers and booleans)',
        'spec.template.spec.containers[0].env[3].valueFrom {"fieldRef":{"fieldPath":"metadata.name"}} may not be ' +
          'set with a value',
        'spec.template.spec.containers[0].resources.requests.memory "2Gi" is more than its limit "1Gi"',
      ],
    );
  });

  test('fails if scheduling fields are not what Kubernetes accepts', () => {
    assert.deepEqual(
      problemsOf((pod) => {
        pod.nodeSelector = { 'bad key!': 'x', pool: 'a b' };
        pod.priorityClassName = 'High';
        pod.affinity = {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'in', values: ['flux'] }] }],
            },
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: {} }],
          },
        };
      }),
      [
        'spec.template.spec.nodeSelector "bad key!" is not a valid key; use [prefix/]name: a name of at most 63 ' +
          'letters, digits, "-", "_" and ".", starting and ending with a letter or digit, after an optional DNS ' +
          'prefix and "/" (such as node-role.kubernetes.io/infra)',
        'spec.template.spec.nodeSelector["pool"] "a b" is not a valid label value; use at most 63 letters, digits, ' +
          '"-", "_" and ".", starting and ending with a letter or digit',
        'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]' +
          '.matchExpressions[0].operator "in" is not one of In, NotIn, Exists, DoesNotExist, Gt, Lt',
        'spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight 0 must ' +
          'be a whole number from 1 to 100',
        `spec.template.spec.priorityClassName "High" ${'is not a valid name'}` +
          '; use lower-case letters, digits, "-" and ".", starting and ending with a letter or digit (DNS-1123), at ' +
          'most 253 characters',
      ],
    );
  });
});
