import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Compares `value` with the reviewed snapshot `test/<dir>/__snapshots__/<name>.json`.
 * A missing or changed snapshot fails; UPDATE_SNAPSHOTS=1 rewrites it for review in the diff.
 */
export function assertSnapshot(testDir: string, name: string, value: unknown): void {
  const file = join(testDir, '__snapshots__', `${name}.json`);
  const actual = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `snapshot ${file} is missing; run UPDATE_SNAPSHOTS=1 npm test and review it`);
  assert.equal(
    actual,
    readFileSync(file, 'utf8'),
    `snapshot ${file} changed; if intended, run UPDATE_SNAPSHOTS=1 npm test and review the diff`,
  );
}
