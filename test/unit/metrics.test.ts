/**
 * The Prometheus endpoints operators scrape (docs/deployment.md, "Metrics"): the API counts each answer by method,
 * route pattern and status on a listener of its own, and the worker's SDK runtime exports Temporal's metrics on
 * OVOP_METRICS_ADDRESS. npm run topology scrapes both from the running services.
 */
import Fastify from 'fastify';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiMetrics, serveMetrics } from '../../api/metrics';

describe('the API metrics', () => {
  const metrics = new ApiMetrics();
  const app = Fastify();
  metrics.instrument(app);
  app.get('/api/nominations/:id', async (req, reply) =>
    (req.params as { id: string }).id === 'taken' ? reply.code(409).send({ code: 'refused' }) : { ok: true },
  );
  let url = '';
  const servers: { close(): void }[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('count requests by route pattern and status, and unmatched paths without their ids', async () => {
    for (const id of ['a', 'b', 'taken']) await app.inject({ method: 'GET', url: `/api/nominations/${id}` });
    await app.inject({ method: 'GET', url: '/api/no-such/secret-id' });
    const server = await serveMetrics(metrics.registry, '127.0.0.1:0');
    servers.push(server);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('ovop_api_requests_total{method="GET",route="/api/nominations/:id",status="200"} 2');
    expect(text).toContain('ovop_api_requests_total{method="GET",route="/api/nominations/:id",status="409"} 1');
    expect(text).toContain('ovop_api_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toMatch(
      /ovop_api_request_duration_seconds_count\{method="GET",route="\/api\/nominations\/:id",status="200"\} 2/,
    );
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).not.toContain('secret-id');
  });

  it('answer only GET /metrics on their listener, and refuse an address that is not host:port', async () => {
    expect((await fetch(`${url}/api/nominations/a`)).status).toBe(404);
    await expect(serveMetrics(metrics.registry, '9464')).rejects.toThrow(
      'a metrics address is host:port, e.g. 127.0.0.1:9464, not "9464"',
    );
  });
});

// The exporter itself answers once the worker has connected: npm run topology scrapes it from the running workers and
// fails without Temporal's metric names there.
describe('the worker metrics', () => {
  const run = (script: string, env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('refuse an address that is not host:port (exit 2, before connecting anywhere)', () => {
    const r = run(`import { installWorkerRuntime } from './worker/runtime.ts'; installWorkerRuntime();`, {
      OVOP_METRICS_ADDRESS: '9464',
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('OVOP_METRICS_ADDRESS is host:port, e.g. 0.0.0.0:9464, not "9464"');
  }, 60_000);

  it('refuse a log format other than text or json (exit 2, before connecting anywhere)', () => {
    const r = run(`import { installWorkerRuntime } from './worker/runtime.ts'; installWorkerRuntime();`, {
      OVOP_LOG_FORMAT: 'xml',
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('OVOP_LOG_FORMAT is text or json, not "xml"');
  }, 60_000);
});
