import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { FluxManifests } from '../../lib/flux-manifests';
import { checkLocked } from '../../lib/manifests-lock';

/**
 * The Flux install manifests the tests run against, `<directory>/gotk-components.yaml` each: files
 * `flux install --export` wrote, committed unmodified in public repositories, fetched by commit.
 * Flux's releases publish only the six-component install.yaml, so these are where the four-component
 * files of every version live. Whatever is fetched must match flux-manifests.lock.json.
 */
/** This repository's committed lock, which pins the fixtures. */
export const REPOSITORY_LOCK_FILE = join(__dirname, '..', '..', 'flux-manifests.lock.json');

export const MANIFEST_FIXTURES: readonly { readonly directory: string; readonly url: string }[] = [
  ['v2.6.4', 'angelnu/k8s-gitops/43f5862579e11b850e721cf0992a6cea908acac6/base'],
  ['v2.7.5', 'angelnu/k8s-gitops/e8ca89837d398b88d146b8f8c85c94822b64dc19/base'],
  ['v2.8.8', 'koskev/k8s/7a5c6eed788a2dcf60e8b2f1de3ce4cb57f0bcc3/clusters/home'],
  ['v2.9.3', 'ronaldlokers/homelab/d69a81d27c7be3bfc9e88e8e254c3c3cdeec442f/clusters/production'],
  ['v2.9.3-image-automation', 'equinor/radix-flux/c92d73cb9e865bcbe579e228e6c57990e1ddca7e/clusters/production'],
  ['v2.9.4', 'ronaldlokers/homelab/19a86b244a73c8a3bc424fb38ccfe77759d29a1c/clusters/production'],
  ['v2.9.4-image-automation', 'hm-edu/infrastructure/2771b734a35358fcde26acb90149db3d5b1aae91/clusters/production'],
].map(([directory, at]) => ({
  directory,
  url: `https://raw.githubusercontent.com/${at}/flux-system/gotk-components.yaml`,
}));

const FILE = 'gotk-components.yaml';

/**
 * Where the tests read the manifests: FLUX_MANIFESTS_DIR when set, else a `shared/flux-manifests`
 * beside the checkout when there is one, else a folder of the user's cache that
 * {@link fetchManifestFixtures} fills.
 */
export function testManifestsDir(): string {
  if (process.env.FLUX_MANIFESTS_DIR) return process.env.FLUX_MANIFESTS_DIR;
  const beside = join(__dirname, '..', '..', '..', 'shared', 'flux-manifests');
  if (existsSync(beside)) return beside;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cdktf-flux', 'test-manifests');
}

/**
 * Fetches every fixture missing from `dir`, once: each is checked against the lock before it is
 * written (write, then rename), so a file that is there is a verified one. Returns what it fetched.
 */
export async function fetchManifestFixtures(
  dir: string,
  fixtures = MANIFEST_FIXTURES,
  lockFile = REPOSITORY_LOCK_FILE,
): Promise<string[]> {
  const missing = fixtures.filter((f) => !existsSync(join(dir, f.directory, FILE)));
  for (const fixture of missing) {
    let response: Response;
    try {
      response = await fetch(fixture.url, { signal: AbortSignal.timeout(60_000) });
    } catch (error) {
      throw new Error(
        `test manifests: GET ${fixture.url} failed (${(error as Error).message}); offline, set FLUX_MANIFESTS_DIR ` +
          `to a directory of <version>/${FILE}`,
        { cause: error },
      );
    }
    if (!response.ok) throw new Error(`test manifests: GET ${fixture.url}: HTTP ${response.status}`);
    const text = await response.text();
    const version = fixture.directory.replace(/-.*$/, '');
    const manifests = FluxManifests.parse(text, fixture.url);
    if (manifests.version !== version) {
      throw new Error(`test manifests: ${fixture.url} is Flux ${manifests.version}, not ${version}`);
    }
    checkLocked(manifests, lockFile);
    const file = join(dir, fixture.directory, FILE);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.partial`, text);
    renameSync(`${file}.partial`, file);
  }
  return missing.map((f) => f.directory);
}
