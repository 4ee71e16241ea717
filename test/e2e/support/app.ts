// The app the live suite deploys with the real cdktf CLI: the environments given as JSON in
// CDKTF_FLUX_E2E_SETTINGS, built exactly as main.ts builds dev. CDKTF_FLUX_E2E_RAW adds raw
// kubernetes_manifest resources to the first sync stack, sent as written (no escaping, no
// canonical quantities, conflicts forced only if asked), so the suite can show what the providers
// refuse when the constructs' safeguards are bypassed.
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { addFluxEnvironment, runApp } from '../../../stacks';
import { EnvironmentSettings } from '../../../settings';

export interface RawManifest {
  readonly manifest: Record<string, unknown>;
  readonly forceConflicts?: boolean;
}

runApp(async (app) => {
  const settings = JSON.parse(process.env.CDKTF_FLUX_E2E_SETTINGS ?? '[]') as EnvironmentSettings[];
  const raw = JSON.parse(process.env.CDKTF_FLUX_E2E_RAW ?? '[]') as RawManifest[];
  for (const [index, environment] of settings.entries()) {
    // The repository the GitHub double serves, unless a test names another.
    const { sync } = await addFluxEnvironment(app, {
      githubOrg: 'mark-icy',
      githubRepository: 'infra-new',
      ...environment,
    });
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
