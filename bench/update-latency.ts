/**
 * `npm run bench:latency`: the warm round trip of one actor's update on loopback, with nothing else running — what a
 * dinas or coordinator waits for at the CLI. Each update is a coordinator's deadline extension: validated, recorded in
 * Postgres by an activity, and answered with the new state. Side by side, the same count of updates of the bare
 * baseline workflow (an update whose handler runs one no-op activity), so the ratio isolates the engine's own cost.
 */
import { DefaultLogger, makeTelemetryFilterString, Runtime, Worker } from '@temporalio/worker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootstrap } from '../worker/bootstrap';
import { createWorker } from '../worker/create-worker';
import { startStack } from '../worker/local/stack';
import { nominationWorkflowId } from '../workflows/ids';
import { extendDeadlineUpdate, nominationStateQuery } from '../workflows/messages';
import { loadCycleConfig } from '../domain/cycle-config';
import type { NominationWorkflowInput } from '../workflows/inputs';

const N = Number(process.argv.find((a) => a.startsWith('--n='))?.split('=')[1] ?? 60);
const WARMUP = 10;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } } });
const dir = mkdtempSync(join(tmpdir(), 'ovop-latency-'));
const stack = await startStack({ stateDir: dir, persistent: true, headless: true });
const deps = await bootstrap({ temporal: stack.temporal, databaseUrl: stack.databaseUrl, smtpUrl: stack.smtpUrl });
const { worker, connection } = await createWorker({ ...deps, temporal: stack.temporal, taskQueue: 'latency' });
const baselineWorker = await Worker.create({
  connection,
  taskQueue: 'latency-baseline',
  workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
  activities: await import('./baseline.activities'),
});

const config = loadCycleConfig(fileURLToPath(new URL('../config/cycle.demo.yaml', import.meta.url)));
config.id = `latency-${Date.now()}`;
for (const s of Object.values(config.deadlines)) Object.assign(s, { within: '30d', remindBefore: [], onMissed: 'hold' });
const { regencies, provinces, ...rules } = config;
const input: NominationWorkflowInput = {
  nomination: { cycleId: config.id, regencyCode: '32.05', ikmName: 'IKM Latensi', sentraName: 'Sentra Latensi', commodity: 'kain_tenun', product: 'Tenun', sentraSize: 10, nominatedBy: { role: 'dinas_kabkota', id: 'disperin-garut', region: '32.05' } },
  rules,
  regencyName: regencies['32.05'],
  provinceName: provinces['32'],
};

async function measure(send: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < WARMUP + N; i++) {
    const t = performance.now();
    await send(i);
    if (i >= WARMUP) out.push(performance.now() - t);
  }
  return out;
}

const result = await worker.runUntil(() =>
  baselineWorker.runUntil(async () => {
    const ours = await deps.client.workflow.start('nomination', { workflowId: nominationWorkflowId(config.id, '32.05', 'IKM Latensi'), taskQueue: 'latency', args: [input] });
    while ((await ours.query(nominationStateQuery)).stage !== 'AWAITING_SOCIALIZATION') await new Promise((r) => setTimeout(r, 50));
    const coordinator = { role: 'coordinator' as const, id: 'bench', region: '00' };
    const base = Date.now() + 40 * 86_400_000;
    const oursMs = await measure((i) => ours.executeUpdate(extendDeadlineUpdate, { args: [{ actor: coordinator, stage: 'documents', until: new Date(base + i * 60_000).toISOString() }] }));
    const { baselineStepUpdate } = await import('./baseline.workflow');
    const bare = await deps.client.workflow.start('baselineNomination', { workflowId: `latency-baseline-${Date.now()}`, taskQueue: 'latency-baseline', args: [{ updates: WARMUP + N, activities: WARMUP + N, timers: WARMUP + N }] });
    const bareMs = await measure(() => bare.executeUpdate(baselineStepUpdate));
    return { oursMs, bareMs };
  }),
);
const row = (name: string, xs: number[]) => `${name.padEnd(9)} p50 ${pct(xs, 50).toFixed(1).padStart(6)} ms   p95 ${pct(xs, 95).toFixed(1).padStart(6)} ms   p99 ${pct(xs, 99).toFixed(1).padStart(6)} ms`;
console.log(`warm update round trip, ${N} sequential updates after ${WARMUP} warm-up, ${stack.embedded.postgres ? 'PGlite' : 'PostgreSQL'}`);
console.log(row('ours', result.oursMs));
console.log(row('baseline', result.bareMs));
console.log(`ratio p95 ours/baseline ${(pct(result.oursMs, 95) / pct(result.bareMs, 95)).toFixed(2)}; goal: ours p95 ≤ 100 ms`);
await connection.close();
await deps.close();
await stack.stop();
rmSync(dir, { recursive: true, force: true });
