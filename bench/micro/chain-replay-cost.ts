/**
 * `npm run bench:chain -- --before <history.json> --after <run1.json> <run2.json> … [--rounds 9]`: what one
 * nomination's life of rebuilds costs the worker in one run (before) against a chain of short runs (after), as
 * `bench:replay` measures it: every prefix of each history that ends where a workflow task starts, replayed in-process on
 * today's workflow code, the two sides alternating so that the machine's noise falls on both; medians reported.
 */
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, Runtime, Worker } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../common/workflow-bundle';
import { Command } from 'commander';
import type { History } from '../../client/history';
import { historyFromJSON } from '../../client/history-json';
import { nonNegative, parseOptions } from '../shared/args';
import { shapeOfEvents, taskPrefixes } from '../shared/history';
import { writeResult } from '../shared/report';
import { median } from '../shared/stats';

const load = (file: string): History => historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
const rebuildsOf = (histories: History[]): History[] =>
  histories.flatMap((h) => taskPrefixes(h.events ?? []).map((events) => ({ events })));

async function replayAll(code: string, label: string, histories: History[]): Promise<number> {
  const t0 = performance.now();
  const results = Worker.runReplayHistories(
    { workflowBundle: { code } },
    histories.map((history, i) => ({ workflowId: `${label}-${i}`, history })),
  );
  for await (const r of results)
    if (r.error) throw new Error(`${label}: prefix ${r.workflowId} did not replay: ${r.error.message}`);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const opts = parseOptions<{ before: string; after: string[]; rounds: number }>(
    new Command('bench:chain')
      .requiredOption('--before <file>', 'a nomination recorded in one run (Temporal JSON)')
      .requiredOption('--after <files...>', 'the runs of a nomination of short runs, oldest first')
      .option('--rounds <n>', 'rounds, each replaying both lives once', nonNegative, 9),
  );
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
  });
  const before = [load(opts.before)];
  const after = opts.after.map(load);
  const shape = (hs: History[]) => hs.map((h) => shapeOfEvents(h.events ?? []));
  const sides = {
    before: { rebuilds: rebuildsOf(before), ms: [] as number[] },
    after: { rebuilds: rebuildsOf(after), ms: [] as number[] },
  };
  const eventsReplayed = (rs: History[]) => rs.reduce((n, h) => n + (h.events?.length ?? 0), 0);
  const { code } = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: new DefaultLogger('ERROR'),
  });
  for (const [label, s] of Object.entries(sides)) await replayAll(code, label, s.rebuilds);
  for (let r = 0; r < opts.rounds; r++) {
    const order = r % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
    for (const label of order) sides[label].ms.push(await replayAll(code, label, sides[label].rebuilds));
    console.log(
      `round ${r + 1}/${opts.rounds}: before ${sides.before.ms.at(-1)!.toFixed(0)} ms, after ${sides.after.ms.at(-1)!.toFixed(0)} ms`,
    );
  }
  const m = (xs: number[]) => Math.round(median(xs) * 10) / 10;
  const result = {
    date: new Date().toISOString(),
    before: { files: [basename(opts.before)], runs: shape(before) },
    after: { files: opts.after.map((f) => basename(f)), runs: shape(after) },
    rebuilds: { before: sides.before.rebuilds.length, after: sides.after.rebuilds.length },
    eventsReplayed: { before: eventsReplayed(sides.before.rebuilds), after: eventsReplayed(sides.after.rebuilds) },
    lifeMs: {
      before: m(sides.before.ms),
      after: m(sides.after.ms),
      all: { before: sides.before.ms, after: sides.after.ms },
    },
    ratioAfterToBefore: Math.round((median(sides.after.ms) / median(sides.before.ms)) * 1000) / 1000,
  };
  console.log(
    `\nrebuilds over one life: before ${result.rebuilds.before} (${result.eventsReplayed.before} events replayed) in ${result.lifeMs.before} ms; after ${result.rebuilds.after} in ${after.length} runs (${result.eventsReplayed.after} events) in ${result.lifeMs.after} ms; ratio ${result.ratioAfterToBefore}`,
  );
  console.log(`wrote ${writeResult('chain-replay', result)}`);
}

await main();
