// Run by `npm test` before the tests: fills the test manifests folder on a machine that has none
// (see test/support/manifest-fixtures.ts). Does nothing when every file is already there.
import { fetchManifestFixtures, testManifestsDir } from './support/manifest-fixtures';

const dir = testManifestsDir();
fetchManifestFixtures(dir).then(
  (fetched) => {
    if (fetched.length > 0) console.log(`test manifests: fetched ${fetched.join(', ')} into ${dir}`);
  },
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
