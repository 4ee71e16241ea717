import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { MANIFEST_FOLDER } from '../constructs/manifest-resource';
import { lockOutdir } from '../lib/outdir-lock';

/**
 * Removes what an earlier synth left that a deploy could pick up (`manifest.json`, every
 * `cdk.tf.json` and the object manifests beside it), before a synth and after one that failed at
 * any stage; providers and state are kept.
 */
export function discardOutput(outdir: string): void {
  rmSync(join(outdir, 'manifest.json'), { force: true });
  const stacks = join(outdir, 'stacks');
  if (!existsSync(stacks)) return;
  for (const stack of readdirSync(stacks)) {
    rmSync(join(stacks, stack, 'cdk.tf.json'), { force: true });
    rmSync(join(stacks, stack, MANIFEST_FOLDER), { recursive: true, force: true });
  }
}

/**
 * State that an earlier version kept under cdktf.out (the local backend's path was relative to
 * the stack's folder), where synth deletes it with the stack: refused until it is moved.
 */
function stateUnderOutdir(outdir: string): string[] {
  const stacks = join(outdir, 'stacks');
  if (!existsSync(stacks)) return [];
  return readdirSync(stacks).flatMap((stack) =>
    readdirSync(join(stacks, stack))
      .filter((file) => /^terraform\..+\.tfstate$/.test(file))
      .map((file) => join(stacks, stack, file)),
  );
}

/**
 * Validates every stack, then synthesizes, one synth at a time per output folder (a second synth
 * into the same folder waits up to 2 minutes). cdktf's own synth writes stack by stack and checks
 * each as it goes, so a problem in the second stack would leave the first written; here nothing
 * is written unless the whole app is valid, and a stale manifest from an earlier run is removed so
 * that no later step (deploy --skip-synth) mistakes it for this run's output. Throws every
 * validation error at once, and refuses state an earlier version kept under the output folder,
 * with the `mv` that moves it.
 * @param app - the app, synthesized into its `outdir`
 */
export function synthApp(app: App): void {
  const release = lockOutdir(app.outdir);
  try {
    synthLocked(app);
  } finally {
    release();
  }
}

function synthLocked(app: App): void {
  const misplaced = stateUnderOutdir(app.outdir);
  if (misplaced.length > 0) {
    const project = relative(process.cwd(), join(app.outdir, '..')) || '.';
    const moves = misplaced.map((file) => `mv ${relative(process.cwd(), file)} ${project}/`);
    throw new Error(
      `state found under ${app.outdir}, where synth deletes a stack's folder with everything in it; the local ` +
        `backend now keeps ` +
        `state in the project directory. Move it there before anything else:\n  ${moves.join('\n  ')}`,
    );
  }
  app.node
    .findAll()
    .filter(TerraformStack.isStack)
    .forEach((stack) => stack.prepareStack());
  const errors = app.node.findAll().flatMap((construct) => construct.node.validate());
  if (errors.length > 0) {
    discardOutput(app.outdir);
    throw new Error(`Validation failed:\n  ${errors.join('\n  ')}`);
  }
  // An object no longer declared must not leave its manifest file behind.
  discardOutput(app.outdir);
  app.synth();
}

/**
 * The app's entry point: builds the environments into a new App and synthesizes it; whatever
 * stage fails, leaves nothing a later `deploy --skip-synth` could mistake for this run's output,
 * prints the error and exits 1.
 * @param build - adds the environments (and any stacks of the app's own) to the app, such as
 * `async (app) => { await addFluxEnvironment(app, dev); }`
 */
export function runApp(build: (app: App) => Promise<void>): void {
  const app = new App();
  let release = () => undefined as void;
  Promise.resolve()
    .then(() => {
      // Held from the start: a failed run discards output, which must not be another run's.
      release = lockOutdir(app.outdir);
      return build(app);
    })
    .then(() => synthApp(app))
    .then(release)
    .catch((error: Error) => {
      discardOutput(app.outdir);
      release();
      console.error(error.message);
      process.exit(1);
    });
}
