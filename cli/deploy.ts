// cdktf-flux deploy [--auto-approve] [--var name=value]... <stack>... (npm run deploy -- ... in this
// repository), in the app's folder: synthesizes the app with the command its cdktf.json names,
// applies each stack with OpenTofu (TERRAFORM_BINARY_NAME, default tofu) in the order of their
// dependencies, and then confirms that Flux syncs.
//
// It does what `cdktf deploy --skip-provider-lock` does, without what that costs on every run: the
// cdktf CLI's start-up (~2.5 s), and an `init` of every stack each time (here only when the stack
// has never been initialised or its providers or backend changed). Ctrl-C reaches OpenTofu alone,
// which stops gracefully and saves state; cdktf's abort killed it mid-apply and lost state.
//
// The deploy waits for the Flux objects it creates or changes (the provider's wait blocks, see
// constructs/ready-wait.ts), but OpenTofu then says only "timed out waiting on field matchers",
// and a deploy that changed nothing waits for nothing. So afterwards every Flux object of the
// deployed stacks is read from the cluster until all are Ready for their current spec
// (Kustomizations at their source's revision) or the objects' wait timeout has passed, and each
// that is not is named with Flux's own reason and message.
// Objects the stack declares that are on the cluster but not in its state (an apply killed before
// it wrote state, a lost answer, deleted state) are taken over with import blocks for that apply,
// when this stack or Flux's install made them, and refused by name otherwise (cli/take-over.ts);
// so is a deploy key GitHub registered whose answer was lost, and after the apply the deploy keys
// no state knows any more are removed from GitHub (cli/deploy-keys.ts).
// Exit code: OpenTofu's when an apply failed, 1 when Flux has not synced or the input is bad, else 0.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  durationMs,
  fluxObjectsOf,
  NotSynced,
  readFluxObjects,
  StackFluxObjects,
  deployedSyncProblems,
  waitForSync,
} from './flux-sync-status';
import { lockOutdir, OUTDIR_LOCK_HOLDER } from '../lib/outdir-lock';
import { appCommand, readCdktfJson } from './cdktf-json';
import { inTheWayMessage, recoveryFor, removeOrphans, useTakeOver } from './recovery';
import { pullState } from './stack-state';

const COMMAND = 'cdktf-flux deploy';
const binary = process.env.TERRAFORM_BINARY_NAME ?? 'tofu';
// cdktf deploy's flags that change nothing here: the lock is never refreshed, and the named stacks
// are always deployed in the order of their dependencies.
const ACCEPTED = ['--skip-provider-lock', '--ignore-missing-stack-dependencies'];

class UsageError extends Error {}

interface Options {
  readonly stacks: string[];
  readonly autoApprove: boolean;
  readonly vars: string[];
}

function parse(args: string[]): Options {
  const options = { stacks: [] as string[], autoApprove: false, vars: [] as string[] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--auto-approve') options.autoApprove = true;
    else if (ACCEPTED.includes(arg)) continue;
    else if (arg === '--var' || arg === '--var-file') options.vars.push(`-${arg.slice(2)}=${args[++i] ?? ''}`);
    else if (/^--var(-file)?=/.test(arg)) options.vars.push(arg.slice(1));
    else if (arg.startsWith('-'))
      throw new UsageError(
        `${arg} is not an option of ${COMMAND} (--auto-approve, --var, --var-file); for other cdktf deploy ` +
          `options run npx cdktf deploy --skip-provider-lock ${args.join(' ')}`,
      );
    else options.stacks.push(arg);
  }
  return options;
}

/** Runs cdktf.json's app, as cdktf synth does (into its output folder), inside this deploy's hold on that folder. */
function synthesize(app: string, outdir: string): void {
  const env = { ...process.env, CDKTF_OUTDIR: outdir, [OUTDIR_LOCK_HOLDER]: String(process.pid) };
  const synth = spawnSync(app, { shell: true, stdio: 'inherit', env });
  if (synth.status !== 0) throw new UsageError(`synth (${app}) failed; nothing was deployed`);
}

/** The named stacks, dependencies first. */
function ordered(outdir: string, names: string[]): string[] {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { dependencies: string[] }>;
  };
  const all = Object.keys(manifest.stacks);
  if (names.length === 0 && all.length === 1) return all;
  if (names.length === 0) throw new UsageError(`name the stacks to deploy: ${all.join(', ')}`);
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0)
    throw new UsageError(`${unknown.join(', ')}: no such stack; the app's stacks are ${all.join(', ')}`);
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name)) return;
    manifest.stacks[name].dependencies.forEach(visit);
    order.push(name);
  };
  all.forEach(visit);
  return order.filter((n) => names.includes(n));
}

/** `init` when the stack never had one, or its providers, backend or encryption changed since. */
function initIfNeeded(dir: string): number {
  const { terraform } = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as { terraform: unknown };
  const stamp = join(dir, '.terraform', 'cdktf-flux-init.sha256');
  const wanted = createHash('sha256').update(JSON.stringify(terraform)).digest('hex');
  if (existsSync(join(dir, '.terraform.lock.hcl')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted)
    return 0;
  const init = spawnSync(binary, ['init', '-input=false'], { cwd: dir, stdio: 'inherit' });
  if (init.status === 0) writeFileSync(stamp, wanted);
  return init.status ?? 1;
}

/**
 * OpenTofu in the foreground. Ctrl-C goes to the whole process group: OpenTofu gets it and stops
 * gracefully, so this process ignores it (passing it on would be a second interrupt, which makes
 * OpenTofu exit at once). A SIGTERM sent to this process alone is passed on. Its error output is
 * passed through and its end kept, for what to say after a failure.
 */
function runTofu(args: string[], cwd: string): Promise<{ code: number; errors: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, stdio: ['inherit', 'inherit', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      errors = (errors + chunk.toString()).slice(-20_000);
    });
    const ignore = () => undefined;
    const terminate = () => child.kill('SIGTERM');
    process.on('SIGINT', ignore);
    process.on('SIGTERM', terminate);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', terminate);
      resolve({ code: code ?? (signal ? 128 : 1), errors });
    });
  });
}

/**
 * What to do about a state lock another run holds: wait for it, or, when that run was killed and
 * left the lock in a backend that keeps it (kubernetes), release it.
 */
function stateLockAdvice(stack: string, dir: string, errors: string): string | undefined {
  if (!/Error acquiring the state lock/.test(errors)) return undefined;
  const plain = errors.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
  const id = /ID:\s+(\S+)/.exec(plain)?.[1];
  const who = /Who:\s+(\S+)/.exec(plain)?.[1];
  return (
    `${stack}: another run holds its state lock${who ? ` (${who})` : ''}, so nothing was changed. If that run is ` +
    `still going, wait for it and deploy again. If it was killed, the lock stays in the backend: release it with ` +
    `(cd ${dir} && ${binary} force-unlock${id ? ` ${id}` : ' <ID above>'}), then deploy again.`
  );
}

/**
 * A Flux object whose create timed out is tainted by OpenTofu, so the next deploy would delete
 * and recreate it; a Kustomization deleted with prune takes everything it applied with it. The
 * object exists as applied and is only not Ready yet: untaint it, and let the next deploy
 * update it in place.
 */
function untaintFluxObjects(stack: StackFluxObjects, cwd: string): string[] {
  const flux = new Set(stack.objects.map((o) => o.address));
  return pullState(binary, cwd)
    .resources.filter((r) => r.instances.some((i) => i.status === 'tainted'))
    .map((r) => `${r.type}.${r.name}`)
    .filter((address) => flux.has(address))
    .filter((address) => spawnSync(binary, ['untaint', address], { cwd, stdio: 'ignore' }).status === 0);
}

/** Reads the stack's Flux objects after its apply: waiting for them when it succeeded, once when not. */
async function fluxProblems(stack: StackFluxObjects, applied: boolean): Promise<NotSynced[] | undefined> {
  const waited = stack.objects.filter((o) => o.waitTimeout);
  if (applied && waited.length === 0) return undefined;
  if (applied) return waitForSync(stack, Math.max(...waited.map((o) => durationMs(o.waitTimeout!))));
  // A failure before any of its objects was created: the plan or apply said why.
  return deployedSyncProblems(await readFluxObjects(stack));
}

function report(stack: StackFluxObjects, problems: NotSynced[]): void {
  console.error(`\nFlux has not synced ${stack.stack}:`);
  for (const { object, reason } of problems) console.error(`  ${object}: ${reason}`);
  console.error(
    `Fix what Flux reports (a branch, a path, the deploy key or known_hosts) and deploy again; ` +
      `flux get all -n ${stack.objects[0].namespace} shows the same.`,
  );
}

/** `cdktf-flux deploy <args>`; returns the exit code. */
export async function deploy(args: string[]): Promise<number> {
  try {
    return await deployStacks(args);
  } catch (error) {
    console.error(`deploy: ${(error as Error).message}`);
    return 1;
  }
}

async function deployStacks(args: string[]): Promise<number> {
  const options = parse(args);
  const config = readCdktfJson();
  const app = appCommand(config, COMMAND);
  // From the synth to the last apply, which reads its files: a second deploy in this folder waits.
  lockOutdir(config.outdir, 30 * 60_000, COMMAND);
  synthesize(app, config.outdir);
  for (const stack of ordered(config.outdir, options.stacks)) {
    const dir = join(config.outdir, 'stacks', stack);
    console.log(`\n${stack}: ${binary} apply`);
    const init = initIfNeeded(dir);
    if (init !== 0) return init;
    const apply = ['apply', ...(options.autoApprove ? ['-auto-approve', '-input=false'] : []), ...options.vars];
    const recovery = await recoveryFor(binary, dir);
    if (recovery.inTheWay.length > 0) throw new UsageError(inTheWayMessage(stack, recovery.inTheWay));
    const forget = useTakeOver(stack, dir, recovery, console.log);
    let code: number;
    try {
      const tofu = await runTofu(apply, dir);
      code = tofu.code;
      const advice = stateLockAdvice(stack, dir, tofu.errors);
      if (advice) console.error(`\n${advice}`);
    } finally {
      forget();
    }
    if (code === 0) {
      const removed = await removeOrphans(binary, dir, recovery).catch((error: Error) => {
        throw new Error(
          `${stack} is deployed, but the deploy keys no state knows could not be removed from GitHub ` +
            `(${error.message}); deploy again to remove them`,
        );
      });
      if (removed.length > 0)
        console.log(`${stack}: removed from GitHub, as no state knows them any more: ${removed.join(', ')}`);
    }
    const flux = fluxObjectsOf(dir, stack);
    const problems = flux ? await fluxProblems(flux, code === 0) : undefined;
    if (flux && code !== 0) {
      const untainted = untaintFluxObjects(flux, dir);
      if (untainted.length > 0)
        console.error(`\nKept ${untainted.join(', ')} for the next deploy to update in place (untainted).`);
    }
    if (flux && problems && problems.length > 0) report(flux, problems);
    if (code !== 0) return code;
    if (problems && problems.length > 0) return 1;
  }
  return 0;
}
