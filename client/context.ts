/**
 * What every command gets: the global options, the API client (OVOP_API_URL, OVOP_TOKEN) for the actor commands,
 * lazily opened connections for the operator commands (Temporal, PostgreSQL; closed at the end), a timeout for calls
 * that wait on a worker, and the way its result is printed. No command says who acts: the API knows it from the token.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { ApiClient, apiSettings } from './api-client';
import { connectDatabase, connectTemporal, temporalAddress, withTimeout, type TemporalSession } from './connect';
import { unreachable, usage, type Subject } from './errors';
import { envSecretIsSet } from '../common/env-secret';

export interface GlobalOptions {
  json?: boolean;
  api?: string;
  token?: string;
}

/** What a command hands back: the JSON document, the text for people, and its exit code (0 or 1). */
export interface Outcome {
  json: unknown;
  text: string;
  exitCode?: 0 | 1;
  /** Said on stderr beside the result (the result itself stays alone on stdout for `--json | jq`). */
  warnings?: string[];
  /** The cycle's time zone: every instant in `json` is printed as ISO 8601 with its offset (UTC when not given). */
  timezone?: string;
}

/** Seconds to wait for a worker to answer an update or query (OVOP_TIMEOUT), before saying so. */
export function callTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.OVOP_TIMEOUT ?? 60);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 60) * 1000;
}

export class Context {
  private temporalSession?: Promise<TemporalSession>;
  private database?: Promise<{ db: Kysely<Database>; close(): Promise<void> }>;
  /** What the command acts on, so that "not found" errors can name it. */
  subject?: Subject;

  private apiClient?: ApiClient | null;

  constructor(readonly options: GlobalOptions) {}

  /** The API, when OVOP_API_URL/OVOP_TOKEN (or --api/--token) name one; null when they do not. */
  private configuredApi(): ApiClient | null {
    if (this.apiClient === undefined) {
      const settings = apiSettings(this.options);
      this.apiClient = settings ? new ApiClient(settings, callTimeoutMs()) : null;
    }
    return this.apiClient;
  }

  /** The API client, or a usage error saying how to name the API. */
  api(): ApiClient {
    const client = this.configuredApi();
    if (!client)
      throw usage(
        'this command goes through the OVOP API: set OVOP_API_URL and OVOP_TOKEN (or pass --api and --token); ' +
          'a token is made by POST /api/tokens or, by an operator, ovop users token',
      );
    return client;
  }

  get json(): boolean {
    return this.options.json === true;
  }

  temporal(): Promise<TemporalSession> {
    this.temporalSession ??= connectTemporal();
    return this.temporalSession;
  }

  get temporalAddress(): string {
    return temporalAddress();
  }

  /** PostgreSQL; `why` completes "DATABASE_URL is not set; <why> reads PostgreSQL". */
  db(why: string): Promise<Kysely<Database>> {
    this.database ??= connectDatabase(why);
    return this.database.then((d) => d.db);
  }

  get hasDatabase(): boolean {
    return envSecretIsSet('DATABASE_URL');
  }

  /** Waits for a call answered by a worker; a worker that never answers becomes exit code 3, not a hang. */
  async call<T>(promise: Promise<T>, what: string): Promise<T> {
    const ms = callTimeoutMs();
    try {
      return await withTimeout(promise, ms);
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') {
        throw unreachable(
          `no answer to ${what} within ${ms / 1000} s from the Temporal server at ${this.temporalAddress}; is an ovop worker running (npm run worker)?`,
        );
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    const closing: Promise<unknown>[] = [];
    if (this.temporalSession) closing.push(this.temporalSession.then((s) => s.close()).catch(() => {}));
    if (this.database) closing.push(this.database.then((d) => d.close()).catch(() => {}));
    await Promise.all(closing);
  }
}
