// npm run review -- <stack> [plan.json | -]: prints the Markdown summary of a plan for review.
//   <stack> alone: plans the synthesized stack itself (npm run synth first) with OpenTofu, or the
//   binary TERRAFORM_BINARY_NAME names, keeping the saved plan in a private temporary folder
//   that is removed at once: a plan holds the state, and the deploy key's private half with it.
//   <plan.json>, or - for standard input: the output of `show -json <planfile>`.
// Exit code: 0 no warnings, 2 warnings raised (something is replaced, deleted, or otherwise risky), 1 bad input.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlanJson, summarizePlan } from './plan-summary';

const USAGE =
  'usage: npm run review -- <stack> [<plan.json> | -]\n  with <stack> alone, plans cdktf.out/stacks/<stack> ' +
  'itself (run npm run synth first)';

/** Plans the stack and returns `show -json` of the plan, never leaving the plan file behind. */
function planStack(stack: string): string {
  const dir = join('cdktf.out', 'stacks', stack);
  if (!existsSync(join(dir, 'cdk.tf.json')))
    throw new Error(`review: ${dir}/cdk.tf.json does not exist; run npm run synth first`);
  const binary = process.env.TERRAFORM_BINARY_NAME ?? 'tofu';
  const run = (args: string[]) =>
    execFileSync(binary, args, {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  const shm = '/dev/shm';
  const planDir = mkdtempSync(join(existsSync(shm) ? shm : tmpdir(), 'cdktf-flux-review-'));
  try {
    if (!existsSync(join(dir, '.terraform'))) run(['init', '-input=false', '-no-color']);
    run(['plan', '-input=false', '-lock=false', '-no-color', `-out=${join(planDir, 'plan')}`]);
    return run(['show', '-json', join(planDir, 'plan')]);
  } finally {
    rmSync(planDir, { recursive: true, force: true });
  }
}

function readPlan(stack: string, source: string | undefined): string {
  if (source === undefined) return planStack(stack);
  return readFileSync(source === '-' ? 0 : source, 'utf8');
}

function main(args: string[]): number {
  if (args.length < 1 || args.length > 2) {
    console.error(USAGE);
    return 1;
  }
  const [stack, source] = args;
  const name = source === '-' ? 'standard input' : (source ?? stack);
  let plan: PlanJson;
  try {
    plan = JSON.parse(readPlan(stack, source)) as PlanJson;
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
  const summary = summarizePlan(stack, plan);
  process.stdout.write(summary.markdown);
  return summary.warnings.length > 0 ? 2 : 0;
}

process.exitCode = main(process.argv.slice(2));
