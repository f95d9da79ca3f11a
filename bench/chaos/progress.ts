/**
 * How far the run is: stage changes seen by the drivers against the changes their scripts will make, nominations
 * settled, and where the others are. The fault schedule is laid out on this fraction (not on the clock), so that the
 * faults land while work is in flight however fast or slow the machine is.
 */
import type { Stage } from '../../domain/types';
import { EXPECTED_STEPS, type ChaosScript } from './drive';

export class Progress {
  private readonly steps = new Map<string, number>();
  private readonly stage = new Map<string, Stage | 'NOMINATING'>();
  private readonly expected: number;
  private doneSteps = 0;
  settled = 0;
  lost = 0;

  constructor(private readonly items: readonly { workflowId: string; script: ChaosScript }[]) {
    // +1 per nomination for the nominate Update itself.
    this.expected = items.reduce((s, it) => s + EXPECTED_STEPS[it.script] + 1, 0);
  }

  get total(): number {
    return this.items.length;
  }

  nominating(workflowId: string): void {
    this.stage.set(workflowId, 'NOMINATING');
  }

  nominated(workflowId: string): void {
    this.bump(workflowId, 1);
  }

  stageSeen(workflowId: string, script: ChaosScript, stage: Stage): void {
    this.stage.set(workflowId, stage);
    const cap = EXPECTED_STEPS[script] + 1;
    if ((this.steps.get(workflowId) ?? 0) < cap) this.bump(workflowId, 1);
  }

  settle(workflowId: string, script: ChaosScript, ok: boolean): void {
    const cap = EXPECTED_STEPS[script] + 1;
    this.bump(workflowId, cap - (this.steps.get(workflowId) ?? 0));
    this.settled++;
    if (!ok) this.lost++;
    this.stage.delete(workflowId);
  }

  /** 0…1 */
  fraction(): number {
    return this.expected === 0 ? 1 : this.doneSteps / this.expected;
  }

  /** Nominations in flight per stage, e.g. "AWAITING_DOCUMENTS 12, IN_ASSESSMENT 9". */
  inFlight(): string {
    const counts = new Map<string, number>();
    for (const s of this.stage.values()) counts.set(s, (counts.get(s) ?? 0) + 1);
    return (
      [...counts.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([s, c]) => `${s} ${c}`)
        .join(', ') || '-'
    );
  }

  private bump(workflowId: string, by: number): void {
    if (by <= 0) return;
    this.steps.set(workflowId, (this.steps.get(workflowId) ?? 0) + by);
    this.doneSteps += by;
  }
}
