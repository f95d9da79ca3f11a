/**
 * What an operator reads (docs/deployment.md, "Metrics and logs"): the mails of the notification ledger on the API's
 * metrics listener, equal to the rows in PostgreSQL; the API's JSON log line of a refused action on a nomination, with
 * its request id, workflow id and status; the worker's JSON log lines of a workflow and an activity, with their ids.
 */
import { log as activityLog } from '@temporalio/activity';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { NotificationRequest } from '../../activities/contracts';
import { createMailer } from '../../activities/mailer';
import { createNotificationActivities } from '../../activities/notifications.activity';
import { ApiMetrics, serveMetrics } from '../../api/metrics';
import { installWorkerRuntime } from '../../worker/runtime';
import { nominationWorkflowId } from '../../workflows/ids';
import { call, nominationPath, startApi, type ApiUnderTest } from '../support/api';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { seedNominations } from '../support/projection';

// The worker's logger as OVOP_LOG_FORMAT=json makes it, installed before the first connection as worker/main.ts does;
// its lines are kept here instead of going to standard output.
const workerLines: string[] = [];
const apiLines: string[] = [];
let h: Harness;
let api: ApiUnderTest;
beforeAll(async () => {
  installWorkerRuntime({ OVOP_LOG_FORMAT: 'json' }, (line) => workerLines.push(line));
  h = await startHarness('observability');
  api = await startApi(h, { logRequests: true }, 0, { logStream: { write: (line) => apiLines.push(line) } });
});
afterAll(async () => {
  await api?.stop();
  await h?.stop();
});

const CYCLE = `uji-obs-${Date.now()}`;

describe("the API's metrics of the notification ledger", () => {
  const workflowId = nominationWorkflowId(CYCLE, '32.05', 'Tenun Garut');
  const request = (key: string): NotificationRequest => ({
    key,
    workflowId,
    to: ['disperin.garut@ovop.example'],
    template: 'intake_accepted',
    data: {
      ikmName: 'Tenun Garut',
      sentraName: 'Sentra Tenun',
      regencyName: 'Kabupaten Garut',
      provinceName: 'Jawa Barat',
      stage: 'AWAITING_SOCIALIZATION',
    },
  });

  /** The scraped value of `name` with exactly these labels, or undefined when the series is absent. */
  const valueOf = (text: string, name: string, labels: string) =>
    new RegExp(`^${name}\\{${labels.replace(/[{}]/g, '\\$&')}\\} (\\d+)$`, 'm').exec(text)?.[1];

  /** The ledger as SQL counts it, independently of api/metrics.ts: rows and failed attempts per status. */
  async function ledger() {
    const rows = await h.db
      .selectFrom('notifications')
      .select(['status', 'attempts'])
      .where('workflow_id', '=', workflowId)
      .execute();
    const sent = rows.filter((r) => r.status === 'sent');
    const pending = rows.filter((r) => r.status === 'pending');
    const failed = [...sent.map((r) => r.attempts - 1), ...pending.map((r) => r.attempts)].reduce((a, b) => a + b, 0);
    return { sent: sent.length, pending: pending.length, failed };
  }

  it('count the sent, pending and failed mails per cycle and kind as the ledger has them, and never a recipient', async () => {
    const metrics = new ApiMetrics(h.db);
    const server = await serveMetrics(metrics.registry, '127.0.0.1:0');
    const scrape = async () => {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      expect(res.status).toBe(200);
      return res.text();
    };
    // Nothing listens on port 1: each send is refused, as by an SMTP server that is down.
    const down = createMailer('smtp://127.0.0.1:1');
    try {
      const mail = createNotificationActivities(h.db, h.mailer);
      const failing = createNotificationActivities(h.db, down);
      await mail.sendNotification(request(`${workflowId}|satu`));
      await mail.sendNotification(request(`${workflowId}|dua`));
      for (let i = 0; i < 2; i++)
        await expect(failing.sendNotification(request(`${workflowId}|tiga`))).rejects.toThrow(/ECONNREFUSED/);

      const labels = `cycle="${CYCLE}",kind="intake_accepted"`;
      let text = await scrape();
      expect(await ledger()).toEqual({ sent: 2, pending: 1, failed: 2 });
      expect(valueOf(text, 'ovop_mails', `${labels},status="sent"`)).toBe('2');
      expect(valueOf(text, 'ovop_mails', `${labels},status="pending"`)).toBe('1');
      expect(valueOf(text, 'ovop_mail_failed_attempts', labels)).toBe('2');

      // The retry that gets through: the mail is sent, its two failed attempts stay counted.
      await mail.sendNotification(request(`${workflowId}|tiga`));
      text = await scrape();
      expect(await ledger()).toEqual({ sent: 3, pending: 0, failed: 2 });
      expect(valueOf(text, 'ovop_mails', `${labels},status="sent"`)).toBe('3');
      expect(valueOf(text, 'ovop_mails', `${labels},status="pending"`)).toBeUndefined();
      expect(valueOf(text, 'ovop_mail_failed_attempts', labels)).toBe('2');
      expect(text).not.toContain('@');
      expect(text).not.toContain('nomination/32.05');
    } finally {
      down.close();
      server.close();
    }
  });
});

describe("the API's log", () => {
  it('has a JSON line for a refused action on a nomination, with the request id, workflow id, cycle and status', async () => {
    const workflowId = nominationWorkflowId(CYCLE, '32.06', 'Anyaman Tasik');
    await seedNominations(h.db, [
      {
        workflowId,
        cycleId: CYCLE,
        regencyCode: '32.06',
        ikmName: 'Anyaman Tasik',
        sentraName: 'Sentra Anyaman',
        sentraUnits: 10,
        commodity: 'anyaman',
        product: 'Tas pandan',
        stage: 'AWAITING_SOCIALIZATION',
      },
    ]);
    // The dinas of Garut withdraws a nomination of Tasikmalaya: refused before anything reaches the workflow.
    const res = await call(api, 'POST', nominationPath(workflowId, '/withdrawal'), {
      token: api.tokens.garut,
      body: { reason: 'salah wilayah' },
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden');
    const reqId = res.headers.get('x-request-id');
    expect(reqId).toMatch(/^[0-9a-f-]{36}$/);

    const linesOf = () =>
      apiLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.reqId === reqId);
    // "request completed" is written after the answer went out.
    const lines = await waitFor(async () => {
      const found = linesOf();
      return found.some((l) => l.msg === 'request completed') && found;
    });
    expect(lines.find((l) => l.msg === 'refused')).toMatchObject({
      level: 30,
      reqId,
      workflowId,
      cycleId: CYCLE,
      status: 403,
      code: 'forbidden',
      reason: res.body.message,
      user: 'disperin-32.05',
    });
    expect(lines.find((l) => l.msg === 'request completed')).toMatchObject({
      workflowId,
      cycleId: CYCLE,
      res: { statusCode: 403 },
    });
    // Every line of the request carries the nomination's ids.
    expect(lines.every((l) => l.workflowId === workflowId)).toBe(true);
    // The refusal wrote nothing to the nomination: no event (its access-log row is the only trace).
    const events = await h.db
      .selectFrom('nomination_events')
      .select('id')
      .where('workflow_id', '=', workflowId)
      .execute();
    expect(events).toEqual([]);
  });
});

describe("the worker's log with OVOP_LOG_FORMAT=json", () => {
  it("writes a workflow's and an activity's log entries as JSON lines with their workflow, run and activity ids", async () => {
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const taskQueue = `${h.taskQueue}-log`;
    const worker = await Worker.create({
      connection,
      namespace: 'default',
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../support/log-probe.workflow.ts', import.meta.url)),
      activities: {
        async noteInActivityLog(note: string) {
          activityLog.info(`activity probe: ${note}`);
        },
      },
    });
    const workflowId = `uji-log-${Date.now()}`;
    const runId = await worker.runUntil(async () => {
      const handle = await h.client.workflow.start('logProbe', { workflowId, taskQueue, args: ['halo'] });
      await handle.result();
      return handle.firstExecutionRunId;
    });
    await connection.close();

    const parsed = () => workerLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const workflowLine = await waitFor(async () => parsed().find((l) => l.msg === 'probe: halo'));
    expect(workflowLine).toMatchObject({
      level: 'warn',
      sdkComponent: 'workflow',
      workflowId,
      runId,
      workflowType: 'logProbe',
      taskQueue,
      namespace: 'default',
      cycleId: 'uji-log',
    });
    expect(new Date(workflowLine.time as string).toISOString()).toBe(workflowLine.time);
    expect(parsed().find((l) => l.msg === 'activity probe: halo')).toMatchObject({
      level: 'info',
      sdkComponent: 'activity',
      workflowId,
      workflowRunId: runId,
      workflowType: 'logProbe',
      activityType: 'noteInActivityLog',
    });
    // One object a line: nothing else is written between them.
    expect(workerLines.every((l) => l.endsWith('}\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
  });
});
