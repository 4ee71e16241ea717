import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Construct } from 'constructs';
import { GitRepository, Kustomization, Receiver, ReceiverProps } from '../../constructs';
import { manifests } from '../support/manifests';
import { manifestsOf, synthConstructs } from '../support/synth';

const v294 = manifests('v2.9.4');
const subject = 'test/push (Receiver flux-system/push)';

function sources(scope: Construct) {
  const repository = new GitRepository(scope, 'flux-system', { manifests: v294, url: 'ssh://git@github.com/a/b' });
  const apps = new Kustomization(scope, 'apps', { manifests: v294, sourceRef: repository, prune: true });
  return { repository, apps };
}

function receiver(props: (s: ReturnType<typeof sources>) => Partial<ReceiverProps> = () => ({})) {
  const synthesized = synthConstructs((scope) => {
    const s = sources(scope);
    new Receiver(scope, 'push', {
      manifests: v294,
      type: 'github',
      secretRef: 'webhook-token',
      resources: [s.repository],
      ...props(s),
    });
  });
  return manifestsOf(synthesized)['receiver_flux-system_push'];
}

describe('Receiver', () => {
  test('renders a notification.toolkit.fluxcd.io/v1 Receiver with the defaults resolved', () => {
    assert.deepEqual(receiver(), {
      apiVersion: 'notification.toolkit.fluxcd.io/v1',
      kind: 'Receiver',
      metadata: { name: 'push', namespace: 'flux-system' },
      spec: {
        type: 'github',
        interval: '10m',
        secretRef: { name: 'webhook-token' },
        resources: [{ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name: 'flux-system' }],
      },
    });
  });

  test('takes every field of the CRD schema', () => {
    const spec = receiver((s) => ({
      interval: '1h',
      events: ['push', 'ping'],
      resources: [s.repository, s.apps, { kind: 'OCIRepository', name: '*', matchLabels: { app: 'web' } }],
      resourceFilter: "res.metadata.name == 'flux-system'",
      suspend: false,
    })).spec;
    assert.deepEqual(spec, {
      type: 'github',
      interval: '1h',
      events: ['push', 'ping'],
      secretRef: { name: 'webhook-token' },
      resources: [
        { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name: 'flux-system' },
        { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', name: 'apps' },
        { kind: 'OCIRepository', name: '*', matchLabels: { app: 'web' } },
      ],
      resourceFilter: "res.metadata.name == 'flux-system'",
      suspend: false,
    });
  });

  test('a generic-oidc Receiver takes oidcProviders and no secretRef', () => {
    const spec = receiver(() => ({
      type: 'generic-oidc',
      secretRef: undefined,
      oidcProviders: [
        {
          issuerURL: 'https://token.actions.githubusercontent.com',
          validations: [{ expression: 'true', message: 'x' }],
        },
      ],
    })).spec;
    assert.equal(spec.secretRef, undefined);
    assert.equal(spec.oidcProviders[0].issuerURL, 'https://token.actions.githubusercontent.com');
  });

  test('fails if secretRef is left out for a type that authenticates with its token', () => {
    assert.throws(() => receiver(() => ({ secretRef: undefined })), {
      message:
        `${subject}: secretRef is missing: a Receiver of type github needs the Secret whose token authenticates ` +
        'the webhook (and makes its URL path); give secretRef, the name of a Secret with the key token',
    });
  });

  test('fails if secretRef is left out with the manifests of Flux v2.8, once', () => {
    assert.throws(() => receiver(() => ({ manifests: manifests('v2.8.8'), secretRef: undefined })), {
      message:
        `${subject}: secretRef is missing: a Receiver of type github needs the Secret whose token authenticates ` +
        'the webhook (and makes its URL path); give secretRef, the name of a Secret with the key token',
    });
  });

  test('fails if a generic-oidc Receiver is given a secretRef (the CRD CEL rule)', () => {
    assert.throws(() => receiver(() => ({ type: 'generic-oidc' })), {
      message:
        `${subject}: secretRef "webhook-token" is set, but a Receiver of type generic-oidc authenticates with the ` +
        'OIDC token of each request, and the API server refuses a secretRef for it; drop secretRef',
    });
  });

  test('fails if resources is empty, which would reconcile nothing', () => {
    assert.throws(() => receiver(() => ({ resources: [] })), {
      message:
        `${subject}: resources is empty, so a webhook would reconcile nothing; name the objects to reconcile, such ` +
        'as the GitRepository the webhook announces a push to',
    });
  });

  test('fails if secretRef is not a valid name', () => {
    assert.throws(() => receiver(() => ({ secretRef: 'Webhook Token' })), {
      message:
        `${subject}: secretRef "Webhook Token" is not a valid name; use lower-case letters, digits, "-" and ".", ` +
        'starting and ending with a letter or digit (DNS-1123), at most 253 characters',
    });
  });

  test('fails if type generic-oidc is used with the manifests of Flux v2.8, which lacks it', () => {
    assert.throws(
      () => receiver(() => ({ manifests: manifests('v2.8.8'), type: 'generic-oidc', secretRef: undefined })),
      /: spec\.type: "generic-oidc" is not one of generic, generic-hmac, github, .* \(notification\.toolkit\.fluxcd\.io\/v1 Receiver schema of Flux v2\.8\.8\)$/,
    );
  });

  test('fails if a resource is not a Flux object', () => {
    assert.throws(() => receiver(() => ({ resources: ['flux-system' as never] })), {
      message:
        `${subject}: resources[0] "flux-system": is not a Flux object, such as a GitRepository, or ` + '{ kind, name }',
    });
  });
});
