/**
 * A cycle config sent in a request body (YAML text or JSON), parsed and checked as `ovop cycle check` does: a config
 * that is not valid answers 400 with every problem named.
 */
import { CycleConfigError, parseCycleConfig } from '../domain/cycle-config';
import type { CycleConfig } from '../domain/types';
import { invalidRequest } from './errors';

export function cycleConfigFromBody(config: unknown): CycleConfig {
  try {
    const text = typeof config === 'string' ? config : JSON.stringify(config);
    return parseCycleConfig(text, 'in the request');
  } catch (err) {
    if (err instanceof CycleConfigError) throw invalidRequest(err.message);
    throw err;
  }
}
