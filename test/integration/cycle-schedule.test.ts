/**
 * Cycles that open themselves: `ovop cycle schedule` against the run's Temporal server, as a user runs it (the CLI in a
 * child process). A yearly and a biennial series' calendars recur (their next action times, by the server); list,
 * pause, unpause and delete with their refusals; a schedule opens its first cycle at the given time; a compressed
 * schedule (`--every`) opens two cycles, each its own awardCycle with its own id and rows; and a second firing in a
 * year already opened collides with nothing: it fails and opens nothing. Every command goes through this file's API
 * with a user's token (POST /api/cycle-schedules and the routes beside it).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScheduleNotFoundError, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startApi, type ApiUnderTest } from '../support/api';
import { cliRunner, REPO_ROOT, type Ovop } from '../support/cli';
import { startHarness, waitFor, type Harness } from '../support/harness';

/** CLI runs take seconds each on the shared machine, and the schedule tests wait for real firings. */
const SLOW = 300_000;

let h: Harness;
/** Where the nominations into the scheduled cycles go (nominate is an actor command, through the API). */
let api: ApiUnderTest;
let ovop: Ovop;
let dir: string;
/** Workflows this file opened, terminated at the end so they do not run on in the shared server. */
const opened: string[] = [];
const schedules: string[] = [];

/** examples/cycle.yaml under another id (and cadence). */
function cycleFile(id: string, cadence: 'yearly' | 'biennial' = 'yearly'): string {
  const path = join(dir, `${id}.yaml`);
  const text = readFileSync(join(REPO_ROOT, 'examples', 'cycle.yaml'), 'utf8')
    .replace(/^id: ovop-contoh$/m, `id: ${id}`)
    .replace(/^cadence: yearly$/m, `cadence: ${cadence}`);
  writeFileSync(path, text);
  return path;
}

/** A cycle id as the test expects it, written independently of domain/cycle-series.ts: Jakarta is UTC+7 all year. */
function jakartaStamp(at: Date): string {
  const wib = new Date(at.getTime() + 7 * 3600_000).toISOString();
  return `${wib.slice(0, 4)}${wib.slice(5, 7)}${wib.slice(8, 10)}-${wib.slice(11, 13)}${wib.slice(14, 16)}${wib.slice(17, 19)}`;
}

/** Runs CLI calls one after another: on a loaded machine, parallel CLI starts time out connecting. */
async function inTurn<T>(calls: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (const call of calls) results.push(await call());
  return results;
}

beforeAll(async () => {
  h = await startHarness('cycle-schedule');
  api = await startApi(h);
  ovop = cliRunner(h.taskQueue, api);
  dir = mkdtempSync(join(tmpdir(), 'ovop-jadwal-'));
});
afterAll(async () => {
  for (const id of schedules)
    await h?.client.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
  for (const id of opened)
    await h?.client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
  await api?.stop();
  await h?.stop();
});

describe('ovop cycle schedule', () => {
  it(
    "recurs at the config's cadence on the calendar date in the cycle's time zone: yearly, and every two years",
    async () => {
      const yearly = cycleFile('uji-tahunan-2027');
      const biennial = cycleFile('uji-dwitahunan-2027', 'biennial');
      schedules.push('ovop/uji-tahunan/schedule', 'ovop/uji-dwitahunan/schedule');
      const [a, b] = await inTurn([
        // The default first opening: phases.kickoff (2027-02-01) at 08:00 in Asia/Jakarta.
        () => ovop(['--json', 'cycle', 'schedule', '--config', yearly], { token: api.tokens.coordinator }),
        () =>
          ovop(['--json', 'cycle', 'schedule', '--config', biennial, '--at', '2027-02-01T09:30'], {
            token: api.tokens.coordinator,
          }),
      ]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      expect(a.json()).toMatchObject({
        scheduleId: 'ovop/uji-tahunan/schedule',
        series: 'uji-tahunan',
        cadence: 'yearly',
        paused: false,
        next: [
          { at: '2027-02-01T08:00:00+07:00', cycleId: 'uji-tahunan-2027' },
          { at: '2028-02-01T08:00:00+07:00', cycleId: 'uji-tahunan-2028' },
          { at: '2029-02-01T08:00:00+07:00', cycleId: 'uji-tahunan-2029' },
        ],
      });
      expect(b.json().next).toEqual([
        { at: '2027-02-01T09:30:00+07:00', cycleId: 'uji-dwitahunan-2027' },
        { at: '2029-02-01T09:30:00+07:00', cycleId: 'uji-dwitahunan-2029' },
        { at: '2031-02-01T09:30:00+07:00', cycleId: 'uji-dwitahunan-2031' },
      ]);

      // The server's own description: a calendar in Asia/Jakarta whose action times recur, and the opener as action.
      const d = await h.client.schedule.getHandle('ovop/uji-dwitahunan/schedule').describe();
      expect(d.spec.timezone).toBe('Asia/Jakarta');
      expect(d.spec.calendars?.[0]).toMatchObject({
        year: [{ start: 2027, end: 2100, step: 2 }],
        month: [{ start: 'FEBRUARY', end: 'FEBRUARY', step: 1 }],
        dayOfMonth: [{ start: 1, end: 1, step: 1 }],
        hour: [{ start: 9, end: 9, step: 1 }],
        minute: [{ start: 30, end: 30, step: 1 }],
      });
      expect(d.info.nextActionTimes.slice(0, 5).map((t) => t.toISOString())).toEqual(
        [2027, 2029, 2031, 2033, 2035].map((y) => `${y}-02-01T02:30:00.000Z`),
      );
      expect(d.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: 'cycleOpener',
        workflowId: 'ovop/uji-dwitahunan/opener',
      });

      // A second schedule of the series is refused; a cycle it will open is not there yet and is not opened by hand.
      const hand = join(dir, 'uji-tahunan-2028.yaml');
      writeFileSync(hand, readFileSync(yearly, 'utf8').replace(/^id: .*$/m, 'id: uji-tahunan-2028'));
      const [again, early, byHand] = await inTurn([
        () => ovop(['cycle', 'schedule', '--config', yearly, '--at', '2027-03-01'], { token: api.tokens.coordinator }),
        () => ovop(['cycle', 'status', 'uji-tahunan-2027'], { token: api.tokens.coordinator }),
        () => ovop(['cycle', 'start', '--config', hand], { token: api.tokens.coordinator }),
      ]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('series uji-tahunan already has a schedule (ovop/uji-tahunan/schedule)');
      expect(early.code).toBe(1);
      expect(early.stderr).toContain(
        'cycle uji-tahunan-2027 has not opened yet; the schedule of series uji-tahunan (ovop/uji-tahunan/schedule) opens it at 2027-02-01 08:00 WIB',
      );
      expect(byHand.code).toBe(1);
      expect(byHand.stderr).toContain('cycle uji-tahunan-2028 is scheduled: the schedule of series uji-tahunan');
      expect((await h.client.workflow.count(`WorkflowId = 'ovop/uji-tahunan-2028/cycle'`)).count).toBe(0);
    },
    SLOW,
  );

  it(
    'refuses what it cannot do: a non-coordinator, signed out or a forged actor (nothing created), a past date, a too short --every',
    async () => {
      const config = cycleFile('uji-tolak-2027');
      const [dinas, past, tooShort, notSeconds, badAt] = await inTurn([
        () => ovop(['cycle', 'schedule', '--config', config], { token: api.tokens.garut }),
        () => ovop(['cycle', 'schedule', '--config', config, '--at', '2020-02-01'], { token: api.tokens.coordinator }),
        () => ovop(['cycle', 'schedule', '--config', config, '--every', '2s'], { token: api.tokens.coordinator }),
        () => ovop(['cycle', 'schedule', '--config', config, '--every', '7500ms'], { token: api.tokens.coordinator }),
        () => ovop(['cycle', 'schedule', '--config', config, '--at', 'besok'], { token: api.tokens.coordinator }),
      ]);
      expect(dinas.code).toBe(1);
      expect(dinas.stderr).toContain('role dinas_kabkota may not schedule cycles; only a coordinator may');
      expect(past.code).toBe(2);
      expect(past.stderr).toContain('is in the past');
      expect(tooShort.code).toBe(2);
      expect(tooShort.stderr).toContain('at least 5s');
      expect(notSeconds.code).toBe(2);
      expect(badAt.code).toBe(2);
      // The route itself: an auditor reads schedules but creates none, a caller with no token is asked to sign in,
      // and a body that names its own actor is refused whole (unknown fields).
      const yaml = readFileSync(config, 'utf8');
      const [byAuditor, signedOut, withActor] = await Promise.all([
        call(api, 'POST', '/api/cycle-schedules', { token: api.tokens.auditor, body: { config: yaml } }),
        call(api, 'POST', '/api/cycle-schedules', { body: { config: yaml } }),
        call(api, 'POST', '/api/cycle-schedules', {
          token: api.tokens.garut,
          body: { config: yaml, actor: 'coordinator:koordinator-ikma:00' },
        }),
      ]);
      expect([byAuditor.status, byAuditor.body]).toEqual([
        403,
        { code: 'forbidden', message: 'role auditor may not schedule cycles; only a coordinator may' },
      ]);
      expect([signedOut.status, signedOut.body.code]).toEqual([401, 'signed_out']);
      expect([withActor.status, withActor.body.code]).toEqual([400, 'invalid_request']);
      expect(withActor.body.message).toContain('actor');
      await expect(h.client.schedule.getHandle('ovop/uji-tolak/schedule').describe()).rejects.toBeInstanceOf(
        ScheduleNotFoundError,
      );
    },
    SLOW,
  );

  it(
    'lists, pauses, unpauses and deletes a series’ schedule; each refusal exits 1 and changes nothing',
    async () => {
      const config = cycleFile('uji-kelola-2027');
      const created = await ovop(['cycle', 'schedule', '--config', config], { token: api.tokens.coordinator });
      expect(created.code, created.stderr).toBe(0);
      schedules.push('ovop/uji-kelola/schedule');
      const handle = h.client.schedule.getHandle('ovop/uji-kelola/schedule');

      // Schedules are listed from visibility, which follows a moment behind.
      const listed = await waitFor(async () => {
        const r = await ovop(['--json', 'cycle', 'schedule', 'list'], { token: api.tokens.auditor });
        return r.json().schedules.find((s: { series: string }) => s.series === 'uji-kelola');
      });
      expect(listed).toMatchObject({
        cadence: 'yearly',
        paused: false,
        next: [{ cycleId: 'uji-kelola-2027' }, {}, {}],
      });

      const byDinas = await ovop(['cycle', 'schedule', 'pause', 'uji-kelola'], { token: api.tokens.garut });
      expect(byDinas.code).toBe(1);
      expect(byDinas.stderr).toContain('role dinas_kabkota may not pause a cycle schedule');
      expect((await handle.describe()).state.paused).toBe(false);

      const paused = await ovop(
        ['--json', 'cycle', 'schedule', 'pause', 'uji-kelola', '--note', 'anggaran belum turun'],
        {
          token: api.tokens.coordinator,
        },
      );
      expect(paused.code, paused.stderr).toBe(0);
      expect(paused.json()).toMatchObject({
        paused: true,
        note: 'paused by coordinator:koordinator-ikma: anggaran belum turun',
      });
      const state = (await handle.describe()).state;
      expect(state).toMatchObject({
        paused: true,
        note: 'paused by coordinator:koordinator-ikma: anggaran belum turun',
      });
      const [again, list] = await inTurn([
        () => ovop(['cycle', 'schedule', 'pause', 'ovop/uji-kelola/schedule'], { token: api.tokens.coordinator }),
        () => ovop(['cycle', 'schedule', 'list'], { token: api.tokens.coordinator }),
      ]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(
        'is already paused (paused by coordinator:koordinator-ikma: anggaran belum turun)',
      );
      expect(list.stdout).toMatch(/^uji-kelola +yearly +paused +uji-kelola-2027 at 2027-02-01 08:00 WIB/m);

      const unpaused = await ovop(['cycle', 'schedule', 'unpause', 'uji-kelola'], { token: api.tokens.coordinator });
      expect(unpaused.code, unpaused.stderr).toBe(0);
      expect(unpaused.stdout).toContain('runs again; next: uji-kelola-2027 at 2027-02-01 08:00 WIB');
      expect((await handle.describe()).state.paused).toBe(false);
      const notPaused = await ovop(['cycle', 'schedule', 'unpause', 'uji-kelola'], { token: api.tokens.coordinator });
      expect(notPaused.code).toBe(1);
      expect(notPaused.stderr).toContain('is not paused');

      const deleted = await ovop(['--json', 'cycle', 'schedule', 'delete', 'uji-kelola'], {
        token: api.tokens.coordinator,
      });
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(deleted.json()).toMatchObject({ deleted: true, series: 'uji-kelola' });
      await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
      const [gone, badName] = await inTurn([
        () => ovop(['cycle', 'schedule', 'delete', 'uji-kelola'], { token: api.tokens.coordinator }),
        () => ovop(['cycle', 'schedule', 'delete', 'Bukan Seri'], { token: api.tokens.coordinator }),
      ]);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toContain('series uji-kelola has no schedule (ovop/uji-kelola/schedule)');
      expect(badName.code).toBe(2);
    },
    SLOW,
  );

  it(
    'opens the first cycle at its time, under <series>-<year>; a second firing that year opens nothing',
    async () => {
      const config = cycleFile('uji-buka');
      // Far enough ahead that a CLI started on a busy (shared) machine still schedules it in the future.
      const at = new Date(Date.now() + 90_000);
      at.setUTCMilliseconds(0);
      const year = new Date(at.getTime() + 7 * 3600_000).getUTCFullYear();
      const cycleId = `uji-buka-${year}`;
      const created = await ovop(
        ['--json', 'cycle', 'schedule', '--config', config, '--at', at.toISOString().replace('.000Z', 'Z')],
        { token: api.tokens.coordinator },
      );
      expect(created.code, created.stderr).toBe(0);
      schedules.push('ovop/uji-buka/schedule');
      opened.push(`ovop/${cycleId}/cycle`);
      // --json writes the times in the cycle's zone (+07:00): the same instants.
      const next = (created.json().next as { at: string; cycleId: string }[]).slice(0, 2);
      expect(next.map((n) => [Date.parse(n.at), n.cycleId])).toEqual([
        [at.getTime(), cycleId],
        [Date.parse(at.toISOString().replace(String(year), String(year + 1))), `uji-buka-${year + 1}`],
      ]);
      const schedule = h.client.schedule.getHandle('ovop/uji-buka/schedule');
      // Describing a schedule asks the server's own scheduler; on a loaded machine that can pass its deadline (gRPC 4),
      // which is a look that came too early, not an answer.
      const lastOpening = async () => {
        try {
          return (await schedule.describe()).info.recentActions[0]?.action.workflow;
        } catch (err) {
          if ((err as { cause?: { code?: number } }).cause?.code === 4) return undefined;
          throw err;
        }
      };
      const opener = await waitFor(lastOpening, {
        what: 'the scheduled opening',
        timeoutMs: 180_000,
      });
      expect(opener.workflowId).toMatch(/^ovop\/uji-buka\/opener-/);
      expect(await h.client.workflow.getHandle(opener.workflowId).result()).toEqual({
        cycleId,
        workflowId: `ovop/${cycleId}/cycle`,
        scheduledAt: at.toISOString(),
      });
      const cycle = await h.client.workflow.getHandle(`ovop/${cycleId}/cycle`).describe();
      expect(cycle.type).toBe('awardCycle');
      expect(cycle.status.name).toBe('RUNNING');
      expect(cycle.startTime.getTime()).toBeGreaterThanOrEqual(at.getTime());
      // The API reads the cycle from its row, which the cycle writes a moment after it starts.
      const status = await waitFor(async () => {
        const r = await ovop(['--json', 'cycle', 'status', cycleId], { token: api.tokens.coordinator });
        return r.code === 0 ? r : undefined;
      });
      expect(status.json()).toMatchObject({ cycleId, status: 'OPEN', nominated: 0 });
      // The schedule goes on: next year, same date and time.
      expect((await schedule.describe()).info.nextActionTimes[0].toISOString()).toBe(
        at.toISOString().replace(String(year), String(year + 1)),
      );

      // A manual trigger now is due this year too: its cycle id is taken, so that opener fails and opens nothing.
      await schedule.trigger('ALLOW_ALL');
      const second = await waitFor(async () => (await schedule.describe()).info.recentActions[1]?.action.workflow, {
        what: 'the triggered opening',
      });
      const failure = await h.client.workflow
        .getHandle(second.workflowId)
        .result()
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect((failure as WorkflowFailedError).cause?.message).toContain(
        `cycle ${cycleId} already exists (workflow ovop/${cycleId}/cycle); this firing`,
      );
      const cycles = await h.client.workflow.count(
        `WorkflowType = 'awardCycle' AND WorkflowId STARTS_WITH 'ovop/uji-buka'`,
      );
      expect(cycles.count).toBe(1);
      expect((await h.client.workflow.getHandle(`ovop/${cycleId}/cycle`).describe()).runId).toBe(cycle.runId);
      await schedule.delete();
    },
    SLOW,
  );

  it(
    'a compressed schedule (--every) opens two cycles at their times, each its own awardCycle with its own id and rows',
    async () => {
      const config = cycleFile('uji-padat');
      const created = await ovop(['--json', 'cycle', 'schedule', '--config', config, '--every', '10s'], {
        token: api.tokens.coordinator,
      });
      expect(created.code, created.stderr).toBe(0);
      schedules.push('ovop/uji-padat/schedule');
      const next = created.json().next as { at: string; cycleId: string }[];
      expect(next.map((n) => n.cycleId)).toEqual(next.map((n) => `uji-padat-${jakartaStamp(new Date(n.at))}`));
      expect(Date.parse(next[1].at) - Date.parse(next[0].at)).toBe(10_000);

      const schedule = h.client.schedule.getHandle('ovop/uji-padat/schedule');
      const firings = await waitFor(
        async () => {
          const actions = (await schedule.describe()).info.recentActions;
          return actions.length >= 2 ? actions.slice(0, 2) : undefined;
        },
        { what: 'two openings', timeoutMs: 120_000 },
      );
      await schedule.pause('test: two are enough');
      const ids = firings.map((f) => `uji-padat-${jakartaStamp(f.scheduledAt)}`);
      opened.push(...ids.map((id) => `ovop/${id}/cycle`));
      expect(firings[1].scheduledAt.getTime() - firings[0].scheduledAt.getTime()).toBe(10_000);
      expect(new Set(ids).size).toBe(2);

      for (const [i, f] of firings.entries()) {
        const result = await h.client.workflow.getHandle(f.action.workflow.workflowId).result();
        expect(result).toEqual({
          cycleId: ids[i],
          workflowId: `ovop/${ids[i]}/cycle`,
          scheduledAt: f.scheduledAt.toISOString(),
        });
        const cycle = await h.client.workflow.getHandle(`ovop/${ids[i]}/cycle`).describe();
        expect(cycle.type).toBe('awardCycle');
        // Opened at its time: not before it was due, and within a few seconds of it.
        expect(cycle.startTime.getTime()).toBeGreaterThanOrEqual(f.scheduledAt.getTime());
        expect(cycle.startTime.getTime() - f.scheduledAt.getTime()).toBeLessThan(10_000);
      }

      // Each cycle writes its own row, and takes its own nominations.
      const rows = await waitFor(async () => {
        const r = await h.db
          .selectFrom('cycles')
          .select(['id', 'status'])
          .where('id', 'in', ids)
          .orderBy('id')
          .execute();
        return r.length === 2 ? r : undefined;
      });
      expect(rows).toEqual(ids.map((id) => ({ id, status: 'OPEN' })));
      for (const id of ids) {
        const r = await ovop(
          [
            '--json',
            'nominate',
            '--cycle',
            id,
            '--regency',
            '32.05',
            '--ikm',
            'Dodol Picnic',
            '--sentra',
            'Sentra Dodol Garut',
            '--commodity',
            'makanan_minuman',
            '--product',
            'Dodol',
            '--sentra-size',
            '12',
          ],
          { token: api.tokens.garut },
        );
        expect(r.code, r.stderr).toBe(0);
        opened.push(`ovop/${id}/nomination/32.05/dodol-picnic`);
      }
      const nominations = await waitFor(async () => {
        const r = await h.db
          .selectFrom('nominations')
          .select(['cycle_id', 'workflow_id'])
          .where('cycle_id', 'in', ids)
          .orderBy('cycle_id')
          .execute();
        return r.length === 2 ? r : undefined;
      });
      expect(nominations).toEqual(
        ids.map((id) => ({ cycle_id: id, workflow_id: `ovop/${id}/nomination/32.05/dodol-picnic` })),
      );
    },
    SLOW,
  );
});
