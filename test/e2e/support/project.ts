import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GOGC_DEFAULT } from '../../../cli/commands';
import { EnvironmentSettings } from '../../../settings';
import type { NotificationObjects, RawManifest } from './app';
import { TOOLCHAIN_BIN } from './kubectl';

const root = join(__dirname, '..', '..', '..');

const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;

/**
 * The GOGC package.json's diff and destroy scripts give OpenTofu and the providers (unless GOGC is
 * set already), as cdktf-flux deploy and review do (cli/commands.ts), so that the suite and the
 * benchmark run them as a user does.
 */
export const SCRIPT_GOGC = /GOGC=\$\{GOGC:-(\d+)\}/.exec(scripts.diff)?.[1];
if (SCRIPT_GOGC !== GOGC_DEFAULT)
  throw new Error(
    `package.json: the diff script sets GOGC=\${GOGC:-${SCRIPT_GOGC}}, cdktf-flux deploy sets ${GOGC_DEFAULT}`,
  );

const alone = (stacks: string[]) => (stacks.length === 1 ? ['--ignore-missing-stack-dependencies'] : []);

export interface CommandResult {
  readonly ok: boolean;
  /** The exit code: 0 when ok. */
  readonly code: number;
  readonly output: string;
  readonly seconds: number;
}

/**
 * A cdktf project in a folder of its own, deploying test/e2e/support/app.ts with the real cdktf
 * CLI and OpenTofu, as a user runs the README's commands.
 */
export class CdktfProject {
  public readonly dir: string;
  private settings: EnvironmentSettings[] = [];
  private raw: RawManifest[] = [];
  private notify: NotificationObjects | null = null;
  private readonly appCommand: string;

  constructor(
    dir: string,
    private readonly env: Record<string, string>,
  ) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    // As this repository's cdktf.json runs main.ts, with tsx resolved from this checkout.
    const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    this.appCommand = `${process.execPath} --import ${tsx} ${join(__dirname, 'app.ts')}`;
    writeFileSync(
      join(dir, 'cdktf.json'),
      JSON.stringify({
        language: 'typescript',
        app: this.appCommand,
        terraformProviders: [],
        sendCrashReports: 'false',
      }),
    );
  }

  /** The environments the next command synthesizes, and raw objects for the first sync stack. */
  public use(settings: EnvironmentSettings[], raw: RawManifest[] = []): this {
    this.settings = settings;
    this.raw = raw;
    this.notify = null;
    return this;
  }

  /** Notification objects the first sync stack also deploys, after `use` (which drops them). */
  public withNotifications(notify: NotificationObjects): this {
    this.notify = notify;
    return this;
  }

  /** The app alone, as cdktf.json runs it, without the cdktf CLI: what npm run synth does. */
  public app(): Promise<CommandResult> {
    return this.run('/bin/sh', ['-c', this.appCommand], this.dir, {});
  }

  public cdktf(args: string[], extraEnv: Record<string, string> = {}): Promise<CommandResult> {
    return this.run(join(root, 'node_modules', '.bin', 'cdktf'), args, this.dir, extraEnv);
  }

  /**
   * OpenTofu itself in a stack's synthesized folder, after a cdktf command prepared it. cdktf
   * sometimes exits before it has printed the error OpenTofu reported; this shows it every time.
   */
  public tofu(stack: string, args: string[], extraEnv: Record<string, string> = {}): Promise<CommandResult> {
    return this.run(join(TOOLCHAIN_BIN, 'tofu'), [...args, '-no-color'], join(this.dir, 'cdktf.out', 'stacks', stack), {
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      ...extraEnv,
    });
  }

  private environment(extraEnv: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      TERRAFORM_BINARY_NAME: join(TOOLCHAIN_BIN, 'tofu'),
      CHECKPOINT_DISABLE: '1',
      DISABLE_VERSION_CHECK: 'true',
      CI: 'true',
      FORCE_COLOR: '0',
      NO_COLOR: '1',
      CDKTF_FLUX_E2E_SETTINGS: JSON.stringify(this.settings),
      CDKTF_FLUX_E2E_RAW: JSON.stringify(this.raw),
      CDKTF_FLUX_E2E_NOTIFY: JSON.stringify(this.notify),
      GOGC: SCRIPT_GOGC,
      ...this.env,
      ...extraEnv,
    };
  }

  private run(command: string, args: string[], cwd: string, extraEnv: Record<string, string>): Promise<CommandResult> {
    const start = Date.now();
    const env = this.environment(extraEnv);
    return new Promise((resolve) => {
      execFile(command, args, { cwd, env, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        // Strip the colour codes tofu prints, so assertions read plain text.
        const output = `${stdout}${stderr}`.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ ok: !error, code, output, seconds: (Date.now() - start) / 1000 });
      });
    });
  }

  /**
   * The README's deploy: `cdktf deploy --skip-provider-lock --auto-approve <stacks>`. One stack
   * alone also takes `--ignore-missing-stack-dependencies`; never more than one, since with that
   * flag cdktf no longer orders the stacks and plans the sync stack before the CRDs exist.
   */
  public deploy(stacks: string[], extraEnv?: Record<string, string>): Promise<CommandResult> {
    return this.cdktf(['deploy', '--skip-provider-lock', ...alone(stacks), '--auto-approve', ...stacks], extraEnv);
  }

  /** `npm run review -- <stack>`, in the project's folder: plans the synthesized stack and summarizes it. */
  public review(stack: string, extraEnv?: Record<string, string>): Promise<CommandResult> {
    return this.script('review', [stack], { TF_IN_AUTOMATION: '1', ...extraEnv });
  }

  /**
   * `npm run deploy -- --auto-approve <stacks>`: cdktf deploy, then the confirmation that Flux
   * syncs (cli/deploy.ts), with this checkout's cdktf on PATH as npm puts it there.
   */
  public npmDeploy(stacks: string[], extraEnv?: Record<string, string>): Promise<CommandResult> {
    return this.script('deploy', [...alone(stacks), '--auto-approve', ...stacks], {
      PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}`,
      ...extraEnv,
    });
  }

  /**
   * `npm run deploy -- --auto-approve <stacks>` in a process group of its own, as a terminal runs
   * it, sent `signal` to the whole group once its output matches `when`: SIGINT is a terminal's
   * Ctrl-C, SIGKILL a machine that died.
   */
  public npmDeployInterrupted(
    stacks: string[],
    when: RegExp | ((output: string) => boolean),
    signal: NodeJS.Signals = 'SIGINT',
  ): Promise<CommandResult & { interrupted: boolean }> {
    return this.npmDeployWatched(stacks, when, (group) => process.kill(-group, signal));
  }

  /**
   * `npm run deploy -- --auto-approve <stacks>` in a process group of its own, calling `act` with
   * the group's id once its output matches `when` (`interrupted` says whether it did).
   */
  public npmDeployWatched(
    stacks: string[],
    when: RegExp | ((output: string) => boolean),
    act: (group: number) => void,
  ): Promise<CommandResult & { interrupted: boolean }> {
    const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const args = [
      ...['--import', tsx, join(root, 'cli', 'cdktf-flux.ts'), 'deploy'],
      ...[...alone(stacks), '--auto-approve', ...stacks],
    ];
    const start = Date.now();
    const child = spawn(process.execPath, args, {
      cwd: this.dir,
      env: { ...this.environment(), PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}` },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let interrupted = false;
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (!interrupted && (typeof when === 'function' ? when(output) : when.test(output))) {
        interrupted = true;
        act(child.pid!);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    return new Promise((resolve) =>
      child.once('close', (code) =>
        resolve({ ok: code === 0, code: code ?? 1, output, seconds: (Date.now() - start) / 1000, interrupted }),
      ),
    );
  }

  /** A command of cdktf-flux as its npm script runs it (node --import tsx), tsx resolved from this checkout. */
  private script(command: string, args: string[], extraEnv: Record<string, string>): Promise<CommandResult> {
    const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const cli = join(root, 'cli', 'cdktf-flux.ts');
    return this.run(process.execPath, ['--import', tsx, cli, command, ...args], this.dir, extraEnv);
  }

  public diff(stack: string, extraEnv?: Record<string, string>): Promise<CommandResult> {
    return this.cdktf(['diff', '--skip-provider-lock', stack], extraEnv);
  }

  public destroy(stacks: string[], extraEnv?: Record<string, string>): Promise<CommandResult> {
    return this.cdktf(['destroy', '--skip-provider-lock', ...alone(stacks), '--auto-approve', ...stacks], extraEnv);
  }
}
