import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

// The Flux install manifests this project accepts, pinned by sha256 in a committed lock, in the
// spirit of .terraform.lock.hcl: whatever the source (a file, FLUX_MANIFESTS_DIR, the cache or a
// verified download), a file whose hash the lock does not list is refused.

/** The lock beside the project's package.json. */
export const DEFAULT_LOCK_FILE = resolve(__dirname, '..', 'flux-manifests.lock.json');

/** One accepted file: its Flux version, its controllers, its sha256. */
export interface LockEntry {
  readonly version: string;
  readonly components: readonly string[];
  readonly sha256: string;
}

interface LockFile {
  readonly '//': string;
  readonly manifests: LockEntry[];
}

const COMMENT =
  'sha256 of every Flux install manifests file this project accepts, by version and component set; refresh with ' +
  'npm run manifests:lock -- <file>... and commit';

export function readLock(file = DEFAULT_LOCK_FILE): LockEntry[] {
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as LockFile).manifests;
}

/** Adds (or replaces, for the same version and components) entries, and writes the lock sorted. */
export function writeLock(entries: LockEntry[], file = DEFAULT_LOCK_FILE): LockEntry[] {
  const key = (e: LockEntry) => `${e.version} ${[...e.components].sort().join(',')}`;
  const merged = new Map(readLock(file).map((e) => [key(e), e]));
  for (const entry of entries) merged.set(key(entry), { ...entry, components: [...entry.components].sort() });
  const manifests = [...merged.values()].sort((a, b) => key(a).localeCompare(key(b), 'en', { numeric: true }));
  writeFileSync(file, `${JSON.stringify({ '//': COMMENT, manifests }, null, 2)}\n`);
  return manifests;
}

/** Throws unless the lock lists this sha256, saying what to run if the file is to be trusted. */
export function checkLocked(
  manifests: { version: string; components: readonly string[]; sha256: string; origin: string },
  file = DEFAULT_LOCK_FILE,
): void {
  if (readLock(file).some((e) => e.sha256 === manifests.sha256)) return;
  const same = readLock(file).find(
    (e) =>
      e.version === manifests.version && [...e.components].sort().join() === [...manifests.components].sort().join(),
  );
  throw new Error(
    `Flux manifests ${manifests.origin} (${manifests.version}: ${manifests.components.join(', ')}) have sha256 ` +
      `${manifests.sha256}, ` +
      `which ${file} does not list${same ? ` (it pins ${same.sha256} for that version and components)` : ''}. ` +
      `If you trust this file, run npm run manifests:lock -- ${manifests.origin} and commit the lock`,
  );
}
