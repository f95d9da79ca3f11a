/**
 * The Temporal server of the production topology, built from source rather than the dev server: `temporal-server`
 * and `temporal-sql-tool` of go.temporal.io/server at TEMPORAL_SERVER_VERSION (the release the `temporal` CLI embeds),
 * built once with `go install` into a per-user cache outside the repository, like the CLI (embedded/temporal-cli.ts).
 * Persistence and visibility on PostgreSQL (schemas set up by the SQL tool from the schemas compiled into it), the
 * frontend on mutual TLS, the system worker presenting the client certificate, Prometheus metrics on a port of its own.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withLock } from '../../embedded/build-lock';
import { createServer } from 'node:net';
import { waitForPort } from '../../embedded/ports';
import type { TopologyCertificates } from './certificates';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const MODULES = ['cmd/server', 'cmd/tools/sql'].map((m) => `go.temporal.io/server/${m}@${TEMPORAL_SERVER_VERSION}`);
const DYNAMIC_CONFIG = fileURLToPath(new URL('../../deploy/temporal-dynamicconfig.yaml', import.meta.url));

export interface ServerBinaries {
  server: string;
  sqlTool: string;
  /** Built now (with how long it took) or found in the cache. */
  builtInMs?: number;
}

export function serverCacheDir(): string {
  return join(
    process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
    'ovop',
    'temporal-server',
    TEMPORAL_SERVER_VERSION,
  );
}

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The cached binaries, built with Go first when missing (under a lock: two first runs build once). */
export async function ensureServerBinaries(log: (line: string) => void): Promise<ServerBinaries> {
  const dir = serverCacheDir();
  const server = join(dir, 'temporal-server');
  const sqlTool = join(dir, 'temporal-sql-tool');
  if (executable(server) && executable(sqlTool)) return { server, sqlTool };
  mkdirSync(dir, { recursive: true });
  return withLock(join(dir, 'build.lock'), async () => {
    if (executable(server) && executable(sqlTool)) return { server, sqlTool };
    log(
      `building the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool with Go into ${dir} (first run only)`,
    );
    const t0 = Date.now();
    // Into a folder of its own, then renamed into place: a binary in the cache is whole or absent.
    const staging = mkdtempSync(join(dir, 'build-'));
    try {
      const status = await new Promise<number | null>((resolve, reject) => {
        const child = spawn('go', ['install', ...MODULES], {
          env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0' },
          stdio: ['ignore', 'inherit', 'inherit'],
        });
        child.once('error', reject);
        child.once('exit', resolve);
      });
      if (status !== 0) throw new Error(`go install ${MODULES.join(' ')} failed (exit ${status})`);
      renameSync(join(staging, 'sql'), sqlTool);
      renameSync(join(staging, 'server'), server);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    return { server, sqlTool, builtInMs: Date.now() - t0 };
  });
}

/** Creates the `temporal` and `temporal_visibility` databases and brings their schemas to the binary's version. */
export function setUpSchemas(sqlTool: string, pg: { host: string; port: number; user: string }): void {
  for (const [db, schema] of [
    ['temporal', 'postgresql/v12/temporal'],
    ['temporal_visibility', 'postgresql/v12/visibility'],
  ]) {
    const run = (...args: string[]) =>
      execFileSync(
        sqlTool,
        ['--plugin', 'postgres12', '--ep', pg.host, '--port', String(pg.port), '--user', pg.user, '--db', db, ...args],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
    run('create-database');
    run('setup-schema', '--version', '0.0');
    run('update-schema', '--schema-name', schema);
  }
}

interface Ports {
  frontend: number;
  frontendHttp: number;
  metrics: number;
  rpc: { history: number; matching: number; worker: number };
  membership: { frontend: number; history: number; matching: number; worker: number };
}

function serverConfig(p: Ports, pg: { host: string; port: number; user: string }, c: TopologyCertificates): string {
  const store = (db: string, conns: number) => `
      sql:
        pluginName: postgres12
        databaseName: ${db}
        connectAddr: "${pg.host}:${pg.port}"
        connectProtocol: tcp
        user: ${pg.user}
        password: ""
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: 1h`;
  const tlsClient = `
        serverName: ${c.serverName}
        rootCaFiles: ["${c.caCert}"]`;
  const service = (grpc: number, membership: number, extra = '') => `
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnIP: 127.0.0.1${extra}`;
  return `# Written by bench/topology at each run.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:${store('temporal', 20)}
    visibility:${store('temporal_visibility', 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  tls:
    frontend:
      server:
        certFile: "${c.serverCert}"
        keyFile: "${c.serverKey}"
        clientCaFiles: ["${c.caCert}"]
        requireClientAuth: true
      client:${tlsClient}
    systemWorker:
      certFile: "${c.clientCert}"
      keyFile: "${c.clientKey}"
      client:${tlsClient}
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: "127.0.0.1:${p.metrics}"
services:
  frontend:${service(p.frontend, p.membership.frontend, `\n      httpPort: ${p.frontendHttp}`)}
  history:${service(p.rpc.history, p.membership.history)}
  matching:${service(p.rpc.matching, p.membership.matching)}
  worker:${service(p.rpc.worker, p.membership.worker)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:${p.frontend}"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "${DYNAMIC_CONFIG}"
  pollInterval: 10s
`;
}

/**
 * A free loopback port below 32768: the server records its membership port in a PostgreSQL smallint, so the OS's
 * ephemeral ports (32768 and up on Linux) make it exit at start.
 */
async function freeLowPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
}

/** One Temporal server process over its config; stopped and started again on the same databases and ports. */
export class TopologyTemporal {
  private child: ChildProcess | null = null;

  private constructor(
    private readonly binary: string,
    private readonly root: string,
    readonly ports: Ports,
    private readonly logFile: string,
  ) {}

  static async create(opts: {
    binary: string;
    stateDir: string;
    postgres: { host: string; port: number; user: string };
    certificates: TopologyCertificates;
  }): Promise<TopologyTemporal> {
    const taken = new Set<number>();
    const port = () => freeLowPort(taken);
    const ports: Ports = {
      frontend: await port(),
      frontendHttp: await port(),
      metrics: await port(),
      rpc: { history: await port(), matching: await port(), worker: await port() },
      membership: { frontend: await port(), history: await port(), matching: await port(), worker: await port() },
    };
    const root = join(opts.stateDir, 'temporal');
    mkdirSync(join(root, 'config'), { recursive: true });
    writeFileSync(join(root, 'config', 'topology.yaml'), serverConfig(ports, opts.postgres, opts.certificates));
    return new TopologyTemporal(opts.binary, root, ports, join(opts.stateDir, 'temporal-server.log'));
  }

  get address(): string {
    return `127.0.0.1:${this.ports.frontend}`;
  }

  get metricsUrl(): string {
    return `http://127.0.0.1:${this.ports.metrics}/metrics`;
  }

  get configFile(): string {
    return join(this.root, 'config', 'topology.yaml');
  }

  get log(): string {
    return this.logFile;
  }

  /** Starts the server and waits for its frontend port (the namespace may still be loading: see main.ts). */
  async start(): Promise<void> {
    const out = openSync(this.logFile, 'a');
    // --allow-no-auth: mutual TLS is the authentication; no authorizer narrows what a certified client may do.
    this.child = spawn(
      this.binary,
      ['--root', this.root, '--config', 'config', '--env', 'topology', '--allow-no-auth', 'start'],
      { stdio: ['ignore', out, out] },
    );
    const child = this.child;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`temporal-server exited ${code} at start; see ${this.logFile}`))),
    );
    await Promise.race([waitForPort(this.ports.frontend, 120_000, 'the Temporal frontend'), exited]);
  }

  /** SIGTERM, and SIGKILL after 30 s if it has not exited by then. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  emergencyStop(): void {
    this.child?.kill('SIGKILL');
  }
}
