// cdktf-flux review <stack> [plan.json | -] (npm run review -- ... in this repository), in the app's
// folder: prints the Markdown summary of a plan for review.
//   <stack> alone: plans the synthesized stack itself (synthesize first) with OpenTofu, or the
//   binary TERRAFORM_BINARY_NAME names, keeping the saved plan in a private temporary folder
//   that is removed at once: a plan holds the state, and the deploy key's private half with it.
//   It plans what cdktf-flux deploy would apply: with the take-over of what earlier runs left on
//   the cluster and on GitHub without recording it in state (cli/recovery.ts), shown as imports.
//   <plan.json>, or - for standard input: the output of `show -json <planfile>`.
// Exit code: 0 no warnings, 2 warnings raised (something is replaced, deleted, or otherwise risky), 1 bad input.
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCdktfJson } from './cdktf-json';
import { usageOf } from './commands';
import { fluxObjectsOf, NotSynced, readFluxObjects, deployedSyncProblems } from './flux-sync-status';
import { PlanJson, summarizePlan } from './plan-summary';
import { inTheWayMessage, recoveryFor, useTakeOver } from './recovery';

const USAGE =
  `${usageOf('review')}\n  with <stack> alone, plans the synthesized stack, <output>/stacks/<stack> (cdktf.json's ` +
  'output, default cdktf.out), itself: synthesize first (npx cdktf synth, or the app command of cdktf.json)';

// What `show -json` prints for a plan without changes, as far as the summary reads it.
const NO_CHANGES = JSON.stringify({ format_version: '1.2', resource_changes: [] });

/**
 * Where a review makes the private folder of its plan, which holds secrets in the clear: the
 * user's runtime directory (`XDG_RUNTIME_DIR`: the user's own, in memory on systemd machines),
 * else `/dev/shm` (in memory), else the temporary directory.
 */
export function planFolderParent(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && existsSync(runtime)) return runtime;
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

/**
 * Plans the stack and returns `show -json` of the plan, never leaving the plan file behind. A plan
 * without changes (exit code 0 of `-detailed-exitcode`) is not shown: the summary of no change
 * needs nothing from it, and `show -json` would start every provider again (~1 s).
 */
async function planStack(dir: string, stack: string): Promise<string> {
  if (!existsSync(join(dir, 'cdk.tf.json')))
    throw new Error(
      `review: ${dir}/cdk.tf.json does not exist; synthesize first (npx cdktf synth, or the app command of ` +
        `cdktf.json)`,
    );
  const binary = process.env.TERRAFORM_BINARY_NAME ?? 'tofu';
  const run = (args: string[]) => {
    const result = spawnSync(binary, args, {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (result.error) throw result.error;
    return result;
  };
  const succeeded = (result: SpawnSyncReturns<string>, what: string) => {
    if (result.status !== 0) throw new Error(`${what} failed with exit code ${result.status}`);
    return result.stdout;
  };
  const planDir = mkdtempSync(join(planFolderParent(), 'cdktf-flux-review-'));
  try {
    if (!existsSync(join(dir, '.terraform'))) succeeded(run(['init', '-input=false', '-no-color']), `${binary} init`);
    const recovery = await recoveryFor(binary, dir);
    if (recovery.inTheWay.length > 0) throw new Error(inTheWayMessage(stack, recovery.inTheWay));
    const forget = useTakeOver(stack, dir, recovery, console.error);
    const planFile = join(planDir, 'plan');
    let plan: SpawnSyncReturns<string>;
    try {
      plan = run(['plan', '-input=false', '-lock=false', '-no-color', '-detailed-exitcode', `-out=${planFile}`]);
    } finally {
      forget();
    }
    if (plan.status === 0) return NO_CHANGES;
    if (plan.status !== 2) throw new Error(`${binary} plan failed with exit code ${plan.status}`);
    return succeeded(run(['show', '-json', planFile]), `${binary} show`);
  } finally {
    rmSync(planDir, { recursive: true, force: true });
  }
}

/** `cdktf-flux review <args>`; returns the exit code. */
export async function review(args: string[]): Promise<number> {
  if (args.length < 1 || args.length > 2 || args.some((arg) => arg.startsWith('-') && arg !== '-')) {
    console.error(USAGE);
    return 1;
  }
  const [stack, source] = args;
  const name = source === '-' ? 'standard input' : (source ?? stack);
  let text: string;
  let dir: string;
  try {
    dir = join(readCdktfJson().outdir, 'stacks', stack);
    text = source === undefined ? await planStack(dir, stack) : readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (error) {
    console.error(`review: cannot ${source === undefined ? 'plan' : 'read'} ${name}: ${(error as Error).message}`);
    return 1;
  }
  let plan: PlanJson;
  try {
    plan = JSON.parse(text) as PlanJson;
  } catch (error) {
    console.error(
      `review: cannot read the plan from ${name}: ${(error as Error).message}; ` +
        `give the output of show -json <planfile>`,
    );
    return 1;
  }
  if (
    plan === null ||
    typeof plan !== 'object' ||
    Array.isArray(plan) ||
    (!Array.isArray(plan.resource_changes) && !('format_version' in plan)) ||
    ('values' in plan && !('planned_values' in plan))
  ) {
    console.error(
      `review: ${name} is not a plan in JSON (no format_version or resource_changes); ` +
        `give the output of show -json <planfile>`,
    );
    return 1;
  }
  let notSynced: NotSynced[] = [];
  const flux = source === undefined ? fluxObjectsOf(dir, stack) : undefined;
  if (flux) {
    try {
      // Not deployed yet: the plan says what will be created.
      notSynced = deployedSyncProblems(await readFluxObjects(flux)) ?? [];
    } catch (error) {
      console.error(`review: cannot read the Flux objects of ${stack} from the cluster: ${(error as Error).message}`);
      return 1;
    }
  }
  const summary = summarizePlan(stack, plan, notSynced);
  process.stdout.write(summary.markdown);
  return summary.warnings.length > 0 ? 2 : 0;
}
