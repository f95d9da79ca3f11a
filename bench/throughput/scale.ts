/**
 * `npm run bench -- --scale [100,10000]`: the same bench at two sizes (no baseline), each in a process of its own and on
 * a fresh stack, and the cost per nomination at each: wall time, CPU of the bench process (worker and actors) and of the
 * dev server, PostgreSQL commits. The goal: cost per nomination at the larger size within 1.2x of the smaller.
 * Writes bench/results/<date>-scale-<a>-<b>.json, and each size's own result as <date>-scale-<n>.json.
 */
import { spawn } from 'node:child_process';
import { readFileSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printTable, writeResult } from '../shared/report';

interface SizeCost {
  n: number;
  completed: number;
  wallSecondsPerNomination: number;
  cpuSecondsPerNomination: { benchProcess: number; devServer: number | null; total: number };
  pgCommitsPerNomination: number | null;
  /** The workflow cache the size's worker ran with, and why (the engine decides unless `--max-cached` is passed on). */
  workflowCache: { size: number; reason: string } | null;
  result: string;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Sizes from `--scale` (comma-separated, two of them), and the other bench options, passed on unchanged. */
export function parseScale(argv: string[]): { sizes: [number, number]; rest: string[] } {
  const at = argv.indexOf('--scale');
  const value = argv[at + 1] && !argv[at + 1].startsWith('--') ? argv[at + 1] : '100,10000';
  const sizes = value.split(',').map(Number);
  if (sizes.length !== 2 || sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`--scale takes two sizes such as 100,10000, not "${value}"`);
  const rest = argv.filter((a, i) => i !== at && !(i === at + 1 && a === value) && a !== '--no-baseline');
  if (rest.includes('--n')) throw new Error('--scale sets the sizes itself; leave out --n');
  return { sizes: sizes as [number, number], rest };
}

function runSize(n: number, rest: string[]): Promise<string> {
  const runScript = fileURLToPath(new URL('./main.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    // The same Node with the same loader (tsx) as this process.
    const child = spawn(
      process.execPath,
      [...process.execArgv, runScript, '--n', String(n), '--no-baseline', ...rest],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let path = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      process.stdout.write(chunk.replace(/^(?=.)/gm, `[n=${n}] `));
      path = /Result written to (.+\.json)/.exec(chunk)?.[1] ?? path;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 && path ? resolve(path) : reject(new Error(`the bench at n=${n} ended with exit code ${code}`)),
    );
  });
}

function costOf(path: string): SizeCost {
  const r = JSON.parse(readFileSync(path, 'utf8'));
  const done = r.ours.completed as number;
  const bench = r.ours.cpuSeconds.benchProcess as number;
  const server = r.ours.cpuSeconds.childProcesses as number | null;
  return {
    n: r.args.n,
    completed: done,
    wallSecondsPerNomination: round(r.ours.wallSeconds / done),
    cpuSecondsPerNomination: {
      benchProcess: round(bench / done),
      devServer: server === null ? null : round(server / done),
      total: round((bench + (server ?? 0)) / done),
    },
    pgCommitsPerNomination: r.ours.postgres?.commitsPerNomination ?? null,
    workflowCache: r.ours.workflowCache ?? null,
    result: path,
  };
}

export async function runScale(argv: string[]): Promise<void> {
  const { sizes, rest } = parseScale(argv);
  const costs: SizeCost[] = [];
  for (const n of sizes) {
    // Each size's own result is kept beside the scale result, not over a plain run's <date>-<n>.json.
    const written = await runSize(n, rest);
    const kept = written.replace(/-(\d+)\.json$/, '-scale-$1.json');
    renameSync(written, kept);
    costs.push(costOf(kept));
  }
  const [small, large] = costs;
  const ratio = round(large.cpuSecondsPerNomination.total / small.cpuSecondsPerNomination.total);
  const path = writeResult(`scale-${sizes.join('-')}`, {
    date: new Date().toISOString(),
    sizes,
    costs,
    cpuCostRatio: ratio,
    goal: 'cpuCostRatio <= 1.2',
  });
  console.log('');
  printTable(
    [
      ['completed', small.completed, large.completed],
      ['wall s per nomination', small.wallSecondsPerNomination, large.wallSecondsPerNomination],
      [
        'CPU s per nomination: bench process',
        small.cpuSecondsPerNomination.benchProcess,
        large.cpuSecondsPerNomination.benchProcess,
      ],
      [
        'CPU s per nomination: dev server',
        small.cpuSecondsPerNomination.devServer,
        large.cpuSecondsPerNomination.devServer,
      ],
      ['CPU s per nomination: total', small.cpuSecondsPerNomination.total, large.cpuSecondsPerNomination.total],
      ['PG commits per nomination', small.pgCommitsPerNomination, large.pgCommitsPerNomination],
      ['workflow cache (workflows)', small.workflowCache?.size, large.workflowCache?.size],
    ],
    ['cost', `n = ${small.n}`, `n = ${large.n}`],
  );
  for (const c of costs)
    console.log(`n = ${c.n}: workflow cache ${c.workflowCache?.size} — ${c.workflowCache?.reason}`);
  console.log(`\ncost per nomination at n=${large.n} / n=${small.n} (total CPU): ${ratio}; goal ≤ 1.2`);
  console.log(`Result written to ${path}`);
}
