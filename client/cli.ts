/**
 * Entry of the `ovop` CLI (bin/ovop.js loads it through tsx): parses the command line, runs the command, and exits with
 * its code. Commander's own errors (unknown option, missing argument) are usage errors: exit code 2.
 */
import { CommanderError } from 'commander';
import { ExitCode } from './errors';
import { buildProgram } from './program';

export async function main(argv: string[] = process.argv): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram((code) => (exitCode = code));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // --help and --version end with exit code 0; anything else commander refused is a usage error (already printed).
    if (err.exitCode === 0) return ExitCode.ok;
    if (argv.includes('--json')) {
      process.stdout.write(
        `${JSON.stringify({ error: { exitCode: ExitCode.usage, message: err.message.replace(/^error: /, ''), issues: [] } }, null, 2)}\n`,
      );
    }
    return ExitCode.usage;
  }
  return exitCode;
}

/** Exits once stdout and stderr have taken everything written (a pipe may still be draining). */
function exit(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main().then(exit, (err: unknown) => {
  process.stderr.write(`ovop: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
  if (process.env.OVOP_DEBUG) console.error(err);
  exit(ExitCode.refused);
});
