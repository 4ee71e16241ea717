// npm run manifests:lock -- <gotk-components.yaml | install.yaml>...: pins the sha256 of each file
// (by its Flux version and components) in flux-manifests.lock.json. Review the diff and commit it.
import { FluxManifests } from '../lib/flux-manifests';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_LOCK_FILE, writeLock } from '../lib/manifests-lock';

function main(files: string[]): number {
  if (files.length === 0) {
    console.error('usage: npm run manifests:lock -- <gotk-components.yaml | install.yaml>...');
    return 1;
  }
  const entries = files.map((file) => {
    const manifests = FluxManifests.parse(readFileSync(file, 'utf8'), resolve(file));
    console.log(`${manifests.version} ${manifests.components.join(',')} ${manifests.sha256}  ${file}`);
    return { version: manifests.version, components: manifests.components, sha256: manifests.sha256 };
  });
  writeLock(entries);
  console.log(`pinned in ${DEFAULT_LOCK_FILE}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
