import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { componentsIn, missingFromManifests } from './flux-components';
import { KubernetesObject } from './kubernetes-object';
import { checkLocked, defaultLockFile, ManifestsSource, pin } from './manifests-lock';

/** The Flux release installed when an environment names none. */
export const DEFAULT_FLUX_VERSION = 'v2.9.4';

/** Where Flux publishes release artifacts; `install.yaml` and the checksums file live under `<tag>/`. */
export const FLUX_RELEASES_URL = 'https://github.com/fluxcd/flux2/releases/download';

const MANIFEST_FILE = 'gotk-components.yaml';
const RELEASE_FILE = 'install.yaml';

/**
 * The parsed install manifests of one Flux version: the namespace, CRDs and controllers,
 * as `flux install --export` writes them (`gotk-components.yaml`) or as Flux's release
 * publishes them (`install.yaml`). A file that lacks what a Flux install needs (see
 * `missingFromManifests`) is refused, naming what is missing.
 */
export class FluxManifests {
  /**
   * Parses manifests text. The version comes from the `# Flux Version:` header that
   * `flux install --export` writes, or else from the objects' `app.kubernetes.io/version` label.
   * Throws unless they hold a Flux install of `components` (see {@link checkHolds}).
   * @param text - the YAML of a `gotk-components.yaml` or an `install.yaml`
   * @param origin - where the text came from (a path or URL), for messages
   * @param components - the controllers whose Deployment, ServiceAccount and CRDs the file must
   * hold, besides what every install needs and all it has of any other controller
   */
  public static parse(text: string, origin: string, components: readonly string[] = []): FluxManifests {
    const objects: KubernetesObject[] = [];
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0) {
        throw new Error(`Flux manifests ${origin}: not valid YAML: ${document.errors[0].message}`);
      }
      const object = document.toJSON() as KubernetesObject | null;
      if (object === null) continue;
      if (typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') {
        throw new Error(
          `Flux manifests ${origin}: a document has no kind or metadata.name; is this a gotk-components.yaml?`,
        );
      }
      objects.push(object);
    }
    const headerVersion = exportVersion(text);
    const labelVersion = objects.find((o) => o.kind === 'Namespace')?.metadata.labels?.['app.kubernetes.io/version'];
    const version = headerVersion ?? labelVersion;
    if (!version) {
      throw new Error(
        `Flux manifests ${origin}: no "# Flux Version:" header and no version label; regenerate it with flux ` +
          `install --export`,
      );
    }
    return new FluxManifests(version, objects, origin, text).checkHolds(components);
  }

  /**
   * Parses manifests text, or takes the result of parsing the same text before from
   * `<cacheDir>/parsed/<sha256>.json`: YAML parsing is most of a one-environment synth.
   */
  public static parseCached(
    text: string,
    origin: string,
    cacheDir: string,
    components: readonly string[] = [],
  ): FluxManifests {
    const file = join(cacheDir, 'parsed', `${sha256(text)}.json`);
    if (existsSync(file)) {
      const { version, objects } = JSON.parse(readFileSync(file, 'utf8')) as {
        version: string;
        objects: KubernetesObject[];
      };
      return new FluxManifests(version, objects, origin, text).checkHolds(components);
    }
    const manifests = FluxManifests.parse(text, origin, components);
    try {
      writeAtomically(file, JSON.stringify({ version: manifests.version, objects: manifests.objects }));
    } catch {
      // A cache that cannot be written costs only time.
    }
    return manifests;
  }

  /** Controllers present in these manifests, by their `app.kubernetes.io/component` label. */
  public readonly components: readonly string[];
  /** `export` when `flux install --export` wrote the file (it has the header), else `release`. */
  public readonly source: ManifestsSource;
  /** sha256 of the text, as the lock pins it. */
  public readonly sha256: string;

  private constructor(
    /** The Flux version, such as `v2.9.4`. */
    public readonly version: string,
    /** Every object, in the order of the file. */
    public readonly objects: readonly KubernetesObject[],
    /** The file the manifests were read from, for messages. */
    public readonly origin: string,
    text: string,
  ) {
    this.components = componentsIn(objects);
    this.source = exportVersion(text) ? 'export' : 'release';
    this.sha256 = sha256(text);
  }

  /**
   * Throws, naming everything missing, unless these manifests hold what a Flux install of
   * `components` needs and all they have of any other controller: checked whatever the lock says.
   * @param components - controllers such as `source-controller`
   * @returns these manifests
   */
  public checkHolds(components: readonly string[]): this {
    const missing = missingFromManifests(this.objects, this.version, components);
    if (missing.length > 0) throw new Error(`Flux manifests ${this.origin}: ${missing.join('; ')}`);
    return this;
  }

  /** The CustomResourceDefinition that serves `kind` in `group`, if these manifests have it. */
  public customResourceDefinition(group: string, kind: string): KubernetesObject | undefined {
    return this.objects.find((o) => {
      if (o.kind !== 'CustomResourceDefinition') return false;
      const spec = o.spec as { group: string; names: { kind: string } };
      return spec.group === group && spec.names.kind === kind;
    });
  }
}

/** Where to look for the install manifests of a Flux version. */
export interface FluxManifestsOptions {
  /**
   * The Flux release, such as `v2.9.4`.
   * @default DEFAULT_FLUX_VERSION
   */
  readonly version?: string;
  /**
   * The controllers to be installed: the manifests must hold each, checked before the lock.
   * @default - only what the file has of each controller it has objects of
   */
  readonly components?: readonly string[];
  /**
   * A `gotk-components.yaml` (from `flux install --export`), or a directory holding one,
   * either directly or under `<version>/`. Its version must be the one asked for.
   * @default - not used
   */
  readonly path?: string;
  /**
   * A directory laid out `<version>/gotk-components.yaml`.
   * @default - the FLUX_MANIFESTS_DIR environment variable, when set
   */
  readonly manifestsDir?: string;
  /**
   * Where verified downloads are kept, as `<version>/install.yaml` beside its checksum, and
   * parsed manifests as `parsed/<sha256 of the text>.json`.
   * @default - $XDG_CACHE_HOME/cdktf-flux/manifests, or ~/.cache/cdktf-flux/manifests
   */
  readonly cacheDir?: string;
  /**
   * Base URL of Flux's release downloads; a mirror must keep the same layout.
   * @default - the FLUX_RELEASES_URL environment variable, else Flux's GitHub releases
   */
  readonly releasesUrl?: string;
  /**
   * The lock of accepted files' sha256 (flux-manifests.lock.json); any other file is refused,
   * and a verified release download it has no entry for is pinned in it.
   * @default - the FLUX_MANIFESTS_LOCK environment variable, else flux-manifests.lock.json in the working
   * directory (the project's folder, where cdktf runs the app)
   */
  readonly lockFile?: string;
}

/** No manifests for the version on this machine. */
export class FluxManifestsNotFoundError extends Error {}

/** The network could not be reached or answered with an error; unlike a checksum mismatch, worth retrying. */
class DownloadError extends Error {}

const parsedFiles = new Map<string, { mtimeMs: number; manifests: FluxManifests }>();

/** Reads and parses a manifests file once per process, however many environments use it. */
function readManifestsFile(file: string, cacheDir: string, components: readonly string[]): FluxManifests {
  const absolute = resolve(file);
  const { mtimeMs } = statSync(absolute);
  const cached = parsedFiles.get(absolute);
  if (cached && cached.mtimeMs === mtimeMs) return cached.manifests.checkHolds(components);
  const manifests = FluxManifests.parseCached(readFileSync(absolute, 'utf8'), absolute, cacheDir, components);
  parsedFiles.set(absolute, { mtimeMs, manifests });
  return manifests;
}

function checkVersion(manifests: FluxManifests, version: string): FluxManifests {
  if (manifests.version !== version) {
    throw new Error(
      `Flux manifests ${manifests.origin} are for Flux ${manifests.version}, but ${version} was asked for; ` +
        `give the ${version} file or set the environment's fluxVersion to ${manifests.version}`,
    );
  }
  return manifests;
}

/** The version in the header `flux install --export` writes; release files have none. */
function exportVersion(text: string): string | undefined {
  return /^# Flux Version: (\S+)$/m.exec(text)?.[1];
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'cdktf-flux', 'manifests');
}

function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The files that would satisfy `options`, in the order they are tried. */
function localCandidates(options: FluxManifestsOptions, version: string): string[] {
  const candidates: string[] = [];
  if (options.path) {
    const isDirectory = existsSync(options.path) && statSync(options.path).isDirectory();
    if (!isDirectory) return [options.path];
    candidates.push(join(options.path, version, MANIFEST_FILE), join(options.path, MANIFEST_FILE));
    return candidates;
  }
  const manifestsDir = options.manifestsDir ?? process.env.FLUX_MANIFESTS_DIR;
  if (manifestsDir) candidates.push(join(manifestsDir, version, MANIFEST_FILE));
  candidates.push(join(options.cacheDir ?? defaultCacheDir(), version, RELEASE_FILE));
  return candidates;
}

function readCachedRelease(file: string, cacheDir: string, components: readonly string[]): FluxManifests {
  const expected = readFileSync(`${file}.sha256`, 'utf8').trim();
  const text = readFileSync(file);
  if (sha256(text) !== expected) {
    throw new Error(
      `Flux manifests cache ${file} does not match its recorded checksum; delete ${dirname(file)} and run again`,
    );
  }
  return readManifestsFile(file, cacheDir, components);
}

/**
 * Finds the install manifests of a Flux version on this machine, without network:
 * the given path, then FLUX_MANIFESTS_DIR, then the download cache.
 * Throws one error naming the version, the files it looked for and how to produce one.
 */
export function loadFluxManifests(options: FluxManifestsOptions = {}): FluxManifests {
  const version = options.version ?? DEFAULT_FLUX_VERSION;
  const candidates = localCandidates(options, version);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const cached = file === join(cacheDir, version, RELEASE_FILE);
    const components = options.components ?? [];
    const manifests = checkVersion(
      cached ? readCachedRelease(file, cacheDir, components) : readManifestsFile(file, cacheDir, components),
      version,
    );
    // The cache holds only downloads verified against the release's checksum: pinned on first use too.
    checkLocked(manifests, options.lockFile ?? defaultLockFile(), cached);
    return manifests;
  }
  throw new FluxManifestsNotFoundError(
    `Flux ${version} install manifests not found; looked for ${candidates.join(', ')}. ` +
      `Produce them on a machine with the flux CLI: ` +
      `mkdir -p <dir>/${version} && flux install --version=${version} --export > <dir>/${version}/${MANIFEST_FILE}, ` +
      `then set FLUX_MANIFESTS_DIR=<dir> (or run once with network access to download Flux's release, pin it in ` +
      `the lock and cache it).`,
  );
}

/**
 * Downloads `install.yaml` of a Flux release, checks it against the sha256 that the release's
 * checksums file publishes, pins it in the lock on first use (a file with other bytes for a
 * version and components the lock pins is refused), and caches it. Nothing is cached when a
 * check fails.
 */
export function downloadFluxManifests(options: FluxManifestsOptions = {}): Promise<FluxManifests> {
  return downloadRelease(options, (manifests, lockFile) => checkLocked(manifests, lockFile, true));
}

/**
 * Downloads, verifies and caches `install.yaml` of a Flux release as {@link downloadFluxManifests}
 * does, and pins it in the lock whatever the lock held for that version and components.
 */
export function pinFluxRelease(options: FluxManifestsOptions = {}): Promise<FluxManifests> {
  return downloadRelease(options, pin);
}

/** Any manifests file from a URL, parsed; not cached, not checked against the lock. */
export async function fetchFluxManifests(url: string): Promise<FluxManifests> {
  return FluxManifests.parse((await fetchBody(url)).toString('utf8'), url);
}

async function downloadRelease(
  options: FluxManifestsOptions,
  lock: (manifests: FluxManifests, lockFile: string) => void,
): Promise<FluxManifests> {
  const version = options.version ?? DEFAULT_FLUX_VERSION;
  const base = `${options.releasesUrl ?? process.env.FLUX_RELEASES_URL ?? FLUX_RELEASES_URL}/${version}`;
  const checksumsName = `flux_${version.replace(/^v/, '')}_checksums.txt`;
  const [checksums, manifest] = await Promise.all([
    fetchBody(`${base}/${checksumsName}`),
    fetchBody(`${base}/${RELEASE_FILE}`),
  ]);
  const published = checksums
    .toString('utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find(([, name]) => name === RELEASE_FILE)?.[0];
  if (!published) {
    throw new Error(
      `Flux ${version}: ${checksumsName} lists no checksum for ${RELEASE_FILE}; refusing to use an unverified download`,
    );
  }
  const actual = sha256(manifest);
  if (actual !== published) {
    throw new Error(
      `Flux ${version}: ${RELEASE_FILE} has sha256 ${actual} but ${checksumsName} publishes ${published}; refusing it`,
    );
  }
  const file = join(options.cacheDir ?? defaultCacheDir(), version, RELEASE_FILE);
  const manifests = checkVersion(
    FluxManifests.parse(manifest.toString('utf8'), `${base}/${RELEASE_FILE}`, options.components),
    version,
  );
  lock(manifests, options.lockFile ?? defaultLockFile());
  writeAtomically(file, manifest);
  writeAtomically(`${file}.sha256`, `${actual}\n`);
  return manifests;
}

/**
 * The install manifests of a Flux version: local ones ({@link loadFluxManifests}) when there are
 * any, else a verified download ({@link downloadFluxManifests}). Either way they must hold what an
 * install needs and be pinned in the lock; when neither is found, the error names the files looked
 * for, how to produce one, and why the download failed.
 */
export async function resolveFluxManifests(options: FluxManifestsOptions = {}): Promise<FluxManifests> {
  try {
    return loadFluxManifests(options);
  } catch (notFound) {
    if (!(notFound instanceof FluxManifestsNotFoundError)) throw notFound;
    try {
      return await downloadFluxManifests(options);
    } catch (download) {
      if (!(download instanceof DownloadError)) throw download;
      throw new FluxManifestsNotFoundError(`${notFound.message} Downloading failed: ${download.message}`);
    }
  }
}

async function fetchBody(url: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new DownloadError(`GET ${url}: ${cause}`);
  }
  if (!response.ok) throw new DownloadError(`GET ${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** Write then rename, so an interrupted download never leaves a file that looks complete. */
function writeAtomically(file: string, content: string | Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, content);
  renameSync(partial, file);
}
