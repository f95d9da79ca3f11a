/**
 * Cycle configs and inputs for nominations started directly, for the integration tests and the fuzz runner: the demo
 * cycle, with the deadlines and rules a test needs.
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { recordIntake } from '../../activities/intake.activity';
import type { Database } from '../../db/database';
import { loadCycleConfig } from '../../domain/cycle-config';
import {
  type Actor,
  type CycleConfig,
  type DeadlineStage,
  type NominationInput,
  OPTIONAL_DEADLINE_STAGES,
  type StageDeadlineConfig,
} from '../../domain/types';
import { provinceOf } from '../../domain/region-codes';
import { nominationWorkflowId } from '../../workflows/ids';
import type { NominationWorkflowInput } from '../../workflows/inputs';

const DEMO = fileURLToPath(new URL('../../config/cycle.demo.yaml', import.meta.url));

/** Long deadlines with no reminders: a test that is not about deadlines never meets one. */
const CALM: StageDeadlineConfig = { within: '1h', remindBefore: [], onMissed: 'hold' };

/**
 * The demo cycle under another id, with calm deadlines. Its field visits only when `fieldVisits` is set: without them a
 * coordinator records the field verification as pass or fail (`verifyField`), the path most tests take.
 */
export function testConfig(
  id: string,
  patch: {
    deadlines?: Partial<Record<DeadlineStage, StageDeadlineConfig>>;
    mutate?: (c: CycleConfig) => void;
    fieldVisits?: boolean;
    /** Keep the demo's optional steps (provincial pre-screen, sentra decree, product samples); tests of the lifecycle
     * before them run without. */
    optionalSteps?: boolean;
  } = {},
): CycleConfig {
  const config = loadCycleConfig(DEMO);
  if (!patch.fieldVisits) delete config.fieldVisit;
  if (!patch.optionalSteps) withoutOptionalSteps(config);
  config.id = id;
  config.name = `Uji ${id}`;
  for (const stage of Object.keys(config.deadlines) as DeadlineStage[]) config.deadlines[stage] = { ...CALM };
  Object.assign(config.deadlines, patch.deadlines);
  // A test that is not about the decree determines each nomination itself, and its cycle finalizes without one.
  if (config.award) config.award.determination = 'per-nomination';
  patch.mutate?.(config);
  return config;
}

/** The demo config as it was before the pre-screen, the sentra decree and samples: the lifecycle many tests, the bench
 * and the fuzz suite were built on. */
export function withoutOptionalSteps(config: CycleConfig): CycleConfig {
  const decree = config.sentra?.decreeDocument;
  if (decree) config.documents.checklist = config.documents.checklist.filter((d) => d.kind !== decree);
  delete config.prescreen;
  delete config.samples;
  delete config.sentra;
  for (const stage of OPTIONAL_DEADLINE_STAGES) delete config.deadlines[stage];
  return config;
}

export const coordinator: Actor = { role: 'coordinator', id: 'koordinator-ikma', region: '00' };
export const dinasOf = (regencyCode: string): Actor => ({
  role: 'dinas_kabkota',
  id: `disperin-${regencyCode}`,
  region: regencyCode,
});
/** The dinas provinsi of a province (`PP`), which pre-screens its proposals. */
export const provinsiOf = (provinceCode: string): Actor => ({
  role: 'dinas_provinsi',
  id: `disperin-prov-${provinceCode}`,
  region: provinceCode,
});

export function nominationInput(
  config: CycleConfig,
  over: Partial<NominationInput> & { regencyCode: string; ikmName: string },
): NominationInput {
  return {
    cycleId: config.id,
    sentraName: `Sentra ${over.ikmName}`,
    commodity: 'kain_tenun',
    product: 'Tenun ikat',
    sentraSize: 12,
    nominatedBy: dinasOf(over.regencyCode),
    ...over,
  };
}

export function workflowInput(config: CycleConfig, nomination: NominationInput): NominationWorkflowInput {
  const { regencies, provinces, ...rules } = config;
  return {
    nomination,
    rules,
    regencyName: regencies[nomination.regencyCode],
    provinceName: provinces[provinceOf(nomination.regencyCode)],
  };
}

/**
 * Starts a nomination directly (no award cycle in front) on `input`, after writing the intake record its cycle would
 * write: a nomination runs only on the input its cycle recorded for it (activities/intake.activity.ts).
 */
export async function startNominationDirectly(
  deps: { client: Client; db: Kysely<Database> },
  taskQueue: string,
  input: NominationWorkflowInput,
): Promise<{ handle: WorkflowHandleWithFirstExecutionRunId; workflowId: string }> {
  const n = input.nomination;
  const workflowId = nominationWorkflowId(n.cycleId, n.regencyCode, n.ikmName);
  await recordIntake(deps.db, workflowId, input);
  const handle = await deps.client.workflow.start('nomination', { workflowId, taskQueue, args: [input] });
  return { handle, workflowId };
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Every criterion of the config scored `value` (or by a function of the criterion id). */
export function scoresFor(
  config: CycleConfig,
  value: number | ((criterionId: string) => number),
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const aspect of config.assessment.aspects)
    for (const c of aspect.criteria) out[c.id] = typeof value === 'number' ? value : value(c.id);
  return out;
}
