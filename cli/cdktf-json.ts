// What the commands read of the app's cdktf.json, in the folder they run in, as the cdktf CLI reads
// it: the command that runs the app (`app`) and the folder the app writes (`output`).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const FILE = 'cdktf.json';

export interface CdktfJson {
  /** The command that synthesizes the app, run with a shell in the app's folder. */
  readonly app?: string;
  /** The folder the app writes its stacks into: cdktf.json's `output`, else cdktf.out. */
  readonly outdir: string;
}

/** The cdktf.json of the app in the working directory; only the defaults when there is none. */
export function readCdktfJson(): CdktfJson {
  if (!existsSync(FILE)) return { outdir: 'cdktf.out' };
  let json: { app?: unknown; output?: unknown };
  try {
    json = JSON.parse(readFileSync(FILE, 'utf8')) as typeof json;
  } catch (error) {
    throw new Error(`${resolve(FILE)} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  return {
    app: typeof json.app === 'string' && json.app.trim() ? json.app : undefined,
    outdir: typeof json.output === 'string' && json.output ? json.output : 'cdktf.out',
  };
}

/** The app's command, or why there is none to run. */
export function appCommand(config: CdktfJson, command: string): string {
  if (!existsSync(FILE))
    throw new Error(
      `there is no cdktf.json in ${process.cwd()}: run ${command} in the app's folder, where cdktf.json names the ` +
        `command that runs the app`,
    );
  if (!config.app) throw new Error(`${resolve(FILE)} has no "app": the command that runs the app`);
  return config.app;
}
