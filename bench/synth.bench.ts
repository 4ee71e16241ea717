// npm run bench: wall time and peak memory of synthesizing 1, 3, 10 and 20 environments, beside
// the floor (an empty CDKTF app synthesized the same way), each in a fresh process, in one run;
// then the README's `npm run synth` of main.ts beside the app alone (`node --import tsx main.ts`)
// and `cdktf synth`, interleaved the same way.
// Targets: one environment at most 2x the floor; twenty at most 5x one; npm run synth at most 1.5x
// the app alone.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const script = join(__dirname, 'synth-app.ts');
const env = {
  ...process.env,
  FLUX_MANIFESTS_DIR: process.env.FLUX_MANIFESTS_DIR ?? join(__dirname, '..', '..', 'shared', 'flux-manifests'),
};

interface Figures {
  readonly wallMs: number;
  readonly maxRssMb: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Runs every case once per round, round after round, so that drift in the machine's speed spreads
 * over all cases alike.
 */
function measure(cases: number[]): Map<number, Figures> {
  const walls = new Map(cases.map((c) => [c, [] as number[]]));
  const rss = new Map(cases.map((c) => [c, [] as number[]]));
  for (let i = 0; i < runs; i++) {
    for (const environments of cases) {
      const start = performance.now();
      const output = execFileSync(process.execPath, ['--import', 'tsx', script, String(environments)], {
        env,
        encoding: 'utf8',
      });
      walls.get(environments)!.push(performance.now() - start);
      rss.get(environments)!.push(JSON.parse(output).maxRssKb / 1024);
    }
  }
  return new Map(cases.map((c) => [c, { wallMs: median(walls.get(c)!), maxRssMb: median(rss.get(c)!) }]));
}

/** Median wall time of each command, run from the repository's root, rounds interleaved. */
function measureCommands(commands: Record<string, string[]>): Record<string, number> {
  const outdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-bench-synth-'));
  const root = join(__dirname, '..');
  const walls: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((c) => [c, []]));
  try {
    for (let i = 0; i < runs; i++) {
      for (const [name, [command, ...args]] of Object.entries(commands)) {
        const start = performance.now();
        execFileSync(command, args, { cwd: root, env: { ...env, CDKTF_OUTDIR: outdir }, stdio: 'ignore' });
        walls[name].push(performance.now() - start);
      }
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  return Object.fromEntries(Object.entries(walls).map(([name, values]) => [name, median(values)]));
}

const figures = measure([0, 1, 3, 10, 20]);
const [floor, one, three, ten, twenty] = [0, 1, 3, 10, 20].map((n) => figures.get(n)!);

const row = (name: string, f: Figures, ratio: string) =>
  `${name.padEnd(22)} ${f.wallMs.toFixed(0).padStart(8)} ms ${f.maxRssMb.toFixed(0).padStart(7)} MiB   ${ratio}`;
console.log(
  `synth benchmark, median of ${runs} interleaved runs each, fresh process per run (node ${process.version})`,
);
console.log(`${'case'.padEnd(22)} ${'wall'.padStart(11)} ${'peak RSS'.padStart(11)}   ratio (target)`);
console.log(row('floor (empty app)', floor, ''));
console.log(row('1 environment', one, `${(one.wallMs / floor.wallMs).toFixed(2)}x floor (<= 2x)`));
console.log(row('3 environments', three, `${(three.wallMs / one.wallMs).toFixed(2)}x one`));
console.log(row('10 environments', ten, `${(ten.wallMs / one.wallMs).toFixed(2)}x one`));
console.log(row('20 environments', twenty, `${(twenty.wallMs / one.wallMs).toFixed(2)}x one (<= 5x)`));
const synth = measureCommands({
  'the app alone': [process.execPath, '--import', 'tsx', 'main.ts'],
  'npm run synth': ['npm', 'run', '--silent', 'synth'],
  'cdktf synth': [join(__dirname, '..', 'node_modules', '.bin', 'cdktf'), 'synth'],
});
const alone = synth['the app alone'];
for (const [name, ms] of Object.entries(synth)) {
  const ratio = name === 'the app alone' ? '' : `${(ms / alone).toFixed(2)}x the app alone`;
  const target = name === 'npm run synth' ? ' (<= 1.5x)' : '';
  console.log(`${name.padEnd(22)} ${ms.toFixed(0).padStart(8)} ms${' '.repeat(15)}${ratio}${target}`);
}
const perEnvironment = (twenty.wallMs - one.wallMs) / 19;
console.log(
  `marginal cost per further environment: ${perEnvironment.toFixed(0)} ms, ` +
    `${((twenty.maxRssMb - one.maxRssMb) / 19).toFixed(1)} MiB`,
);
