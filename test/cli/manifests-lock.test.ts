import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { loadFluxManifests } from '../../lib/flux-manifests';
import { readLock } from '../../lib/manifests-lock';
import { REPOSITORY_LOCK_FILE } from '../support/manifest-fixtures';
import { MANIFESTS_DIR } from '../support/manifests';
import { releaseFiles, releaseInstallYaml, releaseMirror, ReleaseMirror, sha256 } from '../support/release-mirror';

const root = join(__dirname, '..', '..');
const tmp = () => mkdtempSync(join(tmpdir(), 'cdktf-flux-lock-'));

/**
 * `npm run manifests:lock -- ...args` (`cdktf-flux manifests-lock`, run from the sources) in the project, with its
 * own lock and cache; its exit code and output.
 */
async function manifestsLock(args: string[], env: Record<string, string>) {
  return promisify(execFile)('npm', ['run', '--silent', 'manifests:lock', '--', ...args], {
    cwd: root,
    env: { ...process.env, npm_config_update_notifier: 'false', ...env },
    timeout: 60_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, output: `${stdout}${stderr}` }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      output: `${error.stdout}${error.stderr}`,
    }),
  );
}

describe('npm run manifests:lock (cdktf-flux manifests-lock)', () => {
  const version = 'v2.9.4';
  const installYaml = releaseInstallYaml(version);
  let release: ReleaseMirror;
  let lockFile: string;
  let cache: string;
  before(async () => (release = await releaseMirror(releaseFiles(version, installYaml))));
  after(() => release.server.close());
  const env = () => ({ FLUX_MANIFESTS_LOCK: lockFile, XDG_CACHE_HOME: cache, FLUX_RELEASES_URL: release.url });
  const setUp = () => {
    [lockFile, cache] = [join(tmp(), 'lock.json'), tmp()];
    copyFileSync(REPOSITORY_LOCK_FILE, lockFile);
  };

  test('takes a version: downloads the release, verifies it, pins it and caches it for synth', async () => {
    setUp();
    const { code, output } = await manifestsLock([version], env());
    assert.equal(code, 0, output);
    assert.match(output, new RegExp(`^Pinned Flux v2\\.9\\.4 \\(release: .*\\) sha256 ${sha256(installYaml)} from `));
    assert.equal(readLock(lockFile).find((e) => e.source === 'release')?.sha256, sha256(installYaml));
    const offline = loadFluxManifests({
      version,
      manifestsDir: tmp(),
      cacheDir: join(cache, 'cdktf-flux', 'manifests'),
      lockFile,
    });
    assert.equal(offline.sha256, sha256(installYaml), 'cached where synth looks');
  });

  test('fails if the release download does not match its published checksum, and pins nothing', async () => {
    setUp();
    const bad = await releaseMirror({
      ...releaseFiles(version, installYaml),
      [`/${version}/install.yaml`]: `${installYaml}\n`,
    });
    try {
      const { code, output } = await manifestsLock([version], { ...env(), FLUX_RELEASES_URL: bad.url });
      assert.equal(code, 1);
      assert.match(
        output,
        /Flux v2\.9\.4: install\.yaml has sha256 [0-9a-f]{64} but flux_2\.9\.4_checksums\.txt publishes/,
      );
      assert.equal(readFileSync(lockFile, 'utf8'), readFileSync(REPOSITORY_LOCK_FILE, 'utf8'));
      assert.equal(existsSync(join(cache, 'cdktf-flux', 'manifests', version)), false);
    } finally {
      bad.server.close();
    }
  });

  test('takes a URL or a file, replacing the entry for the same version, source and components', async () => {
    setUp();
    const edited = readFileSync(join(MANIFESTS_DIR, 'v2.9.4', 'gotk-components.yaml'), 'utf8').replace(
      '--log-level=info',
      '--log-level=debug',
    );
    const file = join(tmp(), 'gotk-components.yaml');
    writeFileSync(file, edited);
    const mirror = await releaseMirror({ '/edited.yaml': edited, '/install.yaml': installYaml });
    try {
      assert.equal((await manifestsLock([`${mirror.url}/install.yaml`, file], env())).code, 0);
      const entries = readLock(lockFile);
      assert.equal(entries.find((e) => e.source === 'release')?.sha256, sha256(installYaml));
      assert.deepEqual(
        entries
          .filter((e) => e.version === version && e.source === 'export')
          .map((e) => [e.components.length, e.sha256]),
        [
          [6, readLock(REPOSITORY_LOCK_FILE).find((e) => e.version === version && e.components.length === 6)?.sha256],
          [4, sha256(edited)],
        ],
      );
    } finally {
      mirror.server.close();
    }
  });

  test('fails if a file lacks what a Flux install needs, naming it, and pins nothing', async () => {
    setUp();
    const text = readFileSync(join(MANIFESTS_DIR, 'v2.9.4', 'gotk-components.yaml'), 'utf8');
    const file = join(tmp(), 'gotk-components.yaml');
    writeFileSync(file, text.slice(0, text.lastIndexOf('---\napiVersion: apps/v1\nkind: Deployment')));
    const { code, output } = await manifestsLock([file], env());
    assert.equal(code, 1);
    assert.equal(output.trim(), `Flux manifests ${file}: no Deployment for notification-controller`);
    assert.equal(readFileSync(lockFile, 'utf8'), readFileSync(REPOSITORY_LOCK_FILE, 'utf8'));
  });

  test('fails if given nothing, saying what it takes', async () => {
    const { code, output } = await manifestsLock([], {});
    assert.equal(code, 1);
    assert.match(output, /usage: cdktf-flux manifests-lock <version \(v2\.9\.4\) \| url \| file>\.\.\./);
  });
});
