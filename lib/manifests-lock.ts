import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

// The Flux install manifests this project accepts, pinned by sha256 in a committed lock, in the
// spirit of .terraform.lock.hcl: whatever the source (a file, FLUX_MANIFESTS_DIR, the cache or a
// verified download), a file whose hash the lock does not list is refused. A release download
// verified against its published checksum is pinned on first use, as terraform init records a
// provider's hash; after that, other bytes for the same version and components are refused.

/** The lock's file name in the project directory. */
export const LOCK_FILE_NAME = 'flux-manifests.lock.json';

/**
 * The project's lock: `flux-manifests.lock.json` in the working directory, which is the project's
 * folder (where cdktf.json is) when cdktf runs the app, as `.terraform.lock.hcl` is Terraform's.
 */
export function projectLockFile(): string {
  return resolve(LOCK_FILE_NAME);
}

/** The lock in use: FLUX_MANIFESTS_LOCK when set, else the project's. */
export function defaultLockFile(): string {
  return process.env.FLUX_MANIFESTS_LOCK || projectLockFile();
}

/**
 * What a manifests file is: `export` for what `flux install --export` writes (a `# Flux Version:`
 * header, the chosen components), `release` for a release's `install.yaml` (`kustomize build`, no
 * header, every controller). The two differ in bytes even for the same components.
 */
export type ManifestsSource = 'export' | 'release';

/** One accepted file of the lock: its Flux version, its source, its controllers, its sha256. */
export interface LockEntry {
  /** The Flux release the file installs, such as `v2.9.4`. */
  readonly version: string;
  /** Whether the file is `flux install --export` output or a release's `install.yaml`. */
  readonly source: ManifestsSource;
  /** The controllers the file installs, sorted, such as `helm-controller`, `kustomize-controller`. */
  readonly components: readonly string[];
  /** The sha256 of the file's bytes, in hex. */
  readonly sha256: string;
}

/** What the lock needs to know of a manifests file, and where it came from for messages. */
export type LockedFile = LockEntry & { readonly origin: string };

interface LockFile {
  readonly '//': string;
  // Entries written before sources were recorded are exports.
  readonly manifests: (Omit<LockEntry, 'source'> & { source?: ManifestsSource })[];
}

const COMMENT =
  'sha256 of every Flux install manifests file this project accepts, by version, source and component set; ' +
  'add one with npx cdktf-flux manifests-lock <version|url|file> and commit';

const key = (e: Omit<LockEntry, 'sha256'>) => `${e.version} ${e.source} ${[...e.components].sort().join(',')}`;

/**
 * The entries of a manifests lock, as synth checks files against them; none when the file does
 * not exist. Entries written before sources were recorded are exports.
 * @param file - the lock: by default FLUX_MANIFESTS_LOCK, else `flux-manifests.lock.json` in the
 * working directory (the folder cdktf runs the app in)
 */
export function readLock(file = defaultLockFile()): LockEntry[] {
  if (!existsSync(file)) return [];
  const { manifests } = JSON.parse(readFileSync(file, 'utf8')) as LockFile;
  return manifests.map(({ version, source, components, sha256 }) => ({
    version,
    source: source ?? 'export',
    components,
    sha256,
  }));
}

/** Adds (or replaces, for the same version, source and components) entries, and writes the lock sorted. */
export function writeLock(entries: readonly LockEntry[], file = defaultLockFile()): LockEntry[] {
  const merged = new Map(readLock(file).map((e) => [key(e), e]));
  for (const { version, source, components, sha256 } of entries)
    merged.set(key({ version, source, components }), { version, source, components: [...components].sort(), sha256 });
  const manifests = [...merged.values()].sort((a, b) => key(a).localeCompare(key(b), 'en', { numeric: true }));
  writeFileSync(file, `${JSON.stringify({ '//': COMMENT, manifests }, null, 2)}\n`);
  return manifests;
}

/** Pins a file in the lock (replacing the entry for its version, source and components) and says so. */
export function pin(manifests: LockedFile, file = defaultLockFile()): void {
  const { version, source, components, sha256, origin } = manifests;
  writeLock([{ version, source, components, sha256 }], file);
  console.log(
    `Pinned Flux ${version} (${source}: ${components.join(', ')}) sha256 ${sha256} from ${origin} in ${file}; ` +
      `commit it`,
  );
}

/**
 * Throws unless the lock lists this file's sha256, saying what to run if the file is to be trusted.
 * With `pinIfNew` (a release download verified against its published checksum), a file the lock
 * has no entry for is pinned instead; one whose version, source and components it pins with
 * another hash is still refused.
 */
export function checkLocked(manifests: LockedFile, file = defaultLockFile(), pinIfNew = false): void {
  const entries = readLock(file);
  if (entries.some((e) => e.sha256 === manifests.sha256)) return;
  const same = entries.find((e) => key(e) === key(manifests));
  if (pinIfNew && !same) return pin(manifests, file);
  const { version, source, components, sha256, origin } = manifests;
  // The command must work as printed, in an app that installs the package and in this repository
  // (where npm run manifests:lock is its alias), so it names a lock other than the project's.
  const lockVariable = resolve(file) === projectLockFile() ? '' : `FLUX_MANIFESTS_LOCK=${file} `;
  const command = `${lockVariable}npx cdktf-flux manifests-lock ${origin}`;
  throw new Error(
    `Flux manifests ${origin} (${version} ${source}: ${components.join(', ')}) have sha256 ${sha256}, ` +
      (same
        ? `but ${file} pins ${same.sha256} for that version, source and components: this is not the file that was ` +
          `pinned. `
        : `which ${file} does not list. `) +
      `If you trust this file, run ${command} and commit the lock`,
  );
}
