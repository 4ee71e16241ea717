import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TerraformVariable } from 'cdktf';
import { FluxStackDefaults, Provider, ProviderProps } from '../../constructs';
import { manifests } from '../support/manifests';
import { manifestsOf, synthConstructs, synthStack, testStack } from '../support/synth';

const v294 = manifests('v2.9.4');
const subject = 'test/webhook (Provider flux-system/webhook)';

function provider(props: Partial<ProviderProps> = {}) {
  const synthesized = synthConstructs(
    (scope) =>
      new Provider(scope, 'webhook', {
        manifests: v294,
        type: 'generic',
        address: 'https://hooks.example.com/flux',
        ...props,
      }),
  );
  return synthesized.resource.kubernetes_manifest['provider_flux-system_webhook'] as Record<string, any>;
}

describe('Provider', () => {
  test('renders a notification.toolkit.fluxcd.io/v1beta3 Provider', () => {
    assert.deepEqual(provider().manifest, {
      apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
      kind: 'Provider',
      metadata: { name: 'webhook', namespace: 'flux-system' },
      spec: { type: 'generic', address: 'https://hooks.example.com/flux' },
    });
  });

  test('takes every field of the CRD schema, with the Secrets by name', () => {
    const spec = provider({
      type: 'github',
      address: 'https://github.com/mark-icy/infra-new',
      channel: 'deploys',
      username: 'flux',
      secretRef: 'github-token',
      certSecretRef: 'github-ca',
      proxySecretRef: 'proxy',
      commitStatusExpr: "event.metadata.revision + '/' + provider.metadata.name",
      timeout: '15s',
      suspend: false,
    }).manifest.spec;
    assert.deepEqual(spec, {
      type: 'github',
      address: 'https://github.com/mark-icy/infra-new',
      channel: 'deploys',
      secretRef: { name: 'github-token' },
      certSecretRef: { name: 'github-ca' },
      commitStatusExpr: "event.metadata.revision + '/' + provider.metadata.name",
      proxySecretRef: { name: 'proxy' },
      suspend: false,
      timeout: '15s',
      username: 'flux',
    });
  });

  test('a generic webhook may take its address from the Secret alone', () => {
    assert.deepEqual(provider({ address: undefined, secretRef: 'webhook-url' }).manifest.spec, {
      type: 'generic',
      secretRef: { name: 'webhook-url' },
    });
  });

  test('is never waited for, since notification-controller never reports a Provider Ready', () => {
    const stack = testStack();
    FluxStackDefaults.set(stack, { manifests: v294, readyTimeout: '5m' });
    const webhook = new Provider(stack, 'webhook', { type: 'generic', address: 'https://hooks.example.com/flux' });
    const resource = synthStack(stack).resource.kubernetes_manifest['provider_flux-system_webhook'] as Record<
      string,
      any
    >;
    assert.equal(webhook.readyTimeout, undefined);
    assert.equal(resource.wait, undefined);
  });

  test('skips an address that is a token, known only at plan time', () => {
    const synthesized = synthConstructs((scope) => {
      const address = new TerraformVariable(scope, 'hook', { type: 'string' }).stringValue;
      new Provider(scope, 'webhook', { manifests: v294, type: 'generic', address });
    });
    assert.equal(manifestsOf(synthesized)['provider_flux-system_webhook'].spec.address, '${var.hook}');
  });

  test('fails if a generic webhook has no address, neither in spec nor from a Secret', () => {
    assert.throws(() => provider({ address: undefined }), {
      message:
        `${subject}: address is missing: a Provider of type generic posts each event to it, and ` +
        'notification-controller fails every event without one; give address (an http:// or https:// URL), or a ' +
        'secretRef whose Secret holds it under the key address',
    });
  });

  test('fails if the address of a generic webhook is not an http(s) URL', () => {
    assert.throws(() => provider({ address: 'hooks.example.com/flux' }), {
      message:
        `${subject}: address "hooks.example.com/flux" is not an http:// or https:// URL, which a Provider of type ` +
        'generic posts each event to; notification-controller fails every event with it. Use a URL such as ' +
        'https://hooks.example.com/flux',
    });
  });

  test('fails if a generic-hmac webhook has no secretRef with the key', () => {
    assert.throws(() => provider({ type: 'generic-hmac' }), {
      message:
        `${subject}: secretRef is missing: a Provider of type generic-hmac signs each event with the key under ` +
        'token in that Secret, and notification-controller fails every event without one; give secretRef, or use ' +
        'type generic',
    });
  });

  test('fails if commitStatusExpr is set for a type that writes no commit status (the CRD CEL rule)', () => {
    assert.throws(() => provider({ commitStatusExpr: 'event.message' }), {
      message:
        `${subject}: commitStatusExpr is set, but type is generic, which writes no commit status and which the ` +
        'API server refuses it for; drop it, or use one of github, gitlab, gitea, bitbucketserver, bitbucket, ' +
        'azuredevops',
    });
  });

  test('fails if interval is set, which v1beta3 does not use', () => {
    assert.throws(() => provider({ interval: '5m' }), {
      message:
        `${subject}: interval "5m" is not used by Provider v1beta3 (deprecated: notification-controller reads the ` +
        'Provider and its Secrets for each event); drop it',
    });
  });

  test('fails if a Secret name is not a valid name', () => {
    assert.throws(() => provider({ certSecretRef: 'Hook_CA' }), {
      message:
        `${subject}: certSecretRef "Hook_CA" is not a valid name; use lower-case letters, digits, "-" and ".", ` +
        'starting and ending with a letter or digit (DNS-1123), at most 253 characters',
    });
  });

  test('fails if type is not one the CRD allows, in the words of the schema', () => {
    assert.throws(
      () => provider({ type: 'webhook' as never }),
      /: spec\.type: "webhook" is not one of slack, discord, .* \(notification\.toolkit\.fluxcd\.io\/v1beta3 Provider schema of Flux v2\.9\.4\)$/,
    );
  });

  test('fails if timeout is in hours, which the schema refuses', () => {
    assert.throws(() => provider({ timeout: '1h' }), {
      message:
        `${subject}: spec.timeout: "1h" is not a duration; use Go syntax such as 10m or 1h30m (units ms, s, m) ` +
        '(notification.toolkit.fluxcd.io/v1beta3 Provider schema of Flux v2.9.4)',
    });
  });

  test('fails if it is given a readyTimeout, which it would never meet', () => {
    assert.throws(() => provider({ readyTimeout: '1m' }), {
      message:
        `${subject}: readyTimeout "1m": a Provider (notification.toolkit.fluxcd.io/v1beta3) is static: ` +
        'notification-controller reads it for each event and never reports it Ready, so the deploy would wait for ' +
        'it until it fails; leave readyTimeout out',
    });
  });

  test('fails if a Secret is given as an object, naming the prop', () => {
    assert.throws(() => provider({ secretRef: { name: 'hook' } as never }), {
      message: `${subject}: secretRef {"name":"hook"}: must be a string`,
    });
  });
});
