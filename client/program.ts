/**
 * The `ovop` commands (commander), one module per group under ./program/. Each action opens what it needs through a
 * Context, returns an Outcome, and the runner prints it (text or `--json`) and turns errors into exit codes: 0 done,
 * 1 refused, 2 usage, 3 unreachable. Command modules are imported when their command runs, so `ovop --help` starts
 * fast.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { ApiRefusal } from './api-client';
import { Context, type GlobalOptions, type Outcome } from './context';
import { CliError, ExitCode, toCliError } from './errors';
import { cycleCommands } from './program/cycle';
import { nominationCommands } from './program/nominations';
import { operatorCommands } from './program/operator';
import { resultCommands } from './program/results';
import type { Run } from './program/run';
import { timesInZone } from './time';

const HELP_FOOTER = `
Environment:
  OVOP_API_URL       the OVOP API, e.g. https://ovop.kemenperin.go.id (--api wins)
  OVOP_TOKEN         your API token, made by POST /api/tokens or ovop users token; the API knows who you are from it
                     (--token works too, but shows the token in the process list)
  OVOP_TIMEOUT       seconds to wait for the API or a worker to answer, default 60
Operator commands only:
  TEMPORAL_ADDRESS   Temporal frontend, default localhost:7233 (also TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
                     TEMPORAL_PROFILE: the @temporalio/envconfig settings the worker uses)
  DATABASE_URL       PostgreSQL of the engine (users, audit)
  OVOP_SIGNING_KEY_FILE, OVOP_VERIFY_KEY_FILE
                     Ed25519 keys (PEM) that sign audit exports and check them (or the PEM itself in OVOP_SIGNING_KEY,
                     OVOP_VERIFY_KEY); without a verification key, the signing key's public half checks

Times are shown in the cycle's time zone with its name (WIB, WITA, WIT); --json writes them as ISO 8601 with the
zone's offset, e.g. 2027-05-31T23:59:00+07:00.

Operators also run, beside these commands: npm run migrate (the database schema), npm run worker (the workers),
npm run api (the API), and ovop audit replay --file <bundle> (a local file, no server needed).

Exit codes: 0 done, 1 refused (the message says why), 2 usage, 3 server unreachable.

A <nomination> is its full workflow id, ovop/<cycle>/nomination/<regency>/<ikm-slug>, as ovop nominate prints it.`;

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
}

/** Runs one command: prints its outcome or its error, closes connections, and reports the exit code. */
async function execute(globals: GlobalOptions, fn: (ctx: Context) => Promise<Outcome>): Promise<number> {
  const ctx = new Context(globals);
  try {
    const outcome = await fn(ctx);
    for (const warning of outcome.warnings ?? []) process.stderr.write(`ovop: warning: ${warning}\n`);
    const json = () => JSON.stringify(timesInZone(outcome.json, outcome.timezone), null, 2);
    process.stdout.write(`${ctx.json ? json() : outcome.text}\n`);
    return outcome.exitCode ?? ExitCode.ok;
  } catch (err) {
    if (process.env.OVOP_DEBUG && !(err instanceof CliError)) console.error(err);
    const error = toCliError(err, { temporalAddress: ctx.temporalAddress, subject: ctx.subject });
    printError(error, ctx.json);
    return error.exitCode;
  } finally {
    await ctx.close();
  }
}

export function printError(error: CliError, json: boolean): void {
  const lines = [`ovop: ${error.message}`, ...error.issues.map((i) => `  - ${i.path || '(file)'}: ${i.message}`)];
  process.stderr.write(`${lines.join('\n')}\n`);
  // An API refusal keeps the API's code and HTTP status beside the CLI's exit code, and the workflow's rule (with the
  // values its message names) where the API sent one, for scripts to branch on instead of the English sentence.
  const api = error instanceof ApiRefusal ? { status: error.status, code: error.code, ...error.rule } : {};
  // The one answer with exit 0 here is an action accepted and still being applied (202), not an error.
  const key = error.exitCode === ExitCode.ok ? 'accepted' : 'error';
  if (json)
    process.stdout.write(
      `${JSON.stringify({ [key]: { exitCode: error.exitCode, ...api, message: error.message, issues: error.issues } }, null, 2)}\n`,
    );
}

export function buildProgram(onExit: (code: number) => void): Command {
  /** Wraps a command: commander passes the arguments, then the options, then the Command itself. */
  const run: Run =
    <A extends unknown[]>(fn: (ctx: Context, ...args: A) => Promise<Outcome>) =>
    async (...raw: unknown[]) => {
      const command = raw[raw.length - 1] as Command;
      const globals = command.optsWithGlobals<GlobalOptions>();
      onExit(await execute(globals, (ctx) => fn(ctx, ...(raw.slice(0, -1) as A))));
    };

  const program = new Command('ovop')
    .description('Command-line client of the OVOP award nomination engine (Penghargaan OVOP) on Temporal.')
    .version(version(), '-V, --version')
    .option('--json', 'print the result as one JSON document on stdout')
    .option('--api <url>', 'the OVOP API (default: $OVOP_API_URL)')
    .option('--token <token>', 'your API token (default: $OVOP_TOKEN)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .addHelpText('after', HELP_FOOTER);

  program.commandsGroup('Actor commands (through the API with OVOP_API_URL and OVOP_TOKEN):');
  nominationCommands(program, run);
  cycleCommands(program, run);
  resultCommands(program, run);
  program.commandsGroup(
    'Operator commands (Temporal and PostgreSQL directly with TEMPORAL_ADDRESS and DATABASE_URL, never through the API):',
  );
  operatorCommands(program, run);
  return program;
}
