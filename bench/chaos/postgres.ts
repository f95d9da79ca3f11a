/**
 * PostgreSQL for the chaos run, and its one restart.
 *
 * - DATABASE_URL set: that server is used as it is, and the restart is skipped (it is not ours to restart).
 * - Otherwise a real PostgreSQL from Debian's binaries (/usr/lib/postgresql/<v>/bin/initdb and pg_ctl, as .ci/run
 *   runs it): a throwaway data directory, a free port, run as the `postgres` user when we are root; restarted with
 *   `pg_ctl restart -m fast` (every connection is cut, in-flight transactions roll back).
 * - No binaries found: PGlite over the wire protocol on a data directory, restarted in-process on the same directory
 *   and port.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { startPglite, type EmbeddedPostgres } from '../../embedded/pglite-server';
import { freePort } from '../../embedded/ports';

export interface ChaosPostgres {
  url: string;
  kind: 'postgresql' | 'pglite' | 'external';
  /** One line for the log: what runs where. */
  description: string;
  /** Undefined when the server is not ours to restart (DATABASE_URL). */
  restart?: () => Promise<void>;
  stop(): Promise<void>;
  /** For a crash of this process: stop a server we started, synchronously (nothing for PGlite, which dies with us). */
  emergencyStop(): void;
}

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The newest /usr/lib/postgresql/<version>/bin that has initdb and pg_ctl, or undefined. */
export function findPostgresBin(root = '/usr/lib/postgresql'): string | undefined {
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(root, v, 'bin');
    if (executable(join(bin, 'initdb')) && executable(join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

export async function startChaosPostgres(opts: {
  stateDir: string;
  env?: NodeJS.ProcessEnv;
  forcePglite?: boolean;
}): Promise<ChaosPostgres> {
  const env = opts.env ?? process.env;
  if (env.DATABASE_URL) {
    return {
      url: env.DATABASE_URL,
      kind: 'external',
      description: `DATABASE_URL (${new URL(env.DATABASE_URL).host}); its restart is skipped: the server is not ours to restart`,
      stop: async () => {},
      emergencyStop: () => {},
    };
  }
  const bin = opts.forcePglite ? undefined : findPostgresBin();
  return bin
    ? startRealPostgres(bin)
    : startRestartablePglite(
        join(opts.stateDir, 'pglite'),
        opts.forcePglite ? 'PGlite (--pglite)' : 'PGlite (no PostgreSQL binaries under /usr/lib/postgresql)',
      );
}

async function startRealPostgres(bin: string): Promise<ChaosPostgres> {
  const port = await freePort();
  // Its own temp directory (not the state dir): the postgres user must own it, and it holds the unix socket too.
  const dir = mkdtempSync(join(tmpdir(), 'ovop-chaos-pg-'));
  const root = userInfo().uid === 0;
  if (root) chownSync(dir, pgUid(), pgGid());
  const asPg = (cmd: string, args: string[]) => {
    const [file, argv] = root ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    return execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  };
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const serverOpts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  try {
    asPg(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    asPg(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '60', '-o', serverOpts, 'start']);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { stderr?: string; message: string };
    throw new Error(`starting PostgreSQL from ${bin} failed: ${e.stderr || e.message}`, { cause: err });
  }
  const version = execFileSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    kind: 'postgresql',
    description: `${version} from ${bin} on port ${port}, data in ${data} (log ${log})`,
    restart: async () => {
      asPg(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '60', '-m', 'fast', '-o', serverOpts, 'restart']);
    },
    emergencyStop: () => {
      try {
        asPg(join(bin, 'pg_ctl'), ['-D', data, '-w', '-m', 'immediate', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
    stop: async () => {
      try {
        asPg(join(bin, 'pg_ctl'), ['-D', data, '-w', '-m', 'fast', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function pgUid(): number {
  return Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
}
function pgGid(): number {
  return Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
}

async function startRestartablePglite(dataDir: string, why: string): Promise<ChaosPostgres> {
  const port = await freePort();
  let server: EmbeddedPostgres = await startPglite({ port, dataDir });
  return {
    url: server.url,
    kind: 'pglite',
    description: `${why} on port ${port}, data in ${dataDir}`,
    restart: async () => {
      await server.stop();
      server = await startPglite({ port, dataDir });
    },
    stop: () => server.stop(),
    emergencyStop: () => {},
  };
}
