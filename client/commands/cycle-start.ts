/**
 * `ovop cycle start --config cycle.yaml`: opens an award cycle through the API (POST /api/cycles, a coordinator). The
 * config is checked here first, so its problems are listed by path before anything is sent, and the session coverage
 * and panel are warned about; the API says whether a worker polls the cycle's task queue.
 */
import { readFileSync } from 'node:fs';
import { readCycleConfig } from '../config-file';
import type { Context, Outcome } from '../context';
import { formatTime } from '../time';
import { coverageWarnings, panelWarnings } from './cycle-check';

interface Opened {
  cycleId: string;
  name: string;
  workflowId: string;
  intakeClosesAt: string;
  taskQueue: string;
  workersPolling: number | null;
}

export async function cycleStart(ctx: Context, opts: { config: string }): Promise<Outcome> {
  const config = readCycleConfig(opts.config);
  ctx.subject = { kind: 'cycle', id: config.id };
  const opened = await ctx
    .api()
    .request<Opened>('POST', '/api/cycles', { json: { config: readFileSync(opts.config, 'utf8') } });
  const pollers = opened.workersPolling;
  const noWorker = pollers === 0;
  return {
    warnings: [
      ...coverageWarnings(config),
      ...panelWarnings(config),
      ...(noWorker
        ? [
            `no worker polls task queue ${opened.taskQueue}: nothing of cycle ${config.id} runs until one does; ask the operator to start one (npm run worker)`,
          ]
        : []),
    ],
    timezone: config.timezone,
    json: { ...opened, intakeWindow: config.intakeWindow },
    text: [
      noWorker
        ? `Cycle ${config.id} (${config.name}) is started, but no worker polls its task queue yet.`
        : `Cycle ${config.id} (${config.name}) is open.`,
      `  workflow     ${opened.workflowId}`,
      `  task queue   ${opened.taskQueue}${pollers !== null ? ` (${pollers} worker${pollers === 1 ? '' : 's'} polling)` : ''}`,
      `  intake       open for ${config.intakeWindow}, until about ${formatTime(opened.intakeClosesAt, config.timezone)}`,
      `Next: ovop nominate --cycle ${config.id} --file nominations.csv`,
    ].join('\n'),
  };
}
