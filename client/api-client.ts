/**
 * The CLI's door to the engine: the HTTP API, with an API token (`OVOP_API_URL` and `OVOP_TOKEN`, or `--api` and
 * `--token`). The API decides who acts from the token, so the CLI never says who it is. A refusal keeps the API's
 * message and becomes the CLI's exit code: 1 refused (401, 403, 404, 409, 413, 415, 422, 429), 2 usage (400), 3
 * unreachable (no answer, 503).
 */
import { CliError, ExitCode, firstLine, unreachable, usage } from './errors';

export interface ApiSettings {
  url: string;
  token: string;
}

/** The API's address and token from the flags, else the environment; undefined when neither names an API. */
export function apiSettings(
  flags: { api?: string; token?: string },
  env: NodeJS.ProcessEnv = process.env,
): ApiSettings | undefined {
  const url = (flags.api ?? env.OVOP_API_URL)?.trim();
  const token = (flags.token ?? env.OVOP_TOKEN)?.trim();
  if (!url && !token) return undefined;
  if (!url) throw usage('OVOP_TOKEN is set but not OVOP_API_URL: set the address of the API too (or pass --api)');
  if (!token)
    throw usage(
      `no API token for ${url}: set OVOP_TOKEN (or pass --token); a token is made by POST /api/tokens or, by an operator, ovop users token`,
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usage(`OVOP_API_URL ${url} is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw usage(`OVOP_API_URL ${url} is not an http or https URL`);
  return { url: url.replace(/\/+$/, ''), token };
}

/** The exit code of an API refusal: the CLI's conventions, whatever the HTTP status. */
export function exitCodeOfStatus(status: number): (typeof ExitCode)[keyof typeof ExitCode] {
  // 202: the action was accepted and is being applied; it is done as far as the caller is concerned.
  if (status === 202) return ExitCode.ok;
  if (status === 400) return ExitCode.usage;
  if (status === 502 || status === 503 || status === 504) return ExitCode.unreachable;
  return ExitCode.refused;
}

/**
 * An API refusal as the CLI reports it: the API's own message, its stable code and the HTTP status. Also the one
 * answer that is not a refusal but has no result: 202 `accepted`, an action still being applied (exit 0).
 */
export class ApiRefusal extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The rule a workflow's refusal broke and the values its message names, when the API sent them. */
    readonly rule?: { rule: string; params?: Record<string, string | number> },
  ) {
    super(exitCodeOfStatus(status), message);
  }
}

export interface RequestOptions {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as it is, with `contentType`. */
  body?: string | Uint8Array;
  contentType?: string;
  query?: Record<string, string | undefined>;
}

export class ApiClient {
  constructor(
    readonly settings: ApiSettings,
    private readonly timeoutMs: number,
  ) {}

  get url(): string {
    return this.settings.url;
  }

  /** One call; the answer's JSON body, or an ApiRefusal with the API's message. */
  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.settings.token}`,
      accept: 'application/json',
    };
    let body: string | Uint8Array | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.body !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/octet-stream';
      body = opts.body;
    }
    const query = Object.entries(opts.query ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
    const target = `${this.settings.url}${path}${query.length ? `?${new URLSearchParams(query)}` : ''}`;
    let res: Response;
    try {
      res = await fetch(target, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const e = err as Error;
      const why =
        e.name === 'TimeoutError'
          ? `no answer within ${this.timeoutMs < 1000 ? `${this.timeoutMs} ms` : `${Math.round(this.timeoutMs / 1000)} s`}`
          : firstLine((e as { cause?: unknown }).cause ?? e).replace(/\.$/, '');
      throw unreachable(`cannot reach the OVOP API at ${this.settings.url} (${why}); check OVOP_API_URL`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = undefined;
    }
    // An action accepted but still being applied has no result to print, only the API's sentence (exit 0).
    const stillApplying = res.status === 202 && (parsed as { code?: unknown } | null)?.code === 'accepted';
    if (res.ok && !stillApplying) {
      if (parsed === undefined) throw unreachable(`the OVOP API at ${this.settings.url} answered ${path} with no JSON`);
      return parsed as T;
    }
    const error = parsed as { code?: unknown; message?: unknown; rule?: unknown; params?: unknown } | undefined;
    if (error && typeof error.message === 'string' && typeof error.code === 'string') {
      const rule =
        typeof error.rule === 'string'
          ? {
              rule: error.rule,
              ...(error.params && typeof error.params === 'object'
                ? { params: error.params as Record<string, string | number> }
                : {}),
            }
          : undefined;
      throw new ApiRefusal(res.status, error.code, error.message, rule);
    }
    throw new ApiRefusal(res.status, 'http_error', `the OVOP API answered ${res.status} ${res.statusText} to ${path}`);
  }
}

/** A nomination's path in the API: its workflow id, URL-encoded. */
export const nominationPath = (workflowId: string, rest = '') =>
  `/api/nominations/${encodeURIComponent(workflowId)}${rest}`;

export const cyclePath = (cycleId: string, rest = '') => `/api/cycles/${encodeURIComponent(cycleId)}${rest}`;
