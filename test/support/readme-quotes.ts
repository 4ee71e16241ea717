import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * Asserts that README.md quotes every block of an example file verbatim: the blocks after its
 * imports, each starting with a comment, `count` of them (so a block added to the file is counted).
 */
export function assertReadmeQuotes(example: string, count: number): void {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const source = readFileSync(join(ROOT, example), 'utf8');
  const blocks = source.slice(source.indexOf('\n\n', source.indexOf('import')) + 2).split(/\n\n(?=\/\/)/);
  assert.equal(blocks.length, count, `${example} has ${blocks.length} blocks`);
  for (const block of blocks) assert.ok(readme.includes(block.trimEnd()), `README.md does not quote:\n${block}`);
}
