// One measured run of the benchmark: synthesizes an app of N environments (0: an empty CDKTF
// app with one empty stack, the floor) into a temporary directory and prints its peak memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { addFluxEnvironment, synthApp } from '../stacks';

async function main(): Promise<void> {
  const environments = Number(process.argv[2]);
  const outdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-bench-'));
  const app = new App({ outdir });
  if (environments === 0) new TerraformStack(app, 'empty');
  for (let i = 1; i <= environments; i++) {
    const name = `env-${String(i).padStart(2, '0')}`;
    await addFluxEnvironment(app, { name, kubeContext: name });
  }
  synthApp(app);
  rmSync(outdir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
