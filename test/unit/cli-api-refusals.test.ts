/**
 * How the CLI reports the API's refusals: every HTTP status the CLI may meet becomes its exit code (400 → 2; 401, 403,
 * 404, 409, 413, 415, 422, 429 → 1; 502–504 and no answer → 3; 202, an action accepted and still being applied → 0)
 * with the API's own message, and `--json` carries the
 * status and the API's stable code (and a workflow refusal's rule with its params). The answers come from a loopback
 * HTTP server standing where the API (or a proxy in front of it) would: the real API never answers 502 or 504 itself,
 * a gateway does.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiRefusal } from '../../client/api-client';
import { CliError } from '../../client/errors';

const BIN = fileURLToPath(new URL('../../bin/ovop.js', import.meta.url));
const TOKEN = 'ovop_uji-token-rahasia';

/** The API's JSON errors (api/errors.ts), by status; 502 and 504 are a gateway's pages, with no JSON. */
const ANSWERS: Record<number, { code: string; message: string; rule?: string; params?: object } | string> = {
  202: {
    code: 'accepted',
    message: 'the attendance was accepted and is being applied; the nomination shows it shortly. Do not send it again',
  },
  400: { code: 'invalid_request', message: 'body/stage must be one of attendance, documents' },
  401: { code: 'token_expired', message: 'this API token expired; make a new one' },
  403: { code: 'forbidden', message: 'role dinas_kabkota may not read a cycle; only a coordinator or an auditor may' },
  404: { code: 'not_found', message: 'no nomination ovop/uji/nomination/32.05/status-404' },
  409: {
    code: 'refused',
    message:
      'session sesi-2-bandung does not cover province 32 and does not accept make-up attendance; sessions for province 32: sesi-1-yogyakarta',
    rule: 'session_other_province',
    params: { session: 'sesi-2-bandung', province: '32', covering: 'sesi-1-yogyakarta' },
  },
  413: { code: 'too_large', message: 'the file is larger than the 10 MB the cycle allows' },
  415: { code: 'unsupported_type', message: 'the file is not a PDF, JPEG or PNG' },
  422: { code: 'content_mismatch', message: 'the file declared as application/pdf is not a PDF' },
  429: { code: 'rate_limited', message: 'too many requests; try again in 60 s' },
  502: '<html><body>502 Bad Gateway</body></html>',
  503: { code: 'unavailable', message: 'the engine did not answer: no worker is polling' },
  504: '',
};
const EXPECTED_EXIT: Record<number, number> = {
  202: 0,
  400: 2,
  401: 1,
  403: 1,
  404: 1,
  409: 1,
  413: 1,
  415: 1,
  422: 1,
  429: 1,
  502: 3,
  503: 3,
  504: 3,
};

let server: Server;
let url: string;
/** The requests the stand-in received: method, path and the Authorization header. */
const received: { method?: string; path?: string; authorization?: string }[] = [];

function answer(req: IncomingMessage, res: import('node:http').ServerResponse): void {
  received.push({ method: req.method, path: req.url, authorization: req.headers.authorization });
  const status = Number(/status-(\d+)/.exec(req.url ?? '')?.[1]);
  if (req.url?.includes('status-hang')) return; // never answers
  const body = ANSWERS[status];
  if (body === undefined) {
    res.writeHead(500).end();
    return;
  }
  if (typeof body === 'string') res.writeHead(status, { 'content-type': 'text/html' }).end(body);
  else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function ovop(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, OVOP_API_URL: url, OVOP_TOKEN: TOKEN, OVOP_TIMEOUT: '30' };
  delete env.OVOP_DEBUG;
  return new Promise((resolve) =>
    execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    ),
  );
}

describe("the CLI and the API's refusals", () => {
  it('turns each status into its exit code, keeping the message and the code', async () => {
    const client = new ApiClient({ url, token: TOKEN }, 5_000);
    for (const status of Object.keys(ANSWERS).map(Number)) {
      const error = await client.request('GET', `/api/nominations/status-${status}`).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `status ${status}`).toBeInstanceOf(ApiRefusal);
      const refusal = error as ApiRefusal;
      const body = ANSWERS[status];
      expect([status, refusal.exitCode]).toEqual([status, EXPECTED_EXIT[status]]);
      expect(refusal.status).toBe(status);
      if (typeof body === 'string') {
        expect(refusal.code).toBe('http_error');
        const reason = status === 502 ? 'Bad Gateway' : 'Gateway Timeout';
        expect(refusal.message).toBe(`the OVOP API answered ${status} ${reason} to /api/nominations/status-${status}`);
      } else {
        expect([refusal.code, refusal.message]).toEqual([body.code, body.message]);
        expect(refusal.rule).toEqual(body.rule && { rule: body.rule, params: body.params });
      }
    }
    expect(received.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('says no answer in one sentence, exit 3, when the API never answers', async () => {
    // Whole seconds from a second up; below one, milliseconds (not "within 0 s").
    for (const [timeoutMs, within] of [
      [1_000, '1 s'],
      [250, '250 ms'],
    ] as const) {
      const client = new ApiClient({ url, token: TOKEN }, timeoutMs);
      const error = await client.request('GET', '/api/nominations/status-hang').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CliError);
      expect(error).not.toBeInstanceOf(ApiRefusal);
      expect([(error as CliError).exitCode, (error as CliError).message]).toEqual([
        3,
        `cannot reach the OVOP API at ${url} (no answer within ${within}); check OVOP_API_URL`,
      ]);
    }
  });

  it('prints the message on stderr and, with --json, the status and code beside the exit code', async () => {
    const id = (status: number) => `ovop/uji/nomination/32.05/status-${status}`;
    const [forbidden, tooLarge, badRequest, gateway, unavailable, refused, accepted] = await Promise.all([
      ovop(['show', id(403)]),
      ovop(['--json', 'show', id(413)]),
      ovop(['--json', 'show', id(400)]),
      ovop(['--json', 'show', id(502)]),
      ovop(['--json', 'show', id(503)]),
      ovop(['--json', 'show', id(409)]),
      ovop(['--json', 'attend', id(202), '--session', 'sesi-1']),
    ]);
    expect([forbidden.code, forbidden.stderr]).toEqual([1, `ovop: ${(ANSWERS[403] as { message: string }).message}\n`]);
    expect(forbidden.stdout).toBe('');
    expect(tooLarge.code).toBe(1);
    expect(JSON.parse(tooLarge.stdout).error).toEqual({
      exitCode: 1,
      status: 413,
      code: 'too_large',
      message: 'the file is larger than the 10 MB the cycle allows',
      issues: [],
    });
    expect(badRequest.code).toBe(2);
    expect(JSON.parse(badRequest.stdout).error).toMatchObject({ exitCode: 2, status: 400, code: 'invalid_request' });
    expect(gateway.code).toBe(3);
    expect(JSON.parse(gateway.stdout).error).toMatchObject({ exitCode: 3, status: 502, code: 'http_error' });
    expect(unavailable.code).toBe(3);
    expect(unavailable.stderr).toBe('ovop: the engine did not answer: no worker is polling\n');
    expect(JSON.parse(unavailable.stdout).error).toMatchObject({ exitCode: 3, status: 503, code: 'unavailable' });
    // Accepted and still being applied: not a failure, said as the API says it.
    expect([accepted.code, accepted.stderr]).toEqual([0, `ovop: ${(ANSWERS[202] as { message: string }).message}\n`]);
    expect(JSON.parse(accepted.stdout).accepted).toMatchObject({ exitCode: 0, status: 202, code: 'accepted' });
    // A workflow's refusal keeps its rule and the values its message names, for scripts to branch on.
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error).toEqual({
      exitCode: 1,
      status: 409,
      code: 'refused',
      rule: 'session_other_province',
      params: { session: 'sesi-2-bandung', province: '32', covering: 'sesi-1-yogyakarta' },
      message:
        'session sesi-2-bandung does not cover province 32 and does not accept make-up attendance; sessions for province 32: sesi-1-yogyakarta',
      issues: [],
    });
    // The CLI asked for the nomination by its id, with the token as a bearer credential.
    expect(received).toContainEqual({
      method: 'GET',
      path: `/api/nominations/${encodeURIComponent(id(403))}`,
      authorization: `Bearer ${TOKEN}`,
    });
  }, 90_000);
});
