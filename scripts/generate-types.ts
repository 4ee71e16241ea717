// `npm run generate`: rewrites lib/flux-types from the CRDs of the pinned Flux manifests
// (FLUX_TYPES_SOURCES in lib/crd-types.ts), read where the tests read them and checked against
// flux-manifests.lock.json. npm test fails while the committed files differ from what this writes.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLUX_TYPES_DIR, FLUX_TYPES_SOURCES, generateFluxTypes } from '../lib/crd-types';
import { loadFluxManifests } from '../lib/flux-manifests';
import { fetchManifestFixtures, testManifestsDir } from '../test/support/manifest-fixtures';

async function main(): Promise<void> {
  const dir = testManifestsDir();
  await fetchManifestFixtures(dir);
  const sources = FLUX_TYPES_SOURCES.map((directory) => ({
    directory,
    manifests: loadFluxManifests({
      version: directory.replace(/-.*$/, ''),
      path: join(dir, directory, 'gotk-components.yaml'),
    }),
  }));
  const files = await generateFluxTypes(sources);
  const root = join(__dirname, '..');
  // Files of kinds Flux no longer serves go too.
  rmSync(join(root, FLUX_TYPES_DIR), { recursive: true, force: true });
  mkdirSync(join(root, FLUX_TYPES_DIR), { recursive: true });
  for (const [path, text] of files) writeFileSync(join(root, path), text);
  console.log(`wrote ${readdirSync(join(root, FLUX_TYPES_DIR)).length} files to ${FLUX_TYPES_DIR}`);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
