/**
 * A replay that does not finish within its deadline is not decided (neither passed nor failed, nothing stored), its
 * replay worker is replaced, and the histories behind it still get their verdicts: on the replay pool the CLI and the
 * API share, and on the API's replayer, which tries such a history once more and then leaves it undecided. The
 * deadline is far below what any real replay takes (1 ms), so the timeout is certain, not a race.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Replayer } from '../../api/replayer';
import { historyFromJSON } from '../../client/history-json';
import { verdictOf } from '../../client/replay';
import { replayInParallel, type ReplayOutcome } from '../../client/replay-pool';
import { loadReplayCode } from '../../api/replayer';
import { createDb, type Database } from '../../db/database';
import { historySha256 } from '../../db/history-archive';
import type { Kysely } from 'kysely';
import { waitFor } from '../support/harness';

const dir = new URL('../fixtures/histories/', import.meta.url);
const fixture = (file: string) => {
  const history = historyFromJSON(JSON.parse(readFileSync(new URL(file, dir), 'utf8')));
  const runId = history.events![0].workflowExecutionStartedEventAttributes!.originalExecutionRunId!;
  return { workflowId: `uji-replay-timeout/${file.replace(/\.json$/, '')}`, runId, history };
};
const FILES = ['award-cycle-r2-first-run.json', 'award-cycle-r2.json', 'nomination-r1-excellent.json'];
const bundlePath = inject('workflowBundlePath');

describe('the replay pool', () => {
  it('reports a replay past its deadline as not decided and replays the next history on a fresh worker', async () => {
    const [late, ...others] = FILES.map(fixture);
    const { options } = await loadReplayCode(bundlePath, 60);
    const started: string[] = [];
    const outcomes: ReplayOutcome<ReturnType<typeof fixture>>[] = [];
    for await (const o of replayInParallel(options, [late, ...others], 1, {
      deadlineMs: (h) => (h === late ? 1 : 60_000),
      onStart: (h) => started.push(h.workflowId),
    }))
      outcomes.push(o);

    expect(started).toEqual([late, ...others].map((h) => h.workflowId));
    expect(outcomes.map((o) => [o.input.workflowId, o.timedOut ?? false, verdictOf(o.error).ok])).toEqual([
      [late.workflowId, true, false],
      ...others.map((h) => [h.workflowId, false, true]),
    ]);
    expect(outcomes[0].runId).toBe(late.runId);
    expect(verdictOf(outcomes[0].error)).toEqual({
      ok: false,
      kind: 'timed out',
      message: 'the replay did not finish within 1 ms; the code was not judged on this history',
    });
  }, 60_000);

  it('goes on with the other histories on several workers at once, each outcome matched to its own history', async () => {
    const histories = [...FILES, 'nomination-r2-excellent.json', 'award-cycle-r4-award.json'].map(fixture);
    const late = histories[1];
    const { options } = await loadReplayCode(bundlePath, 60);
    const outcomes: ReplayOutcome<ReturnType<typeof fixture>>[] = [];
    for await (const o of replayInParallel(options, histories, 3, { deadlineMs: (h) => (h === late ? 1 : 60_000) }))
      outcomes.push(o);
    const byId = new Map(outcomes.map((o) => [o.input.workflowId, o]));
    expect(outcomes).toHaveLength(histories.length);
    for (const h of histories) {
      const o = byId.get(h.workflowId)!;
      expect(o.runId).toBe(h.runId);
      expect(verdictOf(o.error).kind ?? 'ok').toBe(h === late ? 'timed out' : 'ok');
    }
  }, 60_000);
});

describe("the API's replayer", () => {
  let db: Kysely<Database>;
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const starts: Record<string, unknown>[] = [];
  let replayer: Replayer;

  beforeAll(() => {
    db = createDb(inject('databaseUrl'));
    replayer = new Replayer(db, {
      bundlePath,
      timeoutSeconds: 0.001,
      log: {
        debug: (fields, message) => message === 'replay started' && starts.push(fields),
        warn: (fields, message) => warnings.push({ fields, message }),
        error: (message, err) => warnings.push({ fields: { err }, message }),
      },
    });
  });
  afterAll(async () => {
    await replayer?.close();
    await db?.destroy();
  });

  it('stores no verdict for a replay that timed out, tries it once more, then leaves it undecided', async () => {
    const jobs = FILES.slice(0, 2)
      .map(fixture)
      .map((f) => ({ ...f, historySha256: historySha256(f.history) }));
    for (const job of jobs) expect(replayer.enqueue(job)).toBe(true);
    // Each history times out twice, each time on a fresh replay worker, and the queue goes on to the next.
    await waitFor(async () => jobs.every((j) => replayer.gaveUp(j)), {
      what: 'both histories undecided',
      timeoutMs: 60_000,
    });

    expect(replayer.unavailable).toBeUndefined();
    expect(replayer.queued).toBe(0);
    for (const job of jobs) {
      expect(replayer.undecidedOf(job)).toEqual({ timeouts: 2, deadlineMs: 1 });
      // Not queued again: the page says "not decided" instead of "queued" for ever.
      expect(replayer.enqueue(job)).toBe(false);
    }
    const logged = (job: (typeof jobs)[number]) =>
      warnings.filter((w) => w.fields.runId === job.runId).map((w) => w.message);
    for (const job of jobs)
      expect(logged(job)).toEqual([
        'replay timed out after 1 ms; queued again',
        'replay timed out after 1 ms; left undecided',
      ]);
    expect(warnings).toHaveLength(4);
    // Each start is logged with what it replays, so a hang shows as a start with no verdict.
    expect(starts).toHaveLength(4);
    expect(starts[0]).toEqual({
      workflowId: jobs[0].workflowId,
      runId: jobs[0].runId,
      events: jobs[0].history.events!.length,
    });
    const stored = await db
      .selectFrom('replay_verdicts')
      .select('run_id')
      .where(
        'workflow_id',
        'in',
        jobs.map((j) => j.workflowId),
      )
      .execute();
    expect(stored).toEqual([]);
  }, 90_000);
});
