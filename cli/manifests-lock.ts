// npm run manifests:lock -- <version | url | file>...: pins the sha256 of each Flux install manifests
// file (by its Flux version, source and components) in flux-manifests.lock.json, or the lock that
// FLUX_MANIFESTS_LOCK names. A version (v2.9.4) downloads the release's install.yaml, verifies it
// against the release's checksums and caches it for synth; a URL is downloaded; a file is read.
// Review the diff and commit it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fetchFluxManifests, FluxManifests, pinFluxRelease } from '../lib/flux-manifests';
import { pin } from '../lib/manifests-lock';

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

async function main(args: string[]): Promise<number> {
  if (args.length === 0) {
    console.error('usage: npm run manifests:lock -- <version (v2.9.4) | url | file>...');
    return 1;
  }
  for (const arg of args) await pinOne(arg);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  },
);
