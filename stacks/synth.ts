import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';

/**
 * Validates every stack, then synthesizes. cdktf's own synth writes stack by stack and checks
 * each as it goes, so a problem in the second stack would leave the first written; here nothing
 * is written unless the whole app is valid, and a stale manifest from an earlier run is removed
 * so that no later step (deploy --skip-synth) mistakes it for this run's output.
 */
export function synthApp(app: App): void {
  app.node.findAll().filter(TerraformStack.isStack).forEach((stack) => stack.prepareStack());
  const errors = app.node.findAll().flatMap((construct) => construct.node.validate());
  if (errors.length > 0) {
    rmSync(join(app.outdir, 'manifest.json'), { force: true });
    throw new Error(`Validation failed:\n  ${errors.join('\n  ')}`);
  }
  app.synth();
}
