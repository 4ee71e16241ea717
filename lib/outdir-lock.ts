import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

// Two synths into one cdktf.out (two terminals, CI jobs sharing a checkout) would delete each
// other's files half-way: one run's `cdk.tf.json` gone under the other's deploy. A lock file
// holding the writer's pid makes the second wait; a lock whose process is gone is taken over.
// cdktf-flux deploy holds it from its synth to its last apply, which reads the files, and names
// itself to the app it runs in OUTDIR_LOCK_HOLDER.

const LOCK_FILE = '.synth.lock';

/** The variable a process holding the lock sets for the children it runs, which may then write. */
export const OUTDIR_LOCK_HOLDER = 'CDKTF_FLUX_OUTDIR_LOCK_HOLDER';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Takes the output folder's lock for this process, waiting up to `timeoutMs` for another synth to
 * finish; returns the function that releases it (also released when the process exits).
 */
export function lockOutdir(outdir: string, timeoutMs = 120_000, run = 'synth'): () => void {
  mkdirSync(outdir, { recursive: true });
  const file = join(outdir, LOCK_FILE);
  const deadline = Date.now() + timeoutMs;
  let waited = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid} ${run}`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      // Released between our attempt and this read: try again.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const [pid, ...holding] = text.trim().split(' ');
    const holder = Number(pid || 0);
    const other = holding.join(' ') || 'synth';
    // Held by this process already (runApp around synthApp), or by the deploy that runs it: the
    // outer holder releases it.
    if (holder === process.pid || (holder && String(holder) === process.env[OUTDIR_LOCK_HOLDER]))
      return () => undefined;
    if (holder && !alive(holder)) {
      // Left by a run that was killed: nobody is writing.
      rmSync(file, { force: true });
      continue;
    }
    // No pid yet: the other run has just created the file and is writing its pid; wait for it.
    // Still none at the deadline: a run killed between the two, so nobody is writing.
    if (Date.now() >= deadline && !holder) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `${outdir} is in use by another ${other} (process ${holder}) for over ${timeoutMs / 1000} s; wait for ` +
          `it to finish, or stop it (kill ${holder}), then run again`,
      );
    }
    if (holder && !waited) console.error(`Waiting for the ${other} of process ${holder} to finish with ${outdir}...`);
    waited ||= Boolean(holder);
    sleep(100);
  }
  const release = () => {
    process.off('exit', release);
    try {
      if (readFileSync(file, 'utf8').split(' ')[0] === String(process.pid)) rmSync(file, { force: true });
    } catch {
      // Gone already.
    }
  };
  process.on('exit', release);
  return release;
}
