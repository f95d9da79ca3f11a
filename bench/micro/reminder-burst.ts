/**
 * `npm run bench:burst`: one reminder to every one of the 514 kabupaten/kota at once, through the real notification
 * activity (idempotency row in Postgres + pooled nodemailer transport) to an SMTP server, timed until the last message
 * is accepted. Compares the pooled transport with one connection per message, side by side, medians over runs.
 */
import { Command } from 'commander';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMailer, type Mailer } from '../../activities/mailer';
import { createNotificationActivities } from '../../activities/notifications.activity';
import { createDb } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { loadRegions, regionDisplayName } from '../../domain/regions';
import { startPglite } from '../../embedded/pglite-server';
import { freePort } from '../../embedded/ports';
import { startSmtpSink } from '../../embedded/smtp-sink';
import nodemailer from 'nodemailer';
import { nonNegative, parseOptions } from '../shared/args';

const { runs: RUNS } = parseOptions<{ runs: number }>(
  new Command('bench:burst').option('--runs <count>', 'bursts per mailer', nonNegative, 3),
);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function burst(label: string, mailer: Mailer, db: ReturnType<typeof createDb>, run: number): Promise<number> {
  const { sendNotification } = createNotificationActivities(db, mailer);
  const regencies = Object.keys(loadRegions().regencies);
  const started = performance.now();
  await Promise.all(
    regencies.map((code) =>
      sendNotification({
        key: `burst/${label}/${run}/${code}`,
        workflowId: `burst/${code}`,
        to: [`disperin.${code}@daerah.example`],
        template: 'reminder',
        data: {
          ikmName: `IKM ${code}`,
          regencyName: regionDisplayName(code),
          stage: 'AWAITING_DOCUMENTS',
          deadlineStage: 'documents',
          deadline: new Date(Date.now() + 7 * 86_400_000).toISOString(),
          timezone: 'Asia/Jakarta',
          workflowId: `burst/${code}`,
        },
      }),
    ),
  );
  return (performance.now() - started) / 1000;
}

const dir = mkdtempSync(join(tmpdir(), 'ovop-burst-'));
const sink = await startSmtpSink({ port: await freePort(), mailDir: join(dir, 'mail') });
const embedded = process.env.DATABASE_URL ? undefined : await startPglite({ port: await freePort() });
const db = createDb(process.env.DATABASE_URL ?? embedded!.url);
await migrateToLatest(db);
const pooled = createMailer(sink.url);
// The comparison: nodemailer without a pool opens one SMTP connection per message.
const unpooled: Mailer = {
  from: pooled.from,
  transport: nodemailer.createTransport({
    host: '127.0.0.1',
    port: Number(new URL(sink.url).port),
    secure: false,
    ignoreTLS: true,
  }),
  close() {},
};
const times: Record<string, number[]> = { pooled: [], unpooled: [] };
for (let run = 0; run < RUNS; run++) {
  for (const [label, mailer] of [
    ['pooled', pooled],
    ['unpooled', unpooled],
  ] as const)
    times[label].push(await burst(label, mailer, db, run));
}
const received = readdirSync(join(dir, 'mail')).filter((f) => f.endsWith('.eml')).length;
const regencyCount = Object.keys(loadRegions().regencies).length;
console.log(
  `reminder burst to ${regencyCount} kabupaten/kota, ${RUNS} runs each, ${received} messages received (expected ${regencyCount * RUNS * 2})`,
);
console.log(
  `pooled   median ${median(times.pooled).toFixed(2)} s  runs ${times.pooled.map((t) => t.toFixed(2)).join(', ')}`,
);
console.log(
  `unpooled median ${median(times.unpooled).toFixed(2)} s  runs ${times.unpooled.map((t) => t.toFixed(2)).join(', ')}`,
);
console.log(
  `ratio pooled/unpooled ${(median(times.pooled) / median(times.unpooled)).toFixed(2)}; goal: pooled under 5 s`,
);
pooled.close();
await db.destroy();
await embedded?.stop();
await sink.stop();
rmSync(dir, { recursive: true, force: true });
if (received !== regencyCount * RUNS * 2 || median(times.pooled) >= 5) process.exitCode = 1;
