// The app the live suite deploys with the real cdktf CLI: the environments given as JSON in
// CDKTF_FLUX_E2E_SETTINGS, built exactly as main.ts builds dev. CDKTF_FLUX_E2E_RAW adds raw
// kubernetes_manifest objects to the first sync stack, sent as written, so the suite can show
// what the providers refuse when the constructs' safeguards are bypassed.
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { App } from 'cdktf';
import { addFluxEnvironment, synthApp } from '../../../stacks';
import { EnvironmentSettings } from '../../../variables';

async function main(): Promise<void> {
  const app = new App();
  const settings = JSON.parse(process.env.CDKTF_FLUX_E2E_SETTINGS ?? '[]') as EnvironmentSettings[];
  const raw = JSON.parse(process.env.CDKTF_FLUX_E2E_RAW ?? '[]') as Record<string, unknown>[];
  for (const [index, environment] of settings.entries()) {
    const { sync } = await addFluxEnvironment(app, environment);
    if (index === 0) raw.forEach((manifest, i) => new Manifest(sync, `raw-${i}`, { manifest, fieldManager: { forceConflicts: true } }));
  }
  synthApp(app);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
