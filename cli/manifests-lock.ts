// cdktf-flux manifests-lock <version | url | file>... (npm run manifests:lock -- ... in this
// repository), in the app's folder: pins the sha256 of each Flux install manifests file (by its Flux
// version, source and components) in the app's flux-manifests.lock.json, or the lock that
// FLUX_MANIFESTS_LOCK names. A version (v2.9.4) downloads the release's install.yaml, verifies it
// against the release's checksums and caches it for synth; a URL is downloaded; a file is read.
// Review the diff and commit it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fetchFluxManifests, FluxManifests, pinFluxRelease } from '../lib/flux-manifests';
import { pin } from '../lib/manifests-lock';
import { usageOf } from './commands';

const VERSION = /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

async function pinOne(arg: string): Promise<void> {
  if (VERSION.test(arg)) {
    await pinFluxRelease({ version: arg });
    return;
  }
  const manifests = /^https?:\/\//.test(arg)
    ? await fetchFluxManifests(arg)
    : FluxManifests.parse(readFileSync(arg, 'utf8'), resolve(arg));
  pin(manifests);
}

/** `cdktf-flux manifests-lock <args>`; returns the exit code. */
export async function manifestsLock(args: string[]): Promise<number> {
  if (args.length === 0 || args.some((arg) => arg.startsWith('-'))) {
    console.error(usageOf('manifests-lock'));
    return 1;
  }
  try {
    for (const arg of args) await pinOne(arg);
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  return 0;
}
