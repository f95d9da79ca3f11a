/**
 * `npm run bench:verify [-- --n 200 --rounds 3 --before <checkout> --jobs 1,2 --sources temporal,archive]`: how fast
 * `ovop audit verify` replays a cycle, reading the histories from Temporal and from the history archive (the closed
 * runs are archived once the cycle is filled). Fills a cycle of N nominations on its own embedded stack (the throughput bench's drivers, with a workflow
 * cache so that filling is quick; the histories are the same), then runs the CLI as a user would, in a child process,
 * round after round: this checkout once per `--jobs` value and, with `--before`, another checkout's CLI (the code
 * before a change) in the same rounds, the order alternating. Reports histories per second (runs replayed over the
 * command's wall time, bundling and start-up included) and writes results/<date>-verify-<n>.json.
 */
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { Command } from 'commander';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack } from '../../embedded/stack';
import { bootstrap } from '../../worker/bootstrap';
import { nonNegative, parseOptions } from '../shared/args';
import { benchConfig } from '../shared/config';
import { writeResult } from '../shared/report';
import { median } from '../shared/stats';
import { parseArgs } from '../throughput/args';
import { runOurs } from '../throughput/ours';
import { archiveClosedRuns } from '../../common/history-archiver';

const HERE = fileURLToPath(new URL('../..', import.meta.url));
const log = (msg: string) => console.log(`[bench:verify ${new Date().toISOString().slice(11, 19)}] ${msg}`);

interface Side {
  label: string;
  checkout: string;
  args: string[];
  rates: number[];
  seconds: number[];
  /** The CLI's own CPU (all its threads) per history replayed: what the machine's load does not change much. */
  cpuMsPerHistory: number[];
}

/** CPU seconds of this process's children that have ended (a CLI run once it exits), from /proc; 0 off Linux. */
function endedChildrenCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[13]) + Number(rest[14])) / 100;
  } catch {
    return 0;
  }
}

function runCli(checkout: string, args: string[], env: NodeJS.ProcessEnv) {
  const t0 = performance.now();
  const cpu0 = endedChildrenCpuSeconds();
  return new Promise<{ code: number; stdout: string; stderr: string; seconds: number; cpuSeconds: number }>((done) => {
    execFile(
      process.execPath,
      [join(checkout, 'bin', 'ovop.js'), ...args],
      { cwd: checkout, env, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) =>
        done({
          code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
          stdout,
          stderr,
          seconds: (performance.now() - t0) / 1000,
          cpuSeconds: endedChildrenCpuSeconds() - cpu0,
        }),
    );
  });
}

async function main(): Promise<void> {
  const o = parseOptions<{
    n: number;
    rounds: number;
    before?: string;
    jobs: string;
    sources: string;
    verdicts: string;
  }>(
    new Command('bench:verify')
      .option('--n <count>', 'nominations in the cycle', nonNegative, 200)
      .option('--rounds <count>', 'rounds, each running every side once', nonNegative, 3)
      .option(
        '--before <checkout>',
        'another checkout whose CLI runs in the same rounds (e.g. the code before a change)',
      )
      .option('--jobs <list>', "this checkout's --jobs values, comma-separated (empty: its default)", '')
      .option('--sources <list>', "this checkout's --source values, comma-separated", 'temporal,archive')
      .option(
        '--verdicts <list>',
        'replay-all (every run replayed, --replay-all) and/or stored (verdicts kept per run and bundle reused)',
        'replay-all,stored',
      ),
  );
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
  });
  const sides: Side[] = (o.jobs ? o.jobs.split(',') : ['']).flatMap((j) =>
    o.sources.split(',').flatMap((source) =>
      o.verdicts.split(',').map((verdicts) => ({
        label: `this checkout, --source ${source}${j ? `, --jobs ${j}` : ''}, ${verdicts}`,
        checkout: HERE,
        args: ['--source', source, ...(j ? ['--jobs', j] : []), ...(verdicts === 'replay-all' ? ['--replay-all'] : [])],
        rates: [],
        seconds: [],
        cpuMsPerHistory: [],
      })),
    ),
  );
  if (o.before) {
    const checkout = resolve(o.before);
    if (!existsSync(join(checkout, 'bin', 'ovop.js'))) throw new Error(`${o.before} has no bin/ovop.js`);
    sides.unshift({ label: `before (${o.before})`, checkout, args: [], rates: [], seconds: [], cpuMsPerHistory: [] });
  }

  const stateDir = mkdtempSync(join(tmpdir(), 'ovop-bench-verify-'));
  const stack = await startStack({ stateDir, persistent: true, headless: true });
  const deps = await bootstrap({ temporal: stack.temporal, databaseUrl: stack.databaseUrl, smtpUrl: stack.smtpUrl });
  try {
    // Few nominations in flight: the fill is not measured, and it must not fail on a busy machine.
    const args = parseArgs(['--n', String(o.n), '--max-cached', '1000', '--concurrency', '10', '--no-baseline']);
    const config = benchConfig({ deadlineScale: args.deadlineScale, intakeWindow: '12h' });
    log(`filling cycle ${config.id} with ${o.n} nominations`);
    const filled = await runOurs({
      args,
      config,
      temporal: stack.temporal,
      client: deps.client,
      db: deps.db,
      mailer: deps.mailer,
      embeddedPostgres: stack.embedded.postgres,
      onProgress: (done) => done % Math.max(1, Math.floor(o.n / 5)) === 0 && log(`filled ${done}/${o.n}`),
    });
    log(`filled: ${filled.completed} nominations in ${filled.wallSeconds.toFixed(0)} s; archiving`);
    const archived = await archiveClosedRuns(deps.client, deps.db);
    log(`archived ${archived.archived} closed runs; verifying`);
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: stack.temporal.address,
      TEMPORAL_NAMESPACE: stack.temporal.namespace,
      FORCE_COLOR: '0',
    };
    let replayed = 0;
    for (let round = 0; round < o.rounds; round++) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const r = await runCli(side.checkout, ['--json', 'audit', 'verify', config.id, ...side.args], {
          ...env,
          DATABASE_URL: stack.databaseUrl,
        });
        if (r.code !== 0) throw new Error(`${side.label}: exit ${r.code}: ${r.stderr.slice(0, 2000)}`);
        const out = JSON.parse(r.stdout) as { replayed: number; failed: number };
        replayed = out.replayed;
        side.seconds.push(r.seconds);
        side.rates.push(out.replayed / r.seconds);
        side.cpuMsPerHistory.push((r.cpuSeconds * 1000) / out.replayed);
        log(
          `round ${round + 1}: ${side.label}: ${out.replayed} runs in ${r.seconds.toFixed(1)} s, ${(out.replayed / r.seconds).toFixed(1)} per second, CPU ${r.cpuSeconds.toFixed(1)} s (load ${loadavg()[0].toFixed(1)})`,
        );
      }
    }
    const round1 = (x: number) => Math.round(x * 10) / 10;
    const result = {
      date: new Date().toISOString(),
      n: o.n,
      cycleId: config.id,
      runsReplayed: replayed,
      rounds: o.rounds,
      load: loadavg().map(round1),
      sides: sides.map((s) => ({
        label: s.label,
        args: s.args,
        historiesPerSecond: { median: round1(median(s.rates)), all: s.rates.map(round1) },
        seconds: s.seconds.map(round1),
        cliCpuMsPerHistory: { median: round1(median(s.cpuMsPerHistory)), all: s.cpuMsPerHistory.map(round1) },
      })),
    };
    console.log(`\naudit verify of ${replayed} runs (${o.n} nominations and the cycle), median of ${o.rounds}:`);
    for (const s of result.sides)
      console.log(
        `  ${s.label.padEnd(36)} ${s.historiesPerSecond.median} per second (${s.historiesPerSecond.all.join(', ')}); CLI CPU ${s.cliCpuMsPerHistory.median} ms per history`,
      );
    console.log(`Result written to ${writeResult(`verify-${o.n}`, result)}`);
  } finally {
    await deps.close();
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench:verify failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
