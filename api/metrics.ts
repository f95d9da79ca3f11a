/**
 * The API's Prometheus metrics (prom-client): requests and their latency by method, route pattern and status (sign-ins
 * and refusals are their routes and statuses), the nominations per stage in the projection, the mails in the
 * notification ledger, and Node's process metrics. They are served on a listener of their own
 * (OVOP_API_METRICS_ADDRESS, e.g. 127.0.0.1:9464), never on the public port: only the API is published, and what it
 * counts is for operators, not for the internet.
 */
import type { FastifyInstance } from 'fastify';
import { createServer, type Server } from 'node:http';
import { sql, type Kysely } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/database';

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'ovop_api_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'ovop_api_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    // Reads take milliseconds; Updates wait for the workflow, an upload for its bytes.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  /**
   * With `db`, each scrape also counts the nominations per cycle and stage in the PostgreSQL projection, and the mails
   * of the notification ledger (activities/notifications.activity.ts) per cycle, kind and status.
   */
  constructor(db?: Kysely<Database>) {
    collectDefaultMetrics({ register: this.registry });
    if (!db) return;
    new Gauge({
      name: 'ovop_nominations',
      help: 'Nominations per cycle and stage in the PostgreSQL projection, counted at each scrape',
      labelNames: ['cycle', 'stage'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await db
          .selectFrom('nominations')
          .select(['cycle_id', 'stage', (eb) => eb.fn.countAll<string>().as('n')])
          .groupBy(['cycle_id', 'stage'])
          .execute();
        this.reset();
        for (const r of rows) this.set({ cycle: r.cycle_id, stage: r.stage }, Number(r.n));
      },
    });
    new Gauge({
      name: 'ovop_mails',
      help: 'Mails in the notification ledger per cycle, kind (template) and status (sent; pending: claimed, not yet marked sent), counted at each scrape',
      labelNames: ['cycle', 'kind', 'status'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await countMails(db);
        this.reset();
        for (const r of rows) this.set({ cycle: r.cycle, kind: r.kind, status: r.status }, r.n);
      },
    });
    new Gauge({
      name: 'ovop_mail_failed_attempts',
      help: 'Send attempts not marked sent, per cycle and kind: the SMTP server refused or did not answer, or the worker stopped mid-send (a send under way counts until it is marked), counted at each scrape',
      labelNames: ['cycle', 'kind'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await countMails(db);
        this.reset();
        for (const r of rows) this.inc({ cycle: r.cycle, kind: r.kind }, r.failedAttempts);
      },
    });
  }

  /** Counts every answer of `app`; a path no route matched counts under route "unmatched", so ids never become labels. */
  instrument(app: FastifyInstance): void {
    app.addHook('onResponse', async (req, reply) => {
      const labels = {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      };
      this.requests.inc(labels);
      this.latency.observe(labels, reply.elapsedTime / 1000);
    });
  }
}

interface MailCount {
  cycle: string;
  kind: string;
  status: string;
  n: number;
  failedAttempts: number;
}

/**
 * The ledger per cycle (the second segment of the workflow id, `ovop/<cycle>/…`), template and status. A sent row's
 * last attempt succeeded, so its failed attempts are all but one; a pending row's are all of them. Recipients and
 * workflow ids never become labels.
 */
async function countMails(db: Kysely<Database>): Promise<MailCount[]> {
  const rows = await db
    .selectFrom('notifications')
    .select([
      sql<string>`split_part(workflow_id, '/', 2)`.as('cycle'),
      'template',
      'status',
      (eb) => eb.fn.countAll<string>().as('n'),
      sql<string>`sum(attempts)`.as('attempts'),
    ])
    .groupBy([sql`split_part(workflow_id, '/', 2)`, 'template', 'status'])
    .execute();
  return rows.map((r) => ({
    cycle: r.cycle,
    kind: r.template,
    status: r.status,
    n: Number(r.n),
    failedAttempts: Math.max(0, Number(r.attempts) - (r.status === 'sent' ? Number(r.n) : 0)),
  }));
}

/** Serves GET /metrics of `registry` on `address` (host:port); resolves once it listens. */
export async function serveMetrics(registry: Registry, address: string): Promise<Server> {
  const m = /^(.+):(\d+)$/.exec(address.trim());
  if (!m) throw new Error(`a metrics address is host:port, e.g. 127.0.0.1:9464, not "${address}"`);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(m[2]), m[1].replace(/^\[|\]$/g, ''), () => resolve());
  });
  return server;
}
