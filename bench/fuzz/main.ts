/**
 * `npm run fuzz [-- --n 1000 --seed 20261127 --csv-share 0.25 --only <regex> --skip-known --event-log-attacks 20 --edited-exports 6]`: sends N generated invalid inputs to the engine on its
 * own embedded stack (Temporal dev server, PGlite or DATABASE_URL, SMTP sink) — updates to live nominations in every
 * stage, nominations to award cycles, and CSV rows through `ovop nominate` — and checks that each is refused with a
 * clear message naming the defect the case carries, leaves the history as it was and no workflow task failure, and
 * writes no row in any table; and that the base input of the cases, without a defect, is accepted (the controls).
 * Cases come from cases.ts (seeded), are sent by runner.ts, and a slice of them runs in npm test
 * (test/integration/fuzz.test.ts).
 *
 * Then the integrity attacks (integrity-run.ts, #15 item 8): IKM name spellings and forged previous-stars claims
 * through the API, an override without a second coordinator, direct statements on the event log, edited exports.
 *
 * Prints counts per category and per update, per integrity attack (sent, refused, got through), every case and attack
 * that broke the promise, and the lines
 *   integrity attacks I, refused R, got through G
 *   cases N, refused R, accepted A, history grown H, task failures F, rows written W
 * Exits 1 unless A, H, F, W and G are 0, every refusal was clear and named its defect, no case hit another error, and
 * every control was accepted.
 */
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { Command } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap } from '../../worker/bootstrap';
import { createWorker } from '../../worker/create-worker';
import { startStack } from '../../embedded/stack';
import { nonNegative as num, parseOptions } from '../shared/args';
import {
  CATEGORIES,
  CSV_CATEGORIES,
  type CsvCase,
  gapOf,
  generateCsvCases,
  generateUpdateCases,
  KNOWN_ENGINE_GAPS,
  UPDATE_NAMES,
  type UpdateCase,
} from './cases';
import { INTEGRITY_ATTACKS, type IntegrityOutcome, runIntegrityAttacks } from './integrity-run';
import {
  type CsvOutcome,
  describeViolation,
  isViolation,
  openCsvCycle,
  rowsOfWorkflow,
  runCsvCases,
  startCsvApi,
  runInLanes,
  setUpTargets,
  sqlControlRows,
  terminateRunning,
  type UpdateOutcome,
} from './runner';

const log = (msg: string) => console.log(`[fuzz ${new Date().toISOString().slice(11, 19)}] ${msg}`);

function parseArgs(argv: string[]) {
  const o = parseOptions(
    new Command('fuzz')
      .option('--n <count>', 'cases in all (updates, nominations and CSV rows)', num, 1000)
      .option('--seed <seed>', 'PRNG seed; the same seed gives the same cases', num, 20261127)
      .option('--csv-share <fraction>', 'share of the cases that are CSV rows', num, 0.25)
      .option('--csv-batch <rows>', 'CSV rows per `ovop nominate` run', num, 50)
      .option('--only <regex>', 'send only the generated cases whose label matches (to reproduce a finding)')
      .option('--event-log-attacks <count>', 'direct UPDATE/DELETE/TRUNCATE statements on the event log', num, 20)
      .option('--edited-exports <count>', 'one-character edits of a signed audit bundle', num, 6)
      .option('--skip-known', `leave out the ${KNOWN_ENGINE_GAPS.length} known engine gaps (bench/fuzz/cases.ts)`)
      .option('--out <file>', 'also write every outcome as JSON to this file'),
    argv,
  );
  return {
    n: Math.floor(o.n),
    seed: Math.floor(o.seed) >>> 0,
    csvShare: Math.min(1, o.csvShare),
    csvBatch: Math.max(1, Math.floor(o.csvBatch)),
    skipKnown: !!o.skipKnown,
    eventLogAttacks: Math.floor(o.eventLogAttacks),
    editedExports: Math.floor(o.editedExports),
    out: o.out as string | undefined,
    only: o.only ? new RegExp(o.only as string) : undefined,
  };
}

interface Tally {
  cases: number;
  refused: number;
  accepted: number;
  unclear: number;
  /** Refused for another reason than the defect the case carries. */
  misnamed: number;
  errors: number;
  /** Cases (or CSV runs) after which the history was longer. */
  historyGrown: number;
  taskFailures: number;
  rowsWritten: number;
}
const emptyTally = (): Tally => ({
  cases: 0,
  refused: 0,
  accepted: 0,
  unclear: 0,
  misnamed: 0,
  errors: 0,
  historyGrown: 0,
  taskFailures: 0,
  rowsWritten: 0,
});

function add(
  t: Tally,
  o: {
    refused: boolean;
    accepted: boolean;
    clear: boolean;
    named: boolean;
    error?: string;
    historyDelta: number;
    taskFailures: number;
    rowsWritten: number;
  },
) {
  t.cases += 1;
  if (o.refused) t.refused += 1;
  if (o.accepted) t.accepted += 1;
  if (o.refused && !o.clear) t.unclear += 1;
  if (o.refused && !o.named) t.misnamed += 1;
  if (o.error) t.errors += 1;
  if (o.historyDelta !== 0) t.historyGrown += 1;
  if (o.taskFailures > 0) t.taskFailures += o.taskFailures;
  t.rowsWritten += o.rowsWritten;
}

function printTally(title: string, rows: [string, Tally][]) {
  const head = [
    title,
    'cases',
    'refused',
    'accepted',
    'unclear',
    'misnamed',
    'errors',
    'history grown',
    'task failures',
    'rows written',
  ];
  const body = rows
    .filter(([, t]) => t.cases > 0)
    .map(([k, t]) =>
      [
        k,
        t.cases,
        t.refused,
        t.accepted,
        t.unclear,
        t.misnamed,
        t.errors,
        t.historyGrown,
        t.taskFailures,
        t.rowsWritten,
      ].map(String),
    );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of body) console.log(line(r));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
  });
  const stateDir = mkdtempSync(join(tmpdir(), 'ovop-fuzz-'));
  const csvCount = Math.round(args.n * args.csvShare);
  const updateCount = args.n - csvCount;
  log(
    `n=${args.n} (${updateCount} updates and nominations, ${csvCount} CSV rows), seed ${args.seed}; state in ${stateDir}`,
  );
  const stack = await startStack({ stateDir, persistent: false, headless: true });
  const deps = await bootstrap({ temporal: stack.temporal, databaseUrl: stack.databaseUrl, smtpUrl: stack.smtpUrl });
  const taskQueue = `ovop-fuzz-${process.pid}`;
  const { worker, connection } = await createWorker({ ...deps, temporal: stack.temporal, taskQueue });
  const running = worker.run();
  const env = { client: deps.client, db: deps.db, taskQueue };
  let exitCode: number;
  /** The API `ovop nominate` goes through, for the CSV cases. */
  let csvApi: Awaited<ReturnType<typeof startCsvApi>> | undefined;
  try {
    const prefix = `fuzz-${args.seed}`;
    log(
      `stack up (postgres: ${stack.embedded.postgres ? 'PGlite' : 'DATABASE_URL'}); driving targets into their stages`,
    );
    const setup = await setUpTargets(env, { prefix });
    log(`targets: ${[...setup.targets.values()].map((t) => `${t.key} (${t.historyLength} events)`).join(', ')}`);

    let cases: UpdateCase[] = generateUpdateCases(setup.world, { seed: args.seed, count: updateCount });
    let csvCases: CsvCase[] = generateCsvCases({ seed: args.seed, count: csvCount });
    let skipped = 0;
    if (args.only) {
      cases = cases.filter((c) => args.only!.test(c.label));
      csvCases = csvCases.filter((c) => args.only!.test(c.label));
      log(`--only ${args.only}: ${cases.length} update cases and ${csvCases.length} CSV rows match`);
    }
    if (args.skipKnown) {
      const before = cases.length + csvCases.length;
      cases = cases.filter((c) => !gapOf(c));
      csvCases = csvCases.filter((c) => !gapOf(c));
      skipped = before - cases.length - csvCases.length;
      log(`left out ${skipped} cases of known engine gaps`);
    }

    const t0 = Date.now();
    let done = 0;
    const outcomes: UpdateOutcome[] = await runInLanes(env, setup, cases, () => {
      done += 1;
      if (done % 100 === 0 || done === cases.length)
        log(`updates: ${done}/${cases.length} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    });
    // The controls go to the targets once their cases are judged: each base input must be accepted.
    const controls = await setup.runControls();
    const refusedControls = controls.filter((c) => !c.accepted);
    log(`controls: ${controls.length - refusedControls.length} of ${controls.length} base inputs accepted`);
    for (const c of refusedControls) log(`  NOT accepted: ${c.label} (${c.workflowId}): ${c.message}`);
    // Nominations accepted by mistake write their rows after the update returned: count each one's, once settled.
    const started = outcomes.filter((o) => o.startedWorkflowId);
    if (started.length > 0) {
      await new Promise((r) => setTimeout(r, 2000));
      for (const o of started)
        o.rowsWritten = Math.max(o.rowsWritten, await rowsOfWorkflow(deps.db, o.startedWorkflowId!));
    }

    const csvOutcomes: CsvOutcome[] = [];
    /** Per CSV run: the cycle's history growth and task failures, rows added to any table, the controls' run. */
    const csvRuns: { rows: string; historyDelta: number; taskFailures: number; rowsNotClaimed: number }[] = [];
    let csvControlsFailed = 0;
    // The API `ovop nominate` and the integrity attacks go through, as the dinas of the fuzz regency.
    csvApi = await startCsvApi(deps, taskQueue);
    const cli = { temporalAddress: stack.temporal.address, databaseUrl: stack.databaseUrl, taskQueue, ...csvApi };
    if (csvCases.length > 0) {
      const csvCycle = `${prefix}-csv`;
      await openCsvCycle(env, csvCycle);
      for (let i = 0; i < csvCases.length; i += args.csvBatch) {
        const batch = csvCases.slice(i, i + args.csvBatch);
        const last = i + args.csvBatch >= csvCases.length;
        const run = await runCsvCases(env, cli, {
          dir: stateDir,
          cycleId: csvCycle,
          cases: batch,
          controls: last ? sqlControlRows(args.seed) : undefined,
        });
        csvRuns.push({
          rows: `${batch[0].id}…${batch.at(-1)!.id}`,
          historyDelta: run.historyDelta,
          taskFailures: run.taskFailures,
          // Rows of any table beyond the nominations rows the outcomes claim (an accepted row's events, mails, …).
          rowsNotClaimed: Math.max(
            0,
            Object.values(run.rowsByTable).reduce((a, b) => a + (b ?? 0), 0) -
              run.outcomes.reduce((a, o) => a + o.rowsWritten, 0),
          ),
        });
        if (run.controlRun) {
          const created = run.controlRun.summary?.created ?? 0;
          csvControlsFailed = run.controlRun.controls.length - created;
          log(
            `csv controls: ${created} of ${run.controlRun.controls.length} valid rows created (exit ${run.controlRun.exitCode})`,
          );
        }
        if (run.exitCode !== 1)
          log(
            `ovop nominate exited ${run.exitCode} for rows ${batch[0].id}…${batch.at(-1)!.id} (expected 1): ${run.stderr.trim().slice(0, 300)}`,
          );
        csvOutcomes.push(...run.outcomes);
        log(`csv: ${Math.min(i + args.csvBatch, csvCases.length)}/${csvCases.length} rows (exit ${run.exitCode})`);
      }
    }
    // The integrity attacks (#15 item 8) last: the override and the event-log statements change their targets.
    log('integrity attacks: name spellings, forged previous stars, an override, the event log, edited exports');
    const attacks: IntegrityOutcome[] = await runIntegrityAttacks(env, setup, cli, {
      prefix,
      seed: args.seed,
      dir: stateDir,
      eventLogCount: args.eventLogAttacks,
      editCount: args.editedExports,
    });
    await setup.cleanup();
    const leftover = await terminateRunning(env);
    if (leftover > 0)
      log(
        `terminated ${leftover} workflows still running on the task queue (cycles, and nominations stuck after an accepted case)`,
      );

    // ── report ──
    const total = emptyTally();
    const byCategory = new Map<string, Tally>();
    const byUpdate = new Map<string, Tally>();
    const tallyOf = (m: Map<string, Tally>, k: string) => m.get(k) ?? m.set(k, emptyTally()).get(k)!;
    for (const o of outcomes) {
      for (const t of [total, tallyOf(byCategory, o.case.category), tallyOf(byUpdate, o.case.update)])
        add(t, { ...o, named: o.namesDefect });
    }
    const csvByCategory = new Map<string, Tally>();
    for (const o of csvOutcomes) {
      const flat = {
        refused: o.refused,
        accepted: !o.refused,
        clear: o.clear,
        named: o.namesField,
        historyDelta: 0,
        taskFailures: 0,
        rowsWritten: o.rowsWritten,
      };
      for (const t of [total, tallyOf(csvByCategory, o.case.category), tallyOf(byUpdate, 'ovop nominate (CSV)')])
        add(t, flat);
    }
    printTally(
      'category (updates)',
      CATEGORIES.map((c) => [c, byCategory.get(c) ?? emptyTally()]),
    );
    printTally(
      'category (CSV rows)',
      CSV_CATEGORIES.map((c) => [c, csvByCategory.get(c) ?? emptyTally()]),
    );
    printTally(
      'update',
      [...UPDATE_NAMES, 'ovop nominate (CSV)'].map((u) => [u, byUpdate.get(u) ?? emptyTally()]),
    );

    const attackRows = INTEGRITY_ATTACKS.map((a) => {
      const of = attacks.filter((o) => o.attack === a);
      return [a, of.length, of.filter((o) => o.refused).length, of.filter((o) => o.gotThrough).length].map(String);
    });
    const attackHead = ['integrity attack', 'sent', 'refused', 'got through'];
    const attackWidths = attackHead.map((h, i) => Math.max(h.length, ...attackRows.map((r) => r[i].length)));
    const attackLine = (r: string[]) =>
      r.map((c, i) => (i === 0 ? c.padEnd(attackWidths[i]) : c.padStart(attackWidths[i]))).join('  ');
    console.log(`\n${attackLine(attackHead)}\n${attackWidths.map((w) => '-'.repeat(w)).join('  ')}`);
    for (const r of attackRows) console.log(attackLine(r));
    const gotThrough = attacks.filter((o) => o.gotThrough);
    if (gotThrough.length > 0) {
      console.log(`\nIntegrity attacks that got through (${gotThrough.length}):`);
      for (const o of gotThrough) console.log(`  ${o.attack}: ${o.label}: ${o.detail.slice(0, 300)}`);
    }

    const violations = outcomes.filter(isViolation);
    // A CSV run is judged as a whole for the cycle's history and the tables (a row cannot tell which case added an event).
    for (const r of csvRuns) {
      if (r.historyDelta !== 0) total.historyGrown += 1;
      total.taskFailures += r.taskFailures;
      total.rowsWritten += r.rowsNotClaimed;
      if (r.historyDelta || r.taskFailures || r.rowsNotClaimed)
        log(
          `CSV run of rows ${r.rows}: cycle history +${r.historyDelta}, task failures ${r.taskFailures}, other rows +${r.rowsNotClaimed}`,
        );
    }
    const csvViolations = csvOutcomes.filter((o) => !o.refused || !o.clear || !o.namesField || o.rowsWritten > 0);
    if (violations.length + csvViolations.length > 0) {
      console.log(`\nCases that broke the promise (${violations.length + csvViolations.length}), by known gap:`);
      const groups = new Map<string, string[]>();
      for (const o of violations)
        (
          groups.get(gapOf(o.case)?.id ?? 'NEW') ??
          groups.set(gapOf(o.case)?.id ?? 'NEW', []).get(gapOf(o.case)?.id ?? 'NEW')!
        ).push(describeViolation(o));
      for (const o of csvViolations) {
        const key = gapOf(o.case)?.id ?? 'NEW';
        const reasons = JSON.stringify(o.reasons.map((r) => `${r.field}: ${r.reason}`).join(' | ')).slice(0, 200);
        const what = !o.refused
          ? `NOT refused (status ${o.status ?? 'missing'})`
          : !o.clear
            ? `refused with an unclear reason: ${reasons}`
            : !o.namesField
              ? `refused without naming ${o.case.expectsField}: ${reasons}`
              : 'refused';
        const text = `${o.case.label} (line ${o.line}): ${what}${o.rowsWritten ? ` [rows +${o.rowsWritten}]` : ''}`;
        (groups.get(key) ?? groups.set(key, []).get(key)!).push(text);
      }
      for (const [key, lines] of [...groups.entries()].sort()) {
        const gap = KNOWN_ENGINE_GAPS.find((g) => g.id === key);
        console.log(`\n  ${key}${gap ? ` — ${gap.title}` : ' — not a known gap'} (${lines.length})`);
        for (const l of lines.slice(0, key === 'NEW' ? 200 : 8)) console.log(`    ${l}`);
        if (lines.length > (key === 'NEW' ? 200 : 8))
          console.log(`    … and ${lines.length - (key === 'NEW' ? 200 : 8)} more`);
      }
    }
    if (args.out) {
      writeFileSync(
        args.out,
        JSON.stringify(
          {
            args,
            skipped,
            total,
            updates: outcomes.map(({ case: c, ...o }) => ({ id: c.id, label: c.label, gap: gapOf(c)?.id, ...o })),
            attacks,
            csv: csvOutcomes.map(({ case: c, ...o }) => ({ id: c.id, label: c.label, gap: gapOf(c)?.id, ...o })),
          },
          null,
          1,
        ),
      );
      log(`outcomes written to ${args.out}`);
    }
    const controlsFailed = refusedControls.length + csvControlsFailed;
    console.log(
      `\nunclear refusals ${total.unclear}, refusals for another reason than the defect ${total.misnamed} (both counted in refused), other errors ${total.errors}, controls not accepted ${controlsFailed}${skipped ? `, ${skipped} known-gap cases left out` : ''}`,
    );
    console.log(
      `integrity attacks ${attacks.length}, refused ${attacks.filter((o) => o.refused).length}, got through ${gotThrough.length}`,
    );
    console.log(
      `cases ${total.cases}, refused ${total.refused}, accepted ${total.accepted}, history grown ${total.historyGrown}, task failures ${total.taskFailures}, rows written ${total.rowsWritten}`,
    );
    exitCode =
      total.accepted === 0 &&
      total.historyGrown === 0 &&
      total.taskFailures === 0 &&
      total.rowsWritten === 0 &&
      total.unclear === 0 &&
      total.misnamed === 0 &&
      total.errors === 0 &&
      controlsFailed === 0 &&
      gotThrough.length === 0
        ? 0
        : 1;
  } finally {
    await csvApi?.stop();
    worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
    await deps.close();
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
  process.exit(exitCode);
}

main().catch((err) => {
  console.error(`fuzz failed: ${(err as Error).stack ?? err}`);
  process.exit(2);
});
