/**
 * A nomination's intake into the cycle (the `nominate` Update): the checks a dinas's proposal must pass while intake is
 * open (among them one nomination per sentra per cycle), then the start of its nomination workflow by an activity.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { provinceOf } from '../domain/region-codes';
import { shown, shownParam } from '../domain/text';
import { COMMODITIES, type NominationInput } from '../domain/types';
import { nominationStartActivity } from './activity-options';
import type { CycleChain } from './cycle-chain';
import { type CycleState, intakeOpen } from './cycle-state';
import { nominationWorkflowId, sentraKey } from './ids';
import type { NominateResult } from './messages';
import { PREVIOUS_STARS_FROM_RECORD } from './patches';
import { checkActor, checkText, refuse } from './validation';

const starts = proxyActivities<ReturnType<typeof createActivities>>(nominationStartActivity);

const sentraKeyOf = (regencyCode: string, sentraName: string) => `${regencyCode}/${sentraKey(sentraName)}`;
const sentraTaken = (n: NominationInput, holder: string) =>
  `sentra ${shown(n.sentraName)} of ${n.regencyCode} has a nomination in this cycle already (${holder}); a sentra is proposed once per cycle, with its lead firm as the nominee`;
const sentraTakenReason = (n: NominationInput) => ({
  rule: 'sentra_taken',
  params: { sentra: shownParam(n.sentraName), regency: n.regencyCode },
});

export class CycleIntake {
  /** IKM ids accepted in this run; earlier runs' duplicates are caught by workflow-id uniqueness at start. */
  private readonly seenThisRun = new Set<string>();
  /** Sentra keys accepted in this run, with the nomination that holds each; earlier runs' are caught by the claim the
   * start activity writes to PostgreSQL. */
  private readonly sentraThisRun = new Map<string, string>();

  constructor(
    private readonly c: CycleState,
    private readonly chain: CycleChain,
  ) {}

  /** Starts the nomination's workflow; a refusal here (after the activity) is recorded in the history. */
  async nominate(n: NominationInput): Promise<NominateResult> {
    const { config, rules, carry } = this.c;
    this.chain.noteLength();
    const result = await starts.startNomination({
      nomination: { ...n, cycleId: config.id },
      rules,
      regencyName: config.regencies[n.regencyCode],
      provinceName: config.provinces[provinceOf(n.regencyCode)],
      cycleDeadlineOverrides: carry.deadlineOverrides,
    });
    // The earlier award it claims is not on record: nothing was started (activities/cycle.activity.ts).
    if (result.previousRefused && patched(PREVIOUS_STARS_FROM_RECORD)) {
      this.chain.noteLength();
      refuse(result.previousRefused);
    }
    // The sentra was claimed by another nomination (in an earlier run, or by a racing update): nothing was started.
    if (result.sentraTakenBy) {
      this.chain.noteLength();
      refuse(sentraTaken(n, result.sentraTakenBy));
    }
    this.seenThisRun.add(result.workflowId);
    this.sentraThisRun.set(sentraKeyOf(n.regencyCode, n.sentraName), result.workflowId);
    if (result.created) carry.nominated += 1;
    this.chain.noteLength();
    return result;
  }

  /** The proposal's checks, before anything is recorded; their wording is what common/nominations-csv.ts maps back to
   * a column of an imported file. */
  validate(n: NominationInput): void {
    const { config } = this.c;
    const { regencies, provinces } = config;
    if (!n || typeof n !== 'object') refuse('nomination is missing', { rule: 'nomination_missing' });
    const actor = n.nominatedBy;
    checkActor(actor);
    if (actor.role !== 'dinas_kabkota' && actor.role !== 'coordinator') {
      refuse(`role ${actor.role} may not nominate; a dinas kabupaten/kota nominates its own IKM`, {
        rule: 'nominate_dinas_only',
        params: { role: actor.role },
      });
    }
    if (!intakeOpen(this.c))
      refuse(`intake for cycle ${config.id} is closed`, { rule: 'intake_closed', params: { cycle: config.id } });
    this.chain.turnAwayWhileDraining();
    if (n.cycleId !== undefined && n.cycleId !== config.id)
      refuse(`this is cycle ${config.id}, not ${shown(n.cycleId)}`, {
        rule: 'other_cycle',
        params: { cycle: config.id, asked: shownParam(n.cycleId) },
      });
    if (typeof n.regencyCode !== 'string' || !Object.hasOwn(regencies, n.regencyCode))
      refuse(`unknown regency code ${shown(n.regencyCode)} (expected a Kemendagri code such as 32.05)`, {
        rule: 'unknown_regency',
        params: { code: shownParam(n.regencyCode) },
      });
    if (actor.role === 'dinas_kabkota' && actor.region !== n.regencyCode)
      refuse(`dinas ${actor.region} may only nominate IKM of its own kabupaten/kota, not ${n.regencyCode}`, {
        rule: 'nominate_other_regency',
        params: { region: actor.region, regency: n.regencyCode },
      });
    const province = provinceOf(n.regencyCode);
    if (!config.sessions.some((s) => s.provinces.includes(province)))
      refuse(`province ${province} (${provinces[province]}) has no socialization session in cycle ${config.id}`, {
        rule: 'province_no_session',
        params: { province },
      });
    for (const field of ['ikmName', 'sentraName', 'product'] as const) checkText(n[field], field, { max: 200 });
    if (!/[A-Za-z0-9]/.test(n.ikmName))
      refuse('ikmName must contain at least one letter or digit', {
        rule: 'text_no_letter',
        params: { what: 'ikmName' },
      });
    if (!COMMODITIES.includes(n.commodity))
      refuse(`commodity must be one of ${COMMODITIES.join(', ')}`, { rule: 'commodity_invalid' });
    this.checkSentra(n);
    if (n.dinasEmail !== undefined) {
      checkText(n.dinasEmail, 'dinasEmail', { max: 254 });
      if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(n.dinasEmail))
        refuse('dinasEmail must be an email address', { rule: 'email_invalid', params: { what: 'dinasEmail' } });
    }
    if (
      n.previousStars !== undefined &&
      (!Number.isInteger(n.previousStars?.stars) || n.previousStars.stars < 1 || n.previousStars.stars > 5)
    ) {
      refuse('previousStars.stars must be 1 to 5', { rule: 'previous_stars_invalid' });
    }
    const id = nominationWorkflowId(config.id, n.regencyCode, n.ikmName);
    if (this.seenThisRun.has(id))
      refuse(`${n.ikmName} of ${n.regencyCode} is already nominated in cycle ${config.id}`, {
        rule: 'already_nominated',
        params: { ikm: n.ikmName, regency: n.regencyCode },
      });
    const holder = this.sentraThisRun.get(sentraKeyOf(n.regencyCode, n.sentraName));
    if (holder !== undefined && holder !== id) refuse(sentraTaken(n, holder), sentraTakenReason(n));
  }

  /** A sentra is a cluster of at least `minUnits` businesses making the same product, named with a letter or digit. */
  private checkSentra(n: NominationInput): void {
    // The regulation's floor is 5 units; a cycle may ask more (sentra.minUnits).
    const minUnits = this.c.config.sentra?.minUnits ?? 5;
    const sentraRule = `a sentra must count at least ${minUnits} businesses making the same product`;
    if (!Number.isInteger(n.sentraSize) || n.sentraSize > 1_000_000)
      refuse(`${sentraRule} (and at most 1,000,000)`, { rule: 'sentra_size_invalid', params: { min: minUnits } });
    if (n.sentraSize < minUnits)
      refuse(`${sentraRule}; sentra ${shown(n.sentraName)} counts ${n.sentraSize}`, {
        rule: 'sentra_too_small',
        params: { min: minUnits, size: n.sentraSize },
      });
    if (!/[A-Za-z0-9]/.test(n.sentraName))
      refuse('sentraName must contain at least one letter or digit', {
        rule: 'text_no_letter',
        params: { what: 'sentraName' },
      });
  }
}
