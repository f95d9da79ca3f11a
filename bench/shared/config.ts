/** The bench's cycle config: the demo config with a long intake window and, optionally, stretched deadlines. */
import { fileURLToPath } from 'node:url';
import { loadCycleConfig } from '../../domain/cycle-config';
import { parseDuration } from '../../domain/duration';
import { DEADLINE_STAGES, type CycleConfig } from '../../domain/types';
import { withoutOptionalSteps } from './cycle';

export function benchConfig(opts: { deadlineScale: number; intakeWindow?: string }): CycleConfig {
  // Without the optional steps, so that runs compare with the bench results recorded before them.
  const config = withoutOptionalSteps(
    loadCycleConfig(fileURLToPath(new URL('../../config/cycle.demo.yaml', import.meta.url))),
  );
  config.id = `bench-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '').toLowerCase()}`;
  config.name = 'Penghargaan OVOP (bench)';
  config.intakeWindow = opts.intakeWindow ?? '10m';
  const scale = (d: string) => `${Math.round(parseDuration(d) * opts.deadlineScale)}ms`;
  if (opts.deadlineScale !== 1) {
    for (const stage of DEADLINE_STAGES) {
      const d = config.deadlines[stage];
      if (!d) continue;
      d.within = scale(d.within);
      d.remindBefore = d.remindBefore.map(scale);
      if (d.grace) d.grace = scale(d.grace);
    }
  }
  return config;
}
