/** Reads a cycle config for the CLI: every problem of an invalid file becomes a usage error listing each path. */
import { existsSync } from 'node:fs';
import { CycleConfigError, loadCycleConfig } from '../domain/cycle-config';
import type { CycleConfig } from '../domain/types';
import { usage } from './errors';

export function readCycleConfig(path: string): CycleConfig {
  if (!existsSync(path)) throw usage(`cycle config ${path} does not exist (examples/cycle.yaml is one to start from)`);
  try {
    return loadCycleConfig(path);
  } catch (err) {
    if (err instanceof CycleConfigError) {
      const count = err.issues.length === 1 ? '1 problem' : `${err.issues.length} problems`;
      throw usage(
        `cycle config ${path} is invalid (${count})`,
        err.issues.map((i) => ({ path: i.path, message: i.message })),
      );
    }
    throw err;
  }
}
