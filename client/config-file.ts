/** Reads a cycle config for the CLI: an invalid file is refused (exit 1) with every problem and its path; a file that
 * is not there is a usage error (exit 2). */
import { existsSync } from 'node:fs';
import { CycleConfigError, loadCycleConfig } from '../domain/cycle-config';
import type { CycleConfig } from '../domain/types';
import { CliError, ExitCode, usage } from './errors';

export function readCycleConfig(path: string): CycleConfig {
  if (!existsSync(path)) throw usage(`cycle config ${path} does not exist (examples/cycle.yaml is one to start from)`);
  try {
    return loadCycleConfig(path);
  } catch (err) {
    if (err instanceof CycleConfigError) {
      const count = err.issues.length === 1 ? '1 problem' : `${err.issues.length} problems`;
      const issues = err.issues.map((i) => ({ path: i.path, message: i.message }));
      throw new CliError(ExitCode.refused, `cycle config ${path} is invalid (${count})`, issues);
    }
    throw err;
  }
}
