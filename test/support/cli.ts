/**
 * Runs the `ovop` CLI as a user would: `node bin/ovop.js …` in a child process, against the run's shared stack
 * (TEMPORAL_ADDRESS, DATABASE_URL) and the task queue of the test file's worker; actor commands go to the API the
 * file started (`cliRunner(taskQueue, api)`) with the token given as `token`.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/ovop.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for `--json` runs). */
  json<T = any>(): T;
}

export interface CliOptions {
  /** OVOP_TOKEN: who acts, through the runner's API; omitted means none. */
  token?: string;
  /** Extra or overriding environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

export type Ovop = (args: string[], opts?: CliOptions) => Promise<CliResult>;

/** A runner bound to the stack, to the task queue of the file's worker and to its API (OVOP_API_URL), if any. */
export function cliRunner(taskQueue: string, api?: { url: string }): Ovop {
  return (args, opts = {}) => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: 'default',
      DATABASE_URL: inject('databaseUrl'),
      OVOP_TASK_QUEUE: taskQueue,
      // An actor said in the environment is ignored by the CLI; it is removed so no test could lean on it.
      OVOP_ACTOR: undefined,
      OVOP_API_URL: api?.url,
      OVOP_TOKEN: opts.token,
      OVOP_TIMEOUT: '30',
      OVOP_DEBUG: undefined,
      FORCE_COLOR: '0',
      ...opts.env,
    };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        {
          cwd: REPO_ROOT,
          env: env as NodeJS.ProcessEnv,
          timeout: opts.timeoutMs ?? 60_000,
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({
            code,
            stdout,
            stderr,
            json() {
              try {
                return JSON.parse(stdout);
              } catch {
                throw new Error(`stdout of ovop ${args.join(' ')} is not JSON:\n${stdout}\nstderr:\n${stderr}`);
              }
            },
          });
        },
      );
    });
  };
}
