import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import {
  Alert,
  ALERT_V1BETA3,
  AlertProps,
  FluxStackDefaults,
  GitRepository,
  Kustomization,
  Provider,
  PROVIDER_V1BETA3,
  RECEIVER_V1,
} from '../../constructs';
import { buildEveryField, buildEveryNotificationField } from '../support/every-field';
import { manifests } from '../support/manifests';
import { manifestsOf, synthConstructs, testStack } from '../support/synth';

const v294 = manifests('v2.9.4');
const subject = 'test/errors (Alert flux-system/errors)';

function sources(scope: Construct) {
  const repository = new GitRepository(scope, 'flux-system', { manifests: v294, url: 'ssh://git@github.com/a/b' });
  const apps = new Kustomization(scope, 'apps', { manifests: v294, sourceRef: repository, prune: true });
  const webhook = new Provider(scope, 'webhook', {
    manifests: v294,
    type: 'generic',
    address: 'https://hooks.example.com/flux',
  });
  return { scope, repository, apps, webhook };
}

function alert(props: (s: ReturnType<typeof sources>) => Partial<AlertProps> = () => ({})) {
  const synthesized = synthConstructs((scope) => {
    const s = sources(scope);
    new Alert(scope, 'errors', { manifests: v294, providerRef: s.webhook, eventSources: [s.apps], ...props(s) });
  });
  return manifestsOf(synthesized)['alert_flux-system_errors'];
}

describe('Alert', () => {
  test('renders a notification.toolkit.fluxcd.io/v1beta3 Alert with the defaults resolved', () => {
    assert.deepEqual(alert(), {
      apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
      kind: 'Alert',
      metadata: { name: 'errors', namespace: 'flux-system' },
      spec: {
        providerRef: { name: 'webhook' },
        eventSeverity: 'info',
        eventSources: [{ kind: 'Kustomization', name: 'apps' }],
      },
    });
  });

  test('takes every field of the CRD schema; a source of another namespace keeps its namespace', () => {
    const spec = alert((s) => ({
      eventSeverity: 'error',
      eventSources: [
        s.apps,
        s.repository,
        { kind: 'HelmRelease', name: '*', namespace: 'apps', matchLabels: { team: 'web' } },
        new Kustomization(s.scope, 'tenant', {
          manifests: v294,
          namespace: 'tenants',
          sourceRef: s.repository,
          prune: true,
        }),
      ],
      eventMetadata: { cluster: 'dev' },
      exclusionList: ['^Dependencies do not meet'],
      inclusionList: ['.*'],
      summary: 'dev cluster',
      suspend: false,
    })).spec;
    assert.deepEqual(spec, {
      providerRef: { name: 'webhook' },
      eventSeverity: 'error',
      eventSources: [
        { kind: 'Kustomization', name: 'apps' },
        { kind: 'GitRepository', name: 'flux-system' },
        { kind: 'HelmRelease', name: '*', namespace: 'apps', matchLabels: { team: 'web' } },
        { kind: 'Kustomization', name: 'tenant', namespace: 'tenants' },
      ],
      eventMetadata: { cluster: 'dev' },
      exclusionList: ['^Dependencies do not meet'],
      inclusionList: ['.*'],
      summary: 'dev cluster',
      suspend: false,
    });
  });

  test('is never waited for, since notification-controller never reports an Alert Ready', () => {
    const stack = testStack();
    FluxStackDefaults.set(stack, { manifests: v294, readyTimeout: '5m' });
    const s = sources(stack);
    const errors = new Alert(stack, 'errors', { providerRef: s.webhook, eventSources: [s.apps] });
    assert.equal(errors.readyTimeout, undefined);
    assert.equal(errors.eventSeverity, 'info');
  });

  test('does not change the props it was given', () => {
    const given: { kind: 'HelmRelease'; name: string; namespace: string }[] = [
      { kind: 'HelmRelease', name: 'web', namespace: 'flux-system' },
    ];
    alert(() => ({ eventSources: given }));
    assert.deepEqual(given, [{ kind: 'HelmRelease', name: 'web', namespace: 'flux-system' }]);
  });

  test('fails if providerRef is a Provider of another namespace, which Flux would not find', () => {
    assert.throws(
      () =>
        alert((s) => ({
          providerRef: new Provider(s.scope, 'other', {
            manifests: v294,
            namespace: 'monitoring',
            type: 'generic',
            address: 'https://hooks.example.com/flux',
          }),
        })),
      {
        message:
          `${subject}: providerRef Provider monitoring/other is in another namespace than the Alert (flux-system), ` +
          "and Flux looks the Provider up by name in the Alert's namespace; create the Provider in flux-system, or " +
          'the Alert in monitoring',
      },
    );
  });

  test('fails if providerRef is not a Provider', () => {
    assert.throws(() => alert((s) => ({ providerRef: s.repository })), {
      message:
        `${subject}: providerRef GitRepository flux-system/flux-system is not a Provider; give the Provider the ` +
        'events go to',
    });
  });

  test('fails if eventSources is empty, which would send nothing', () => {
    assert.throws(() => alert(() => ({ eventSources: [] })), {
      message:
        `${subject}: eventSources is empty, so the Alert would send no event at all; name the objects whose ` +
        "events to send, or { kind: 'Kustomization', name: '*' } for every one of a kind",
    });
  });

  test('fails if an event source is of a kind that sends no events, in the words of the schema', () => {
    assert.throws(
      () => alert((s) => ({ eventSources: [s.webhook] })),
      /: spec\.eventSources\.0\.kind: "Provider" is not one of Bucket, GitRepository, Kustomization, .* \(notification\.toolkit\.fluxcd\.io\/v1beta3 Alert schema of Flux v2\.9\.4\)$/,
    );
  });

  test('fails if eventSeverity is not info or error', () => {
    assert.throws(() => alert(() => ({ eventSeverity: 'warning' as never })), {
      message:
        `${subject}: spec.eventSeverity: "warning" is not one of info, error (notification.toolkit.fluxcd.io/v1beta3 ` +
        'Alert schema of Flux v2.9.4)',
    });
  });

  test('fails if providerRef is left out', () => {
    assert.throws(() => alert(() => ({ providerRef: undefined as never })), {
      message: `${subject}: providerRef undefined: is required`,
    });
  });

  test('fails if the Provider is deployed by another stack', () => {
    const app = Testing.app();
    const a = new TerraformStack(app, 'alerts');
    const b = new TerraformStack(app, 'providers');
    FluxStackDefaults.set(a, { manifests: v294 });
    FluxStackDefaults.set(b, { manifests: v294 });
    const webhook = new Provider(b, 'webhook', { type: 'generic', address: 'https://hooks.example.com/flux' });
    new Alert(a, 'errors', { providerRef: webhook, eventSources: [{ kind: 'Kustomization', name: '*' }] });
    assert.throws(
      () => app.synth(),
      /Alert flux-system\/errors: providerRef Provider flux-system\/webhook of stack providers, which stack alerts does not deploy, so the events would go nowhere until it exists; create the Provider in alerts/,
    );
  });
});

describe('every notification field', () => {
  test('the objects the live suite applies set every spec field of the three CRD schemas', () => {
    const objects = manifestsOf(
      synthConstructs((scope) => buildEveryNotificationField(scope, v294, buildEveryField(scope, v294))),
    );
    const unused = { Provider: ['interval'], Alert: [], Receiver: ['oidcProviders'] } as Record<string, string[]>;
    for (const [kind, name] of [
      [PROVIDER_V1BETA3, 'provider_flux-system_github-status'],
      [ALERT_V1BETA3, 'alert_flux-system_everything'],
      [RECEIVER_V1, 'receiver_flux-system_push'],
    ] as const) {
      const missing = kind.specFields.filter((f) => !(f in objects[name].spec) && !unused[kind.kind].includes(f));
      assert.deepEqual(missing, [], `${kind.kind} fields the live suite never applies`);
    }
  });
});
