import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testing } from 'cdktf';
import { alertOnFailures, fetchOnPush } from '../../examples/notifications';
import { addFluxEnvironment } from '../../stacks';
import '../support/manifests';
import { assertReadmeQuotes } from '../support/readme-quotes';
import { synthStack } from '../support/synth';

describe('the README example of alerts and a receiver', () => {
  test('deploys a Provider and an Alert on every Kustomization, and a Receiver of the repository', async () => {
    const { sync } = await addFluxEnvironment(Testing.app(), { name: 'dev', githubOrg: 'org', githubRepository: 'r' });
    alertOnFailures(sync);
    fetchOnPush(sync);
    const resources = synthStack(sync).resource.kubernetes_manifest as Record<string, any>;
    assert.deepEqual(resources['provider_flux-system_slack'].manifest.spec, {
      type: 'slack',
      channel: 'fleet-dev',
      secretRef: { name: 'slack-webhook' },
    });
    const alert = resources['alert_flux-system_kustomization-failures'];
    assert.deepEqual(alert.manifest.spec, {
      providerRef: { name: 'slack' },
      eventSeverity: 'error',
      eventSources: ['infra-controllers', 'infra-prereqs', 'apps', 'secrets'].map((name) => ({
        kind: 'Kustomization',
        name,
      })),
    });
    assert.equal(alert.timeouts, undefined, 'an Alert is static: the deploy does not wait for it');
    const receiver = resources['receiver_flux-system_github-push'];
    assert.deepEqual(receiver.manifest.spec, {
      type: 'github',
      interval: '10m',
      events: ['ping', 'push'],
      secretRef: { name: 'github-webhook' },
      resources: [{ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name: 'flux-system' }],
    });
    assert.deepEqual(receiver.timeouts, { create: '5m', update: '5m' }, "the environment's syncWait");
  });

  test('the README quotes it exactly as the compiler checks it', () => {
    assertReadmeQuotes('examples/notifications.ts', 2);
  });
});
