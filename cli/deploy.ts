// npm run deploy -- <stack>...: `cdktf deploy --skip-provider-lock <args>`, then confirms that Flux
// syncs. The deploy itself waits for the Flux objects it creates or changes (the provider's wait
// blocks, see constructs/ready-wait.ts), but when one times out OpenTofu says only "timed out
// waiting on field matchers"; and a deploy that changed nothing waits for nothing. So after
// cdktf, every Flux object the deployed stacks apply is read from the cluster, until all are
// Ready for their current spec (Kustomizations at their source's revision) or the objects' wait
// timeout has passed, and each that is not is named with Flux's own reason and message.
// Exit code: cdktf's when it failed, 1 when Flux has not synced, else 0.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  durationMs,
  NotSynced,
  fluxObjectsOf,
  StackFluxObjects,
  syncProblems,
  readFluxObjects,
  waitForSync,
} from './flux-sync-status';

const STACKS_DIR = join('cdktf.out', 'stacks');

function deployedStacks(args: string[]): StackFluxObjects[] {
  if (!existsSync(STACKS_DIR)) return [];
  const all = readdirSync(STACKS_DIR);
  const named = args.filter((a) => all.includes(a));
  return (named.length > 0 ? named : all).flatMap((stack) => fluxObjectsOf(join(STACKS_DIR, stack), stack) ?? []);
}

/**
 * A Flux object whose create timed out is tainted by OpenTofu, so the next deploy would delete
 * and recreate it; a Kustomization deleted with prune takes everything it applied with it. The
 * object exists as applied and is only not Ready yet: untaint it, and let the next deploy
 * update it in place.
 */
function untaintFluxObjects(stack: StackFluxObjects): string[] {
  const binary = process.env.TERRAFORM_BINARY_NAME ?? 'tofu';
  const cwd = join(STACKS_DIR, stack.stack);
  const pulled = spawnSync(binary, ['state', 'pull'], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (pulled.status !== 0 || !pulled.stdout.trim()) return [];
  const state = JSON.parse(pulled.stdout) as {
    resources?: { type: string; name: string; instances: { status?: string }[] }[];
  };
  const flux = new Set(stack.objects.map((o) => o.address));
  const tainted = (state.resources ?? [])
    .filter((r) => r.instances.some((i) => i.status === 'tainted'))
    .map((r) => `${r.type}.${r.name}`)
    .filter((address) => flux.has(address));
  return tainted.filter((address) => spawnSync(binary, ['untaint', address], { cwd, stdio: 'ignore' }).status === 0);
}

function report(stack: StackFluxObjects, problems: NotSynced[], waited: string): void {
  console.error(`\nFlux has not synced ${stack.stack}${waited}:`);
  for (const { object, reason } of problems) console.error(`  ${object}: ${reason}`);
  console.error(
    `Fix what Flux reports (a branch, a path, the deploy key or known_hosts) and deploy again; ` +
      `flux get all -n ${stack.objects[0].namespace} shows the same.`,
  );
}

async function main(args: string[]): Promise<number> {
  const cdktf = spawnSync('cdktf', ['deploy', '--skip-provider-lock', ...args], { stdio: 'inherit' });
  if (cdktf.error) throw cdktf.error;
  const failed = cdktf.status !== 0;
  let synced = true;
  for (const stack of deployedStacks(args)) {
    const waited = stack.objects.filter((o) => o.waitTimeout);
    if (waited.length === 0 && !failed) continue;
    const timeoutMs = failed ? 0 : Math.max(...waited.map((o) => durationMs(o.waitTimeout!)));
    let problems: NotSynced[];
    try {
      if (failed) {
        const live = await readFluxObjects(stack);
        // A deploy that failed before this stack: nothing of it to report.
        if (live.every((o) => 'missing' in o)) continue;
        problems = syncProblems(live);
      } else problems = await waitForSync(stack, timeoutMs);
    } catch (error) {
      console.error(`\ndeploy: cannot read the Flux objects of ${stack.stack}: ${(error as Error).message}`);
      synced = false;
      continue;
    }
    if (failed) {
      const untainted = untaintFluxObjects(stack);
      if (untainted.length > 0)
        console.error(`\nKept ${untainted.join(', ')} for the next deploy to update in place (untainted).`);
    }
    if (problems.length === 0) continue;
    synced = false;
    report(stack, problems, failed ? '' : ` within ${timeoutMs / 1000} s`);
  }
  if (failed) return cdktf.status ?? 1;
  return synced ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(`deploy: ${error.message}`);
    process.exitCode = 1;
  },
);
