/**
 * The assessment: the panel drawn (by lot since r7, by commodity since r3, by a hash of the workflow id before), the
 * assignment mails, the wait for every score sheet, and the aggregate that the recommendation is made from.
 */
import { condition, patched } from '@temporalio/workflow';
import { drawPanel, fnv1a } from '../domain/panel';
import { aggregateScores } from '../domain/scoring';
import { SYSTEM_ACTOR } from '../domain/types';
import { deadlineOf } from './deadline-clock';
import { dinasEmail, isClosed, nominee, type NominationState, provinceCodeOf } from './nomination-state';
import { drawAssessors, drawRecord } from './panel-assignment';
import { DINAS_TOLD_OF_ASSESSMENT, PANELS_BY_COMMODITY, RANDOM_PANEL_DRAW, STATS_AFTER_LAST_SHEET } from './patches';
import type { StageContext } from './stage-context';

/** Assigns assessors, waits for every score sheet, and aggregates. Returns false when the nomination ended here. */
export async function assessNomination(ctx: StageContext): Promise<boolean> {
  const { s, fx, clock } = ctx;
  const rules = s.input.rules.assessment;
  const panels = patched(PANELS_BY_COMMODITY);
  // Histories from before the random draw replay the hash of the workflow id they drew by (panel-assignment.ts).
  const random = panels && patched(RANDOM_PANEL_DRAW);
  s.assessors = random
    ? drawAssessors(s, rules.assessorsPerNomination)
    : panels
      ? drawPanel({
          pool: rules.assessors,
          province: provinceCodeOf(s),
          commodity: nominee(s).commodity,
          size: rules.assessorsPerNomination,
          seed: s.workflowId,
        })
      : pickAssessors(ctx.s);
  s.cause = SYSTEM_ACTOR;
  // The mails of one moment go out in one round of activities: each awaited round costs a workflow task.
  await Promise.all([
    fx.notify('admin_passed', `review#${s.revisionRound}`, [dinasEmail(s)]),
    fx.enter('IN_ASSESSMENT', 'stage.changed', { assessors: s.assessors, ...(random && { draw: drawRecord(s) }) }),
  ]);
  if (panels && s.assessors.length < rules.assessorsPerNomination && !(await shortPanel(ctx))) return false;
  const sent = s.assessors.map((id) => {
    const assessor = rules.assessors.find((a) => a.id === id)!;
    return fx.notify('assessment_assigned', `assigned:${id}`, [assessor.email], { recipientName: assessor.name });
  });
  // A rule added after release r1: nominations that passed this point before it replay without the mail
  // (test/fixtures/histories/nomination-r1-*.json).
  if (patched(DINAS_TOLD_OF_ASSESSMENT)) {
    const deadline = new Date(deadlineOf(s, 'assessment')).toISOString();
    sent.push(
      fx.notify('assessment_started', 'assessment_started', [dinasEmail(s)], {
        deadlineStage: 'assessment',
        deadline,
      }),
    );
  }
  await Promise.all(sent);
  if ((await clock.waitStage('assessment', () => s.sheets.length === s.assessors.length)) === 'closed') return false;

  // The statistics must count this nomination's last sheet too, whose row its update may still be writing.
  if (rules.normalization && patched(STATS_AFTER_LAST_SHEET))
    await condition(() => s.sheetsWritten === s.sheets.length);
  const stats = rules.normalization ? await fx.assessorStats(nominee(s).cycleId) : undefined;
  const result = aggregateScores(s.sheets, rules, { normalization: rules.normalization, stats });
  s.provisional = result.provisional;
  s.aspectScores = result.aspects;
  // The lifecycle's run() enters the next stage at once; this row is written in the same round as that stage's.
  fx.recordWithNextStage('assessment.aggregated', SYSTEM_ACTOR, {
    provisionalScore: result.provisional,
    aspects: result.aspects,
    perAssessor: result.perAssessor,
    normalized: !!stats,
  });
  return true;
}

/**
 * A panel short of its size: the coordinators hear of it, and the assessment goes on with those drawn. With nobody
 * drawn the nomination is held (there is nobody to score it) until a coordinator disqualifies it or its dinas
 * withdraws it. Returns false when the nomination ended here.
 */
async function shortPanel(ctx: StageContext): Promise<boolean> {
  const { s, fx } = ctx;
  const needed = s.input.rules.assessment.assessorsPerNomination;
  const drawn = s.assessors.length;
  const held = drawn === 0;
  const { commodity } = nominee(s);
  const province = provinceCodeOf(s);
  await fx.record('assessment.panel_short', SYSTEM_ACTOR, { needed, drawn, commodity, province, held });
  const reason =
    `Hanya ${drawn} dari ${needed} penilai yang memenuhi syarat (bukan dari provinsi ${province} dan berwenang ` +
    `menilai ${commodity}). ` +
    (held
      ? 'Usulan ditahan: tidak ada penilai yang dapat menilai; koordinator dapat mendiskualifikasi.'
      : 'Penilaian berjalan dengan penilai yang ada.');
  await fx.notify('panel_short', 'panel_short', s.input.rules.contacts.coordinators, { reason });
  if (!held) return true;
  s.hold = { stage: 'assessment', since: Date.now(), reason: 'no_panel' };
  await condition(() => s.hold === null || isClosed(s));
  return !isClosed(s);
}

/**
 * Picks `assessorsPerNomination` assessors from other provinces, spread deterministically by a hash of the workflow id
 * so that replays pick the same people and the load spreads across the pool.
 */
function pickAssessors(s: NominationState): string[] {
  const { assessors, assessorsPerNomination } = s.input.rules.assessment;
  const province = provinceCodeOf(s);
  const rank = (id: string) => fnv1a(`${s.workflowId}|${id}`);
  return assessors
    .filter((a) => a.province !== province)
    .map((a) => a.id)
    .sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : 1))
    .slice(0, assessorsPerNomination);
}
