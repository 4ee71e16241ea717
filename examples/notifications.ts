// Alerts and a webhook receiver beside the sync objects, as the README shows it; the compiler checks
// this file, and a test checks that the README quotes it verbatim and what it synthesizes.
import { Alert, FluxSyncStack, Provider, Receiver } from 'cdktf-flux';

// Every failure of the environment's Kustomizations, posted to a Slack channel; the Secret
// slack-webhook (key address) holds the incoming webhook's URL.
export function alertOnFailures(sync: FluxSyncStack): Alert {
  const slack = new Provider(sync, 'slack', { type: 'slack', channel: 'fleet-dev', secretRef: 'slack-webhook' });
  return new Alert(sync, 'kustomization-failures', {
    providerRef: slack,
    eventSeverity: 'error',
    eventSources: [...sync.kustomizations.values()],
  });
}

// A push announced by GitHub makes Flux fetch the environment's repository at once; the Secret
// github-webhook (key token) holds the webhook's secret.
export function fetchOnPush(sync: FluxSyncStack): Receiver {
  return new Receiver(sync, 'github-push', {
    type: 'github',
    events: ['ping', 'push'],
    secretRef: 'github-webhook',
    resources: [sync.source],
  });
}
