// The app the live suite deploys with the real cdktf CLI: the environments given as JSON in
// CDKTF_FLUX_E2E_SETTINGS, built exactly as main.ts builds dev. CDKTF_FLUX_E2E_RAW adds raw
// kubernetes_manifest resources to the first sync stack, sent as written (no escaping, no
// canonical quantities, conflicts forced only if asked), so the suite can show what the providers
// refuse when the constructs' safeguards are bypassed. CDKTF_FLUX_E2E_NOTIFY adds a generic webhook
// Provider, an Alert on the environment's Kustomizations and a Receiver of the environment's source,
// with the Secret of its token, built with the constructs as a user would.
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { Alert, Provider, Receiver } from '../../../constructs';
import { addFluxEnvironment, runApp } from '../../../stacks';
import { EnvironmentSettings } from '../../../settings';

export interface RawManifest {
  readonly manifest: Record<string, unknown>;
  readonly forceConflicts?: boolean;
}

/** A webhook for the events of the environment's Kustomizations, and a Receiver of its source. */
export interface NotificationObjects {
  /** Where the Provider posts the events. */
  readonly address: string;
  /** The severity the Alert sends. */
  readonly eventSeverity: 'info' | 'error';
  /** The token of the Receiver's Secret. */
  readonly receiverToken: string;
}

runApp(async (app) => {
  const settings = JSON.parse(process.env.CDKTF_FLUX_E2E_SETTINGS ?? '[]') as EnvironmentSettings[];
  const raw = JSON.parse(process.env.CDKTF_FLUX_E2E_RAW ?? '[]') as RawManifest[];
  const notify = JSON.parse(process.env.CDKTF_FLUX_E2E_NOTIFY ?? 'null') as NotificationObjects | null;
  for (const [index, environment] of settings.entries()) {
    // The repository the GitHub double serves, unless a test names another.
    const { sync } = await addFluxEnvironment(app, {
      githubOrg: 'mark-icy',
      githubRepository: 'infra-new',
      ...environment,
    });
    if (index === 0 && notify) {
      const webhook = new Provider(sync, 'webhook', { type: 'generic', address: notify.address });
      new Alert(sync, 'kustomizations', {
        providerRef: webhook,
        eventSeverity: notify.eventSeverity,
        eventSources: [...sync.kustomizations.values()],
      });
      const token = new SecretV1(sync, 'receiver-token', {
        metadata: { name: 'receiver-token', namespace: sync.source.namespace },
        data: { token: notify.receiverToken },
      });
      const receiver = new Receiver(sync, 'push', {
        type: 'generic',
        secretRef: token.metadata.name,
        resources: [sync.source],
      });
      // Ready only once its Secret exists.
      receiver.resource.dependsOn = [`${token.terraformResourceType}.${token.friendlyUniqueId}`];
    }
    if (index === 0)
      raw.forEach(
        (r, i) =>
          new Manifest(sync, `raw-${i}`, {
            manifest: r.manifest,
            fieldManager: r.forceConflicts ? { forceConflicts: true } : undefined,
          }),
      );
  }
});
