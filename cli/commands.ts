// The commands of the `cdktf-flux` executable, which an app that installs the package runs in its
// own folder (where its cdktf.json is), beside cdktf: `npx cdktf-flux deploy|review|manifests-lock`.
// In this repository `npm run deploy`, `npm run review` and `npm run manifests:lock` are the same
// commands, run from the sources. Each command's module is loaded only when it runs, so `--help`
// and the lock load nothing of the cluster client.

/**
 * GOGC for OpenTofu and the providers, unless GOGC is set already: short-lived Go processes that
 * spend much of their time collecting garbage (a first deploy ~15% faster, a review ~20%, on 2
 * cores, for ~330 MB more memory at the peak).
 */
export const GOGC_DEFAULT = '400';

interface Command {
  /** The arguments, as the usage line shows them. */
  readonly args: string;
  readonly summary: string;
  readonly run: (args: string[]) => Promise<number>;
}

export const COMMANDS: Record<string, Command> = {
  deploy: {
    args: '[--auto-approve] [--var name=value]... [--var-file file]... <stack>...',
    summary:
      "synthesizes the app (cdktf.json's app), applies the stacks with OpenTofu in the order of their " +
      'dependencies, taking over what an interrupted run left, and confirms that Flux syncs',
    run: async (args) => {
      process.env.GOGC ??= GOGC_DEFAULT;
      // The checks for a newer cdktf or OpenTofu that the app and OpenTofu would make on every run.
      process.env.DISABLE_VERSION_CHECK ??= 'true';
      process.env.CHECKPOINT_DISABLE ??= '1';
      return (await import('./deploy')).deploy(args);
    },
  },
  review: {
    args: '<stack> [<plan.json> | -]',
    summary:
      'plans a synthesized stack as deploy would apply it (or reads a plan in JSON) and prints a Markdown ' +
      'summary, warnings first; exit code 2 when there are warnings',
    run: async (args) => {
      process.env.GOGC ??= GOGC_DEFAULT;
      return (await import('./review')).review(args);
    },
  },
  'manifests-lock': {
    args: '<version (v2.9.4) | url | file>...',
    summary:
      "pins Flux install manifests by sha256 in the app's flux-manifests.lock.json (or FLUX_MANIFESTS_LOCK); a " +
      'version downloads the release, verifies it against its checksums and caches it',
    run: async (args) => (await import('./manifests-lock')).manifestsLock(args),
  },
};

/** Text in lines of at most 100 characters, each indented. */
function wrap(text: string, indent: string): string {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + word.length < 100) lines[last] += ` ${word}`;
    else lines.push(`${indent}${word}`);
  }
  return lines.join('\n');
}

/** One command's usage line. */
export function usageOf(name: string): string {
  return `usage: cdktf-flux ${name} ${COMMANDS[name].args}`;
}

export const USAGE = [
  'usage: cdktf-flux <command> [<args>]',
  '',
  "Run it in the app's folder, where its cdktf.json is.",
  '',
  'commands:',
  ...Object.entries(COMMANDS).flatMap(([name, command]) => [
    `  ${name} ${command.args}`,
    wrap(command.summary, '      '),
  ]),
  '',
  'cdktf-flux <command> --help prints the usage of one command.',
].join('\n');

const HELP = ['--help', '-h', 'help'];

/** Runs `cdktf-flux <command> [<args>]`; returns the exit code. */
export async function runCommand(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name !== undefined && HELP.includes(name)) {
    console.log(USAGE);
    return 0;
  }
  if (name === undefined || !Object.hasOwn(COMMANDS, name)) {
    console.error(`${name === undefined ? '' : `cdktf-flux: ${name} is not a command\n`}${USAGE}`);
    return 1;
  }
  if (args.length === 1 && HELP.includes(args[0])) {
    console.log(`${usageOf(name)}\n${wrap(COMMANDS[name].summary, '  ')}`);
    return 0;
  }
  return COMMANDS[name].run(args);
}
