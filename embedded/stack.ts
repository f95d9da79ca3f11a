/**
 * The embedded stack of `npm start` and the tests: a Temporal dev server, PGlite over the wire protocol and an SMTP
 * sink, each replaced by the real thing when TEMPORAL_ADDRESS, DATABASE_URL or SMTP_URL is set.
 */
import { join } from 'node:path';
import { temporalSettings, type TemporalSettings } from '../common/temporal-connection';
import { devServerDynamicConfig, startDevServer } from './dev-server';
import { envSecret } from '../common/env-secret';
import { startPglite } from './pglite-server';
import { freePort } from './ports';
import { startSmtpSink } from './smtp-sink';

export interface StackOptions {
  /** Where state lives (`.ovop/` for npm start, a temp dir for tests). */
  stateDir: string;
  /** Keep Temporal's SQLite file and PGlite's data on disk (npm start) or in memory (tests). */
  persistent: boolean;
  headless: boolean;
  /** Fixed ports for npm start; 0 or undefined picks a free one. */
  ports?: { temporal?: number; ui?: number; pg?: number; smtp?: number };
  env?: NodeJS.ProcessEnv;
  /**
   * The embedded dev server's namespace answers queries (tests that look inside workflows with them). Its workers then
   * run without a cache; the engine's own stack refuses queries and its workers cache (worker/workflow-cache.ts).
   */
  answerQueries?: boolean;
}

export interface Stack {
  temporal: TemporalSettings;
  databaseUrl: string;
  smtpUrl: string;
  /** Set when the embedded SMTP sink runs. */
  mailDir?: string;
  uiUrl?: string;
  embedded: { temporal: boolean; postgres: boolean; smtp: boolean };
  stop(): Promise<void>;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const env = opts.env ?? process.env;
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    let temporal: TemporalSettings;
    let uiUrl: string | undefined;
    if (env.TEMPORAL_ADDRESS) {
      temporal = temporalSettings();
    } else {
      const port = opts.ports?.temporal || (await freePort());
      const server = await startDevServer({
        port,
        uiPort: opts.headless ? undefined : opts.ports?.ui || (await freePort()),
        headless: opts.headless,
        dbFile: opts.persistent ? join(opts.stateDir, 'temporal.sqlite') : undefined,
        logFile: join(opts.stateDir, 'temporal-server.log'),
        dynamicConfig: devServerDynamicConfig(env, { answerQueries: opts.answerQueries }),
      });
      stops.push(server.stop);
      uiUrl = server.uiUrl;
      temporal = temporalSettings({ address: server.address, namespace: 'default' });
    }

    const givenDatabaseUrl = envSecret('DATABASE_URL', env);
    let databaseUrl = givenDatabaseUrl;
    if (!databaseUrl) {
      const pg = await startPglite({
        port: opts.ports?.pg || (await freePort()),
        dataDir: opts.persistent ? join(opts.stateDir, 'pglite') : undefined,
      });
      stops.push(pg.stop);
      databaseUrl = pg.url;
    }

    const givenSmtpUrl = envSecret('SMTP_URL', env);
    let smtpUrl = givenSmtpUrl;
    let mailDir: string | undefined;
    if (!smtpUrl) {
      const sink = await startSmtpSink({
        port: opts.ports?.smtp || (await freePort()),
        mailDir: join(opts.stateDir, 'mail'),
      });
      stops.push(sink.stop);
      smtpUrl = sink.url;
      mailDir = sink.mailDir;
    }
    return {
      temporal,
      databaseUrl,
      smtpUrl,
      mailDir,
      uiUrl,
      embedded: { temporal: !env.TEMPORAL_ADDRESS, postgres: !givenDatabaseUrl, smtp: !givenSmtpUrl },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
