import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FluxManifests, loadFluxManifests } from '../../lib/flux-manifests';
import { REPOSITORY_LOCK_FILE, testManifestsDir } from './manifest-fixtures';

/** The unmodified Flux manifests the tests run against (never copied into the repository). */
export const MANIFESTS_DIR = testManifestsDir();

/** The manifests of one version, or of a directory such as `v2.9.4-image-automation`. */
export function manifests(version = 'v2.9.4', directory = version): FluxManifests {
  return loadFluxManifests({ version, path: join(MANIFESTS_DIR, directory, 'gotk-components.yaml') });
}

// Stacks resolve manifests by themselves; point them at the shared copies, never at the network,
// keep the parse cache out of the user's own cache, and pin nothing in the committed lock.
process.env.FLUX_MANIFESTS_DIR = MANIFESTS_DIR;
process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'cdktf-flux-test-cache-'));
process.env.FLUX_MANIFESTS_LOCK = join(process.env.XDG_CACHE_HOME, 'flux-manifests.lock.json');
copyFileSync(REPOSITORY_LOCK_FILE, process.env.FLUX_MANIFESTS_LOCK);
