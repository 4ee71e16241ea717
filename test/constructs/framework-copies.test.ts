import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TerraformStack, Testing } from 'cdktf';
import { Kustomization } from '../../constructs';
import { addFluxEnvironment } from '../../stacks';
import { dev } from '../../environments';
import '../support/manifests';

/** A second copy of constructs, as npm nests one where an app's range and the library's differ. */
function secondConstructs(): typeof import('constructs') {
  const copy = join(mkdtempSync(join(tmpdir(), 'cdktf-flux-copy-')), 'node_modules', 'constructs');
  cpSync(join(__dirname, '..', '..', 'node_modules', 'constructs'), copy, { recursive: true });
  return createRequire(__filename)(copy) as typeof import('constructs');
}

describe('a second copy of constructs or cdktf in the app', () => {
  test('fails if the app was built with another copy of constructs, naming both copies', async () => {
    const other = secondConstructs();
    const app = new other.Construct(undefined as never, '');
    await assert.rejects(
      addFluxEnvironment(app as never, dev),
      /^Error: addFluxEnvironment: the app was built with another copy of constructs than cdktf-flux loads: .*node_modules\/constructs and .*node_modules\/constructs\. With two copies, instanceof checks and lookups from a scope miss without an error\. Keep one: constructs is a peer dependency of cdktf-flux, so install it in the app only/,
    );
  });

  test('fails if a Flux object is added to a scope of another copy of constructs', async () => {
    const { sync } = await addFluxEnvironment(Testing.app(), dev);
    const other = secondConstructs();
    const foreign = new TerraformStack(new other.Construct(undefined as never, '') as never, 'elsewhere');
    assert.throws(
      () => new Kustomization(foreign, 'apps', { sourceRef: sync.source, path: './apps', prune: true }),
      /another copy of constructs than cdktf-flux loads/,
    );
  });
});
