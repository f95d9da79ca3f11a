/**
 * Runs `temporal server start-dev` from the locally found or built CLI, with the project's search attributes
 * registered at start and history kept in a SQLite file (WAL mode) so it survives a restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { SEARCH_ATTRIBUTE_FLAGS } from '../workflows/search-attributes';
import { ensureTemporalCli, MissingPrerequisiteError } from './temporal-cli';
import { portInUse, waitForPort } from './ports';

export interface DevServerOptions {
  port: number;
  uiPort?: number;
  /** No Web UI (tests). */
  headless?: boolean;
  /** SQLite file; omitted means in-memory. */
  dbFile?: string;
  /** Where the server's own log goes. */
  logFile: string;
  namespace?: string;
  /** `--dynamic-config-value` settings; omitted means DEV_SERVER_DYNAMIC_CONFIG. */
  dynamicConfig?: Record<string, number | string | boolean>;
}

/**
 * The dev server runs one history shard, and its queue readers are rate-limited per shard: at the stock 20 reads a
 * second an Update that awaits an activity waits for two transfer-queue reads in a row (a ~100 ms floor), and every
 * workflow on the server shares those reads. The readers only poll when there is work, so a higher limit costs
 * nothing idle. docs/workflow-cache.md and bench/README.md have the measurements and what a cluster needs.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, number>> = {
  'history.transferProcessorMaxPollRPS': 1000,
  'history.timerProcessorMaxPollRPS': 1000,
  'history.visibilityProcessorMaxPollRPS': 1000,
};

/**
 * The namespace refuses every query, so that the engine's workers may keep their workflow cache: with SDK 1.24 a query
 * can make a cached workflow record an unreplayable history (worker/workflow-cache.ts). The engine asks no queries.
 */
export const REFUSE_QUERIES: Readonly<Record<string, boolean>> = { 'system.disallowQuery': true };

/**
 * The engine's dev-server settings. `OVOP_DEV_SERVER_STOCK=1` drops the queue-read limits (Temporal's own, for a
 * bench's side-by-side); `answerQueries` lets the namespace answer queries, for tests that look inside a workflow.
 * `OVOP_DEV_SERVER_SETTINGS` adds or overrides values, as `key=value` pairs separated by commas (the values in JSON,
 * as `--dynamic-config-value` takes them), to try a setting without a code change.
 */
export function devServerDynamicConfig(
  env: NodeJS.ProcessEnv = process.env,
  opts: { answerQueries?: boolean } = {},
): Record<string, number | string | boolean> {
  return {
    ...(env.OVOP_DEV_SERVER_STOCK === '1' ? {} : DEV_SERVER_DYNAMIC_CONFIG),
    ...(opts.answerQueries ? {} : REFUSE_QUERIES),
    ...settingsFrom(env.OVOP_DEV_SERVER_SETTINGS),
  };
}

function settingsFrom(text: string | undefined): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const pair of (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = pair.indexOf('=');
    let value: unknown;
    try {
      value = at > 0 ? JSON.parse(pair.slice(at + 1)) : undefined;
    } catch {
      value = undefined;
    }
    if (typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean')
      throw new Error(
        `OVOP_DEV_SERVER_SETTINGS takes key=value pairs with JSON values (true, 1000, "x"), not "${pair}"`,
      );
    out[pair.slice(0, at).trim()] = value;
  }
  return out;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const cli = await ensureTemporalCli();
  for (const [port, what] of [
    [opts.port, 'Temporal frontend'],
    [opts.headless ? undefined : opts.uiPort, 'Temporal Web UI'],
  ] as const) {
    if (port && (await portInUse(port))) {
      throw new MissingPrerequisiteError(
        `Port ${port} (${what}) is already in use: stop whatever listens there or choose other ports (OVOP_TEMPORAL_PORT, OVOP_UI_PORT).`,
      );
    }
  }
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace ?? 'default',
    '--log-level',
    'warn',
  ];
  if (opts.headless) args.push('--headless');
  else if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  if (opts.dbFile) {
    mkdirSync(dirname(opts.dbFile), { recursive: true });
    args.push(
      '--db-filename',
      opts.dbFile,
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
    );
  }
  for (const flag of SEARCH_ATTRIBUTE_FLAGS) args.push('--search-attribute', flag);
  for (const [key, value] of Object.entries(opts.dynamicConfig ?? devServerDynamicConfig()))
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const log = openSync(opts.logFile, 'a');
  const child = spawn(cli, args, { stdio: ['ignore', log, log] });
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  try {
    await waitForPort(opts.port, 60_000, 'The Temporal dev server');
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message} Exit code ${exited}; see ${opts.logFile}.`, { cause: err });
  }
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: opts.headless || !opts.uiPort ? undefined : `http://127.0.0.1:${opts.uiPort}`,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
