/**
 * A nomination workflow started on its own (no award cycle in front of it), for the benches that look at one
 * workflow's cost rather than a cycle's: the demo config with every deadline 30 days away and no reminders, so that
 * nothing fires while a bench watches, and a wait on the Postgres projection for a stage.
 *
 * The wait reads the projection, not the workflow's state query: a worker with a workflow cache must not be queried
 * while events wait for their workflow task (worker/workflow-cache.ts), and these benches run with a cache too.
 */
import type { Kysely } from 'kysely';
import { fileURLToPath } from 'node:url';
import type { Database } from '../../db/database';
import { stageCounts } from '../../db/reports';
import { loadCycleConfig } from '../../domain/cycle-config';
import { provinceOf } from '../../domain/region-codes';
import type { CycleConfig, Stage } from '../../domain/types';
import type { NominationWorkflowInput } from '../../workflows/inputs';

export function quietConfig(id: string): CycleConfig {
  const config = loadCycleConfig(fileURLToPath(new URL('../../config/cycle.demo.yaml', import.meta.url)));
  config.id = id;
  for (const s of Object.values(config.deadlines))
    Object.assign(s, { within: '30d', remindBefore: [], onMissed: 'hold' });
  return config;
}

export function standaloneInput(config: CycleConfig, regencyCode: string, ikmName: string): NominationWorkflowInput {
  const { regencies, provinces, ...rules } = config;
  return {
    nomination: {
      cycleId: config.id,
      regencyCode,
      ikmName,
      sentraName: `Sentra ${ikmName}`,
      commodity: 'kain_tenun',
      product: 'Tenun',
      sentraSize: 10,
      nominatedBy: { role: 'dinas_kabkota', id: `disperin-${regencyCode}`, region: regencyCode },
    },
    rules,
    regencyName: regencies[regencyCode],
    provinceName: provinces[provinceOf(regencyCode)],
  };
}

/** Polls the projection until `count` of the cycle's nominations are at `stage`; `onProgress` sees each new count. */
export async function waitForStage(
  db: Kysely<Database>,
  cycleId: string,
  stage: Stage,
  count: number,
  opts: { timeoutMs?: number; onProgress?: (n: number) => void } = {},
): Promise<void> {
  const until = Date.now() + (opts.timeoutMs ?? 600_000);
  let last = -1;
  for (;;) {
    const n = (await stageCounts(db, cycleId))[stage] ?? 0;
    if (n !== last) opts.onProgress?.(n);
    last = n;
    if (n >= count) return;
    if (Date.now() > until) throw new Error(`${n} of ${count} nominations of ${cycleId} reached ${stage} in time`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
