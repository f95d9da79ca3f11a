/**
 * The permanent history archive (issue #15 item 6): a closed nomination's history is archived, compressed with its
 * SHA-256, once however many sweeps run at the same time; after Temporal deletes the run, `ovop audit replay`, `trail`
 * and `verify` read it from the archive and say so; a changed archive row is refused with exit 1.
 */
import { sql } from 'kysely';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { dinasOf, nominationInput, startNominationDirectly, testConfig, workflowInput } from '../../bench/drivers';
import { fetchRunChain } from '../../client/run-chain';
import { archiveClosedRuns, CLOSED_RUNS_QUERY } from '../../common/history-archiver';
import { isRunNotFound } from '../../common/temporal-not-found';
import { ARCHIVE_ENCODING } from '../../db/history-archive';
import { attendSocializationUpdate, nominationStateQuery, withdrawUpdate } from '../../workflows/messages';
import { cliRunner, type Ovop } from '../support/cli';
import { startHarness, waitFor, type Harness } from '../support/harness';

let h: Harness;
let ovop: Ovop;
beforeAll(async () => {
  h = await startHarness('archive');
  ovop = cliRunner(h.taskQueue);
});
afterAll(async () => {
  await h?.stop();
});

const dinas = dinasOf('32.05');
const config = testConfig('uji-arsip');
const bundle = () => ['--workflow-bundle', inject('workflowBundlePath')];
// Several CLI runs replay at once; on a loaded machine each may take longer than the runner's default minute.
const slow = { timeoutMs: 150_000 };

describe('the history archive', () => {
  let workflowId = '';
  // A withdrawn nomination is two runs (short runs): the first continued as new on entering AWAITING_DOCUMENTS.
  let runs: { runId: string; events: number; status: string }[] = [];
  let runId = '';
  let events = 0;

  it('archives a closed nomination once, compressed with the SHA-256 of its bytes, however many sweeps run', async () => {
    const n = nominationInput(config, { regencyCode: '32.05', ikmName: 'Batik Arsip Garut' });
    const started = await startNominationDirectly(h, h.taskQueue, workflowInput(config, n));
    workflowId = started.workflowId;
    const handle = started.handle;
    await waitFor(async () => (await handle.query(nominationStateQuery)).stage === 'AWAITING_SOCIALIZATION', {
      what: 'AWAITING_SOCIALIZATION',
    });
    await handle.executeUpdate(attendSocializationUpdate, { args: [{ actor: dinas, sessionId: 'sesi-1-yogyakarta' }] });
    await waitFor(async () => (await handle.query(nominationStateQuery)).stage === 'AWAITING_DOCUMENTS', {
      what: 'AWAITING_DOCUMENTS',
    });
    await handle.executeUpdate(withdrawUpdate, { args: [{ actor: dinas, reason: 'Arsip uji' }] });
    await handle.result();
    const chain = await fetchRunChain(h.client, workflowId);
    runs = chain.map((r, i) => ({
      runId: r.runId,
      events: r.history.events!.length,
      status: i === chain.length - 1 ? 'COMPLETED' : 'CONTINUED_AS_NEW',
    }));
    expect(runs).toHaveLength(2);
    runId = runs.at(-1)!.runId;
    events = runs.reduce((sum, r) => sum + r.events, 0);

    // The sweep's own query, narrowed to this run; visibility lists a closed run a moment after it closes.
    const query = `${CLOSED_RUNS_QUERY} AND WorkflowId = '${workflowId}'`;
    await waitFor(async () => (await h.client.workflow.count(query)).count === runs.length, {
      what: 'the run listed closed',
      timeoutMs: 120_000,
    });
    const sweeps = await Promise.all([0, 1, 2].map(() => archiveClosedRuns(h.client, h.db, query)));
    expect(sweeps.map((s) => s.closed)).toEqual([2, 2, 2]);
    expect(sweeps.reduce((sum, s) => sum + s.archived, 0)).toBe(2);
    expect((await archiveClosedRuns(h.client, h.db, query)).archived).toBe(0);

    const rows = await h.db
      .selectFrom('workflow_history_archive')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .execute();
    expect(rows).toHaveLength(runs.length);
    for (const run of runs) {
      const row = rows.find((r) => r.run_id === run.runId)!;
      expect(row).toMatchObject({
        workflow_type: 'nomination',
        cycle_id: config.id,
        status: run.status,
        event_count: run.events,
        encoding: ARCHIVE_ENCODING,
      });
      const bytes = gunzipSync(row.history);
      expect(bytes.length).toBe(row.size);
      expect(row.history.length).toBeLessThan(row.size);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(row.sha256);
    }
  }, 300_000);

  it('refuses to change an archived row', async () => {
    await expect(
      sql`update workflow_history_archive set status = 'FAILED' where run_id = ${runId}`.execute(h.db),
    ).rejects.toThrow('workflow_history_archive is append-only: UPDATE refused');
    await expect(sql`delete from workflow_history_archive where run_id = ${runId}`.execute(h.db)).rejects.toThrow(
      'workflow_history_archive is append-only: DELETE refused',
    );
    const row = await h.db
      .selectFrom('workflow_history_archive')
      .select('status')
      .where('run_id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('COMPLETED');
  });

  it('replays, verifies and shows the trail from the archive once Temporal has deleted the run', async () => {
    for (const run of runs)
      await h.client.workflowService.deleteWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId, runId: run.runId },
      });
    await waitFor(
      async () => {
        for (const run of runs) {
          const deleted = await h.client.workflow
            .getHandle(workflowId, run.runId)
            .describe()
            .then(
              () => false,
              (err) => isRunNotFound(err),
            );
          if (!deleted) return false;
        }
        return true;
      },
      // The server deletes in a task of its own, after the other work queued on its one shard: slow under CI's load.
      { what: 'Temporal to delete the run', timeoutMs: 120_000 },
    );

    const [replay, replayText, verify, verifyText, onlyTemporal, trail] = await Promise.all([
      ovop(['--json', 'audit', 'replay', workflowId, ...bundle()], slow),
      ovop(['audit', 'replay', workflowId, ...bundle()], slow),
      ovop(['--json', 'audit', 'verify', config.id, ...bundle()], slow),
      ovop(['audit', 'verify', config.id, ...bundle()], slow),
      ovop(['--json', 'audit', 'verify', config.id, '--source', 'temporal', ...bundle()], slow),
      ovop(['--json', 'audit', 'trail', workflowId], slow),
    ]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.json()).toMatchObject({ workflowId, runId, source: 'archive', events, runs: 2, ok: true });
    expect(replayText.stdout).toContain(
      `${workflowId} (${events} events in 2 runs, from the history archive (PostgreSQL))`,
    );
    expect(replayText.stdout).toContain(': OK');

    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.json()).toMatchObject({ sources: { temporal: 0, archive: 2 }, replayed: 2, missing: 0, failed: 0 });
    expect(verify.json().results).toEqual(
      expect.arrayContaining(
        runs.map((r) => expect.objectContaining({ workflowId, runId: r.runId, source: 'archive', ok: true })),
      ),
    );
    expect(verifyText.stdout).toContain(
      `Replayed 2 workflow runs of cycle ${config.id} (0 from Temporal, 2 from the history archive (PostgreSQL))`,
    );
    // Without the archive, the nomination the projection records has no history anywhere.
    expect(onlyTemporal.code).toBe(1);
    expect(onlyTemporal.json()).toMatchObject({ replayed: 0, missing: 1, results: [{ workflowId, kind: 'missing' }] });

    expect(trail.code, trail.stderr).toBe(0);
    expect(trail.json()).toMatchObject({ workflowId, source: 'archive', events, comparison: { mismatches: [] } });
  }, 300_000);

  it('refuses an archived history whose bytes no longer match its hash (exit 1), before any replay', async () => {
    await h.db.transaction().execute(async (trx) => {
      await sql`alter table workflow_history_archive disable trigger workflow_history_archive_append_only`.execute(trx);
      const { history } = await trx
        .selectFrom('workflow_history_archive')
        .select('history')
        .where('run_id', '=', runId)
        .executeTakeFirstOrThrow();
      // One byte of the history changed and compressed again: the gzip is valid, the content is not what was archived.
      const bytes = Buffer.from(gunzipSync(history));
      bytes[bytes.length - 3] ^= 0x01;
      await trx
        .updateTable('workflow_history_archive')
        .set({ history: gzipSync(bytes) })
        .where('run_id', '=', runId)
        .execute();
      await sql`alter table workflow_history_archive enable trigger workflow_history_archive_append_only`.execute(trx);
    });

    const [replay, verify, trail] = await Promise.all([
      ovop(['audit', 'replay', workflowId, ...bundle()], slow),
      ovop(['--json', 'audit', 'verify', config.id, ...bundle()], slow),
      ovop(['audit', 'trail', workflowId], slow),
    ]);
    const changed = `the archived history of ${workflowId} (run ${runId}) does not match its SHA-256`;
    expect(replay.code).toBe(1);
    expect(replay.stderr).toContain(`ovop: ${changed}`);
    expect(replay.stdout).toBe('');
    expect(trail.code).toBe(1);
    expect(trail.stderr).toContain(changed);
    expect(verify.code).toBe(1);
    // The changed run fails; the chain's untouched first run still replays.
    expect(verify.json()).toMatchObject({ failed: 1, replayed: 2 });
    const failed = verify.json().results.find((r: { runId: string }) => r.runId === runId);
    expect(failed).toMatchObject({ workflowId, source: 'archive', ok: false, kind: 'archive changed' });
    expect(failed.message).toContain(changed);
  });
});
