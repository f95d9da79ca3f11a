/**
 * The coordinator's decree (the `issueDecree` Update) of a cycle determined by decree: recorded once by its number,
 * applied to the nominations it covers, and mailed to the coordinators the first time it is recorded.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { condition, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { decreeActivity, mailActivity } from './activity-options';
import type { CycleChain } from './cycle-chain';
import type { CycleState } from './cycle-state';
import type { DecreeOutcome, DecreeRef, IssueDecreeInput } from './messages';
import { checkDecree } from './nomination-rules';
import { requireCoordinator } from './rule-guards';
import { checkActor, refuse } from './validation';

type Activities = ReturnType<typeof createActivities>;
const mail = proxyActivities<Activities>(mailActivity);
const decreeActs = proxyActivities<Activities>(decreeActivity);

export class CycleDecrees {
  /** Decree numbers whose handler is running in this run: a second call for one waits for the first's record. */
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly c: CycleState,
    private readonly chain: CycleChain,
  ) {}

  async issue(u: IssueDecreeInput): Promise<DecreeOutcome> {
    const { config, carry } = this.c;
    this.chain.noteLength();
    const decree: DecreeRef = { number: u.number, date: u.date, signatory: u.signatory };
    const known = carry.decrees?.[u.number];
    if (this.inFlight.has(u.number)) await condition(() => !this.inFlight.has(u.number));
    this.inFlight.add(u.number);
    try {
      // Recording is idempotent by (cycle, number): a retried decree reads its own record and applies only what is
      // still pending, so nothing is determined twice (activities/decree.activity.ts).
      const recorded = await decreeActs
        .recordDecree({ cycleId: config.id, decree, actor: u.actor })
        .catch((err: unknown) => {
          // The record's own refusal (a number taken by another decree meanwhile) is the update's answer.
          const cause = err instanceof ActivityFailure ? err.cause : undefined;
          if (cause instanceof ApplicationFailure && cause.type === 'Refused') refuse(cause.message);
          throw err;
        });
      const outcome = await decreeActs.applyDecree({ cycleId: config.id, decree, actor: u.actor });
      (carry.decrees ??= {})[u.number] = {
        decree,
        determined: outcome.determined.length,
        skipped: outcome.skipped.length,
      };
      if (!known && recorded.created) {
        await mail.sendNotification({
          key: `ovop/${config.id}|decree|${u.number}`,
          workflowId: workflowInfo().workflowId,
          to: config.contacts.coordinators,
          template: 'decree_recorded',
          data: {
            cycleName: config.name,
            decree,
            decreeOutcome: outcome,
            timezone: config.timezone,
            workflowId: workflowInfo().workflowId,
          },
        });
      }
      this.chain.noteLength();
      return { ...outcome, alreadyRecorded: !recorded.created };
    } finally {
      this.inFlight.delete(u.number);
    }
  }

  /** A number names one decree: sent again with another date or signatory, it is refused rather than overwritten. */
  validate(u: IssueDecreeInput): void {
    const { config, carry } = this.c;
    checkActor(u?.actor);
    requireCoordinator(u.actor);
    checkDecree(u);
    const known = carry.decrees?.[u.number]?.decree;
    if (
      known &&
      (known.date !== u.date ||
        known.signatory.office !== u.signatory.office ||
        known.signatory.name !== u.signatory.name)
    )
      refuse(
        `decree ${u.number} is already recorded, dated ${known.date} and signed by ${known.signatory.name}; a new decree needs a number of its own`,
        { rule: 'decree_number_taken', params: { number: u.number } },
      );
    if (this.c.finalized)
      refuse(`cycle ${config.id} is finalized`, { rule: 'cycle_finalized', params: { cycle: config.id } });
    this.chain.turnAwayWhileDraining();
  }
}
