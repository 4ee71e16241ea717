// npm run review -- <stack> <plan.json>: prints the Markdown summary of a plan for review.
// Exit code: 0 no warnings, 2 warnings raised (something is replaced, deleted, or otherwise risky), 1 bad input.
import { readFileSync } from 'node:fs';
import { PlanJson, summarizePlan } from '../lib/plan-summary';

function main(args: string[]): number {
  if (args.length !== 2) {
    console.error('usage: npm run review -- <stack> <plan.json>\n  make plan.json in cdktf.out/stacks/<stack> with: tofu plan -out=plan && tofu show -json plan > plan.json');
    return 1;
  }
  const [stack, file] = args;
  let plan: PlanJson;
  try {
    plan = JSON.parse(readFileSync(file, 'utf8')) as PlanJson;
  } catch (error) {
    console.error(`review: cannot read the plan ${file}: ${(error as Error).message}; give the output of show -json <planfile>`);
    return 1;
  }
  if (!Array.isArray(plan.resource_changes) && !('format_version' in plan)) {
    console.error(`review: ${file} is not a plan in JSON (no format_version or resource_changes); give the output of show -json <planfile>`);
    return 1;
  }
  const summary = summarizePlan(stack, plan);
  process.stdout.write(summary.markdown);
  return summary.warnings.length > 0 ? 2 : 0;
}

process.exitCode = main(process.argv.slice(2));
