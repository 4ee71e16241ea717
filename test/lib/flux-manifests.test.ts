import assert from 'node:assert/strict';
import { exec } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  DEFAULT_FLUX_VERSION,
  downloadFluxManifests,
  FluxManifests,
  loadFluxManifests,
  resolveFluxManifests,
} from '../../lib/flux-manifests';
import { defaultLockFile, readLock, writeLock } from '../../lib/manifests-lock';
import { fetchManifestFixtures, MANIFEST_FIXTURES, REPOSITORY_LOCK_FILE } from '../support/manifest-fixtures';
import { MANIFESTS_DIR } from '../support/manifests';
import { releaseFiles, releaseInstallYaml, releaseMirror, ReleaseMirror, sha256 } from '../support/release-mirror';

const run = promisify(exec);
const root = join(__dirname, '..', '..');

/**
 * Runs a printed `npx cdktf-flux manifests-lock ...` in this repository, through its alias `npm run
 * manifests:lock --`: the same command from the sources under test (npx would run the compiled one
 * in dist/, as old as the last build). test/package runs a printed command as it is, in a fresh app.
 */
async function runCommand(command: string): Promise<void> {
  assert.match(command, /^(FLUX_MANIFESTS_LOCK=\S+ )?npx cdktf-flux manifests-lock \S/);
  const alias = command.replace('npx cdktf-flux manifests-lock ', 'npm run --silent manifests:lock -- ');
  await run(alias, { cwd: root, timeout: 60_000, env: { ...process.env, npm_config_update_notifier: 'false' } });
}

function catchError(f: () => unknown): Error | undefined {
  try {
    f();
  } catch (error) {
    return error as Error;
  }
  return undefined;
}

const tmp = () => mkdtempSync(join(tmpdir(), 'cdktf-flux-test-'));
const v294 = readFileSync(join(MANIFESTS_DIR, 'v2.9.4', 'gotk-components.yaml'));

describe('loadFluxManifests', () => {
  test("uses the lock of the project cdktf runs the app in (the working directory), not this package's", () => {
    const project = mkdtempSync(join(tmpdir(), 'cdktf-flux-project-'));
    const { FLUX_MANIFESTS_LOCK } = process.env;
    const cwd = process.cwd();
    try {
      delete process.env.FLUX_MANIFESTS_LOCK;
      process.chdir(project);
      assert.equal(defaultLockFile(), join(project, 'flux-manifests.lock.json'));
    } finally {
      process.chdir(cwd);
      process.env.FLUX_MANIFESTS_LOCK = FLUX_MANIFESTS_LOCK;
    }
  });

  test('reads <version>/gotk-components.yaml from the manifests directory', () => {
    const m = loadFluxManifests({ manifestsDir: MANIFESTS_DIR, cacheDir: tmp() });
    assert.equal(m.version, DEFAULT_FLUX_VERSION);
    assert.equal(m.objects.length, 32);
    assert.deepEqual(m.components, [
      'source-controller',
      'kustomize-controller',
      'helm-controller',
      'notification-controller',
    ]);
    assert.equal(m.origin, join(MANIFESTS_DIR, 'v2.9.4', 'gotk-components.yaml'));
  });

  test('reads a version from a directory given as path', () => {
    const m = loadFluxManifests({ version: 'v2.8.8', path: MANIFESTS_DIR });
    assert.equal(m.version, 'v2.8.8');
    assert.equal(m.objects.filter((o) => o.kind === 'CustomResourceDefinition').length, 11);
  });

  test('parses a file once however many environments load it', () => {
    const path = join(MANIFESTS_DIR, 'v2.9.4', 'gotk-components.yaml');
    assert.equal(loadFluxManifests({ path }), loadFluxManifests({ path }));
  });

  test('reuses the parse of the same text from the cache, keyed by its sha256', () => {
    const cacheDir = tmp();
    const first = FluxManifests.parseCached(v294.toString('utf8'), 'first', cacheDir);
    const cached = join(cacheDir, 'parsed', `${sha256(v294)}.json`);
    assert.deepEqual(JSON.parse(readFileSync(cached, 'utf8')).objects, first.objects);
    const fewer = first.objects.filter((o) => o.kind !== 'NetworkPolicy');
    writeFileSync(cached, JSON.stringify({ version: 'v9.9.9', objects: fewer }));
    const second = FluxManifests.parseCached(v294.toString('utf8'), 'second', cacheDir);
    assert.deepEqual(
      [second.version, second.objects.length, second.origin],
      ['v9.9.9', 29, 'second'],
      'read from the cache, not parsed again',
    );
    assert.equal(
      FluxManifests.parseCached(`${v294}\n`, 'changed', cacheDir).objects.length,
      32,
      'other text, other key',
    );
  });

  test('fails if the file given names another Flux version than the one asked for', () => {
    const path = join(MANIFESTS_DIR, 'v2.8.8', 'gotk-components.yaml');
    assert.throws(
      () => loadFluxManifests({ version: 'v2.9.4', path }),
      /are for Flux v2\.8\.8, but v2\.9\.4 was asked for/,
    );
  });

  test('fails if nothing is local, naming the version, the files it expected and how to produce them', () => {
    const empty = tmp();
    assert.throws(
      () => loadFluxManifests({ version: 'v2.9.3', manifestsDir: empty, cacheDir: join(empty, 'cache') }),
      (error: Error) => {
        assert.match(error.message, /^Flux v2\.9\.3 install manifests not found/);
        assert.ok(error.message.includes(join(empty, 'v2.9.3', 'gotk-components.yaml')), error.message);
        assert.ok(error.message.includes(join(empty, 'cache', 'v2.9.3', 'install.yaml')), error.message);
        assert.match(
          error.message,
          /flux install --version=v2\.9\.3 --export > <dir>\/v2\.9\.3\/gotk-components\.yaml/,
        );
        assert.match(error.message, /FLUX_MANIFESTS_DIR=<dir>/);
        return true;
      },
    );
  });

  test('fails if a file is not valid YAML', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'gotk-components.yaml'), '# Flux Version: v2.9.4\nkind: [Namespace\n');
    assert.throws(() => loadFluxManifests({ path: dir }), /Flux manifests .*gotk-components\.yaml: not valid YAML: /);
  });

  test('fails if a file is not Flux manifests', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'gotk-components.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
    assert.throws(() => loadFluxManifests({ path: dir }), /no "# Flux Version:" header and no version label/);
  });
});

describe('downloadFluxManifests', () => {
  const version = 'v2.9.4';
  let release: ReleaseMirror;
  before(async () => {
    release = await releaseMirror({
      [`/${version}/install.yaml`]: v294,
      [`/${version}/flux_2.9.4_checksums.txt`]:
        `${'0'.repeat(64)}  flux_2.9.4_linux_amd64.tar.gz\n` + `${sha256(v294)}  install.yaml\n`,
      '/v2.9.3/install.yaml': v294,
      '/v2.9.3/flux_2.9.3_checksums.txt': `${sha256('something else')}  install.yaml\n`,
    });
  });
  after(() => release.server.close());

  test('downloads install.yaml, checks it against the published checksum and caches it', async () => {
    const cacheDir = tmp();
    const m = await resolveFluxManifests({ version, manifestsDir: tmp(), cacheDir, releasesUrl: release.url });
    assert.equal(m.version, version);
    assert.equal(m.objects.length, 32);
    assert.equal(readFileSync(join(cacheDir, version, 'install.yaml.sha256'), 'utf8').trim(), sha256(v294));
    const requests = release.requests.length;
    const cached = loadFluxManifests({ version, manifestsDir: tmp(), cacheDir });
    assert.equal(cached.objects.length, 32);
    assert.equal(release.requests.length, requests, 'the cache answers without network');
  });

  test('fails if the download does not match the published checksum, and caches nothing', async () => {
    const cacheDir = tmp();
    await assert.rejects(
      downloadFluxManifests({ version: 'v2.9.3', cacheDir, releasesUrl: release.url }),
      /install\.yaml has sha256 [0-9a-f]{64} but flux_2\.9\.3_checksums\.txt publishes [0-9a-f]{64}; refusing it/,
    );
    assert.equal(existsSync(join(cacheDir, 'v2.9.3')), false);
  });

  test('fails if the cache no longer matches its recorded checksum', async () => {
    const cacheDir = tmp();
    await downloadFluxManifests({ version, cacheDir, releasesUrl: release.url });
    writeFileSync(join(cacheDir, version, 'install.yaml'), `${v294}\n# edited`);
    assert.throws(
      () => loadFluxManifests({ version, manifestsDir: tmp(), cacheDir }),
      /does not match its recorded checksum; delete .* and run again/,
    );
  });

  test('fails offline with the not-found message and the download error', async () => {
    const empty = tmp();
    mkdirSync(join(empty, 'cache'));
    const closed = await releaseMirror({});
    closed.server.close();
    await assert.rejects(
      resolveFluxManifests({
        version: 'v2.7.5',
        manifestsDir: empty,
        cacheDir: join(empty, 'cache'),
        releasesUrl: closed.url,
      }),
      /^Error: Flux v2\.7\.5 install manifests not found.*Downloading failed: GET http:\/\/127\.0\.0\.1:\d+\/v2\.7\.5\/.*ECONNREFUSED/s,
    );
  });
});

describe('the manifests lock', () => {
  const edited = `${v294.toString('utf8')}\n# an edit\n`;
  const lockCopy = () => {
    const file = join(tmp(), 'flux-manifests.lock.json');
    copyFileSync(REPOSITORY_LOCK_FILE, file);
    return file;
  };

  test('pins exactly the shared files of every version and component set the project uses', () => {
    const pinned = readLock(REPOSITORY_LOCK_FILE).map(
      (e) => `${e.version} ${e.source} ${e.components.length} ${e.sha256}`,
    );
    for (const [directory, components] of [
      ['v2.6.4', 4],
      ['v2.7.5', 4],
      ['v2.8.8', 4],
      ['v2.9.3', 4],
      ['v2.9.3-image-automation', 6],
      ['v2.9.4', 4],
      ['v2.9.4-image-automation', 6],
    ] as const) {
      const text = readFileSync(join(MANIFESTS_DIR, directory, 'gotk-components.yaml'));
      assert.ok(pinned.includes(`${directory.slice(0, 6)} export ${components} ${sha256(text)}`), directory);
    }
    assert.equal(pinned.length, 7);
  });

  test('reads entries written before sources were recorded as exports', () => {
    const lockFile = join(tmp(), 'lock.json');
    const entry = { version: 'v2.9.4', components: ['source-controller'], sha256: sha256(v294) };
    writeFileSync(lockFile, JSON.stringify({ '//': '', manifests: [entry] }));
    assert.deepEqual(readLock(lockFile), [{ ...entry, source: 'export' }]);
    assert.equal(loadFluxManifests({ path: join(MANIFESTS_DIR, 'v2.9.4'), lockFile }).sha256, sha256(v294));
  });

  test('fails if a file is not the one the lock pins for its version, source and components', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'gotk-components.yaml'), edited);
    assert.throws(
      () => loadFluxManifests({ path: dir, cacheDir: tmp(), lockFile: REPOSITORY_LOCK_FILE }),
      new RegExp(
        `^Error: Flux manifests .*gotk-components\\.yaml \\(v2\\.9\\.4 export: source-controller, ` +
          `kustomize-controller, helm-controller, notification-controller\\) have sha256 ${sha256(edited)}, ` +
          `but .*flux-manifests\\.lock\\.json pins ${sha256(v294)} for that version, source and components: this is ` +
          `not the file that was pinned\\. ` +
          'If you trust this file, run npx cdktf-flux manifests-lock .*gotk-components\\.yaml and commit the lock$',
      ),
    );
  });

  test('fails if a file is not in the lock, and the command it prints pins it', async () => {
    const file = join(tmp(), 'gotk-components.yaml');
    writeFileSync(file, edited);
    const lockFile = join(tmp(), 'lock.json');
    const refusal = () => loadFluxManifests({ path: file, cacheDir: tmp(), lockFile });
    assert.throws(refusal, new RegExp(`which ${lockFile} does not list\\. If you trust this file, run `));
    const command = /run (.*) and commit the lock$/.exec(String(catchError(refusal)))?.[1] ?? '';
    assert.equal(command, `FLUX_MANIFESTS_LOCK=${lockFile} npx cdktf-flux manifests-lock ${file}`);
    await runCommand(command);
    assert.equal(refusal().sha256, sha256(edited));
  });

  test('accepts the file once the lock lists it, and keeps one entry per version, source and component set', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'gotk-components.yaml'), edited);
    const lockFile = join(tmp(), 'lock.json');
    writeLock(
      [{ version: 'v2.9.4', source: 'export', components: ['source-controller'], sha256: '0'.repeat(64) }],
      lockFile,
    );
    const m = FluxManifests.parse(edited, 'edited');
    const entries = writeLock([m], lockFile);
    assert.equal(entries.length, 2);
    assert.equal(loadFluxManifests({ path: dir, cacheDir: tmp(), lockFile }).sha256, sha256(edited));
    assert.equal(
      writeLock([{ ...m, components: [...m.components].reverse(), sha256: 'f'.repeat(64) }], lockFile).length,
      2,
      'replaced, not added',
    );
    assert.equal(writeLock([{ ...m, source: 'release' }], lockFile).length, 3, 'a release file is another entry');
  });

  describe('a release download, pinned on first use', () => {
    const version = 'v2.9.4';
    const installYaml = releaseInstallYaml(version);
    let release: ReleaseMirror;
    before(async () => (release = await releaseMirror(releaseFiles(version, installYaml))));
    after(() => release.server.close());

    test('is pinned and cached the first time, and read from the cache offline after that', async (t) => {
      const [cacheDir, lockFile] = [tmp(), lockCopy()];
      const log = t.mock.method(console, 'log', () => undefined);
      const m = await resolveFluxManifests({
        version,
        manifestsDir: tmp(),
        cacheDir,
        lockFile,
        releasesUrl: release.url,
      });
      assert.deepEqual(
        [m.version, m.source, m.components.length, m.sha256],
        [version, 'release', 6, sha256(installYaml)],
      );
      assert.deepEqual(
        log.mock.calls.map((c) => c.arguments),
        [
          [
            `Pinned Flux v2.9.4 (release: source-controller, kustomize-controller, helm-controller, ` +
              `notification-controller, image-reflector-controller, image-automation-controller) sha256 ` +
              `${sha256(installYaml)} from ${release.url}/v2.9.4/install.yaml in ${lockFile}; commit it`,
          ],
        ],
      );
      const pinned = readLock(lockFile).filter((e) => e.source === 'release');
      assert.deepEqual(pinned, [
        { version, source: 'release', components: [...m.components].sort(), sha256: m.sha256 },
      ]);
      assert.deepEqual(
        readLock(lockFile).filter((e) => e.source === 'export'),
        readLock(REPOSITORY_LOCK_FILE),
        'the entries already there are kept',
      );
      assert.equal(readFileSync(join(cacheDir, version, 'install.yaml'), 'utf8'), installYaml);

      const requests = release.requests.length;
      const offline = await resolveFluxManifests({
        version,
        manifestsDir: tmp(),
        cacheDir,
        lockFile,
        releasesUrl: 'http://127.0.0.1:1',
      });
      assert.equal(offline.sha256, m.sha256);
      assert.equal(release.requests.length, requests, 'the cache answers without network');
      assert.equal(log.mock.callCount(), 1, 'pinned once');
    });

    test('pins a cached download the lock does not list yet, without network', async (t) => {
      const [cacheDir, lockFile] = [tmp(), lockCopy()];
      t.mock.method(console, 'log', () => undefined);
      await downloadFluxManifests({
        version,
        cacheDir,
        lockFile: join(tmp(), 'other-lock.json'),
        releasesUrl: release.url,
      });
      const m = loadFluxManifests({ version, manifestsDir: tmp(), cacheDir, lockFile });
      assert.equal(readLock(lockFile).find((e) => e.source === 'release')?.sha256, m.sha256);
    });

    test('fails if a later download has other bytes than pinned, caching nothing; its command pins it', async (t) => {
      const lockFile = lockCopy();
      t.mock.method(console, 'log', () => undefined);
      await downloadFluxManifests({ version, cacheDir: tmp(), lockFile, releasesUrl: release.url });
      const changed = installYaml.replace('--log-level=info', '--log-level=debug');
      const other = await releaseMirror(releaseFiles(version, changed));
      const cacheDir = tmp();
      try {
        const options = { version, manifestsDir: tmp(), cacheDir, lockFile, releasesUrl: other.url };
        const refusal = await resolveFluxManifests(options).then(
          () => assert.fail('accepted'),
          (error: Error) => error.message,
        );
        assert.equal(
          refusal,
          `Flux manifests ${other.url}/v2.9.4/install.yaml (v2.9.4 release: source-controller, kustomize-controller, ` +
            `helm-controller, notification-controller, image-reflector-controller, image-automation-controller) ` +
            `have sha256 ${sha256(changed)}, but ${lockFile} pins ${sha256(installYaml)} for that version, source ` +
            `and components: this is not the file that was pinned. If you trust this file, run ` +
            `FLUX_MANIFESTS_LOCK=${lockFile} npx cdktf-flux manifests-lock ${other.url}/v2.9.4/install.yaml ` +
            'and commit the lock',
        );
        assert.equal(existsSync(join(cacheDir, version)), false);
        await runCommand(/run (.*) and commit the lock$/.exec(refusal)?.[1] ?? '');
        assert.equal((await resolveFluxManifests(options)).sha256, sha256(changed));
      } finally {
        other.server.close();
      }
    });

    test('fails if the cache holds other bytes than the lock pins', async (t) => {
      const [cacheDir, lockFile] = [tmp(), lockCopy()];
      t.mock.method(console, 'log', () => undefined);
      await downloadFluxManifests({ version, cacheDir, lockFile, releasesUrl: release.url });
      writeLock([{ ...FluxManifests.parse(installYaml, 'x'), sha256: 'f'.repeat(64) }], lockFile);
      assert.throws(
        () => loadFluxManifests({ version, manifestsDir: tmp(), cacheDir, lockFile }),
        new RegExp(`install\\.yaml .* but ${lockFile} pins f{64} for that version, source and components`),
      );
    });
  });

  test('fails if a verified download has other bytes than the lock pins, and caches nothing', async () => {
    const release = await releaseMirror(releaseFiles('v2.9.4', edited));
    const cacheDir = tmp();
    try {
      await assert.rejects(
        downloadFluxManifests({
          version: 'v2.9.4',
          cacheDir,
          releasesUrl: release.url,
          lockFile: REPOSITORY_LOCK_FILE,
        }),
        /pins 97da4654[0-9a-f]{56} for that version, source and components/,
      );
      assert.equal(existsSync(join(cacheDir, 'v2.9.4', 'install.yaml')), false);
    } finally {
      release.server.close();
    }
  });
});

describe('the test manifests on a machine that has none', () => {
  const v294Text = v294.toString('utf8');

  test('fetches every missing file once, checked against the lock, and nothing when all are there', async () => {
    const server = await releaseMirror({ '/v2.9.4.yaml': v294Text, '/v2.8.8.yaml': v294Text });
    const dir = tmp();
    try {
      const fixtures = [{ directory: 'v2.9.4', url: `${server.url}/v2.9.4.yaml` }];
      assert.deepEqual(await fetchManifestFixtures(dir, fixtures), ['v2.9.4']);
      assert.equal(readFileSync(join(dir, 'v2.9.4', 'gotk-components.yaml'), 'utf8'), v294Text);
      assert.deepEqual(await fetchManifestFixtures(dir, fixtures), []);
      assert.deepEqual(server.requests, ['/v2.9.4.yaml']);
    } finally {
      server.server.close();
    }
  });

  test('fails if a fetched file is not the version asked for, or not in the lock, and writes nothing', async () => {
    const edited = v294Text.replace('cluster.local', 'cluster.example');
    const server = await releaseMirror({ '/other.yaml': v294Text, '/edited.yaml': edited });
    const dir = tmp();
    try {
      await assert.rejects(
        fetchManifestFixtures(dir, [{ directory: 'v2.8.8', url: `${server.url}/other.yaml` }]),
        /test manifests: http:\/\/127\.0\.0\.1:\d+\/other\.yaml is Flux v2\.9\.4, not v2\.8\.8/,
      );
      await assert.rejects(
        fetchManifestFixtures(dir, [{ directory: 'v2.9.4', url: `${server.url}/edited.yaml` }]),
        /flux-manifests\.lock\.json pins [0-9a-f]{64} for that version, source and components/,
      );
      assert.equal(existsSync(join(dir, 'v2.8.8')) || existsSync(join(dir, 'v2.9.4')), false);
    } finally {
      server.server.close();
    }
  });

  test('names every fixture the lock pins, so a fresh machine gets each version and component set', () => {
    const locked = readLock(REPOSITORY_LOCK_FILE).map(
      (e) => `${e.version}${e.components.includes('image-automation-controller') ? '-image-automation' : ''}`,
    );
    assert.deepEqual(MANIFEST_FIXTURES.map((f) => f.directory).sort(), locked.sort());
  });
});
