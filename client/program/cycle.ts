/** `ovop cycle …`: open, follow, steer and finalize an award cycle, and its Temporal Schedule. */
import { Option, type Command } from 'commander';
import { DEADLINE_STAGES } from '../../domain/types';
import type { Run } from './run';

export function cycleCommands(program: Command, run: Run): void {
  const cycle = program.command('cycle').description('open, follow, steer and finalize an award cycle');
  cycle
    .command('check')
    .description('validate a cycle config offline and report which sessions cover each province (no server needed)')
    .requiredOption('--config <file>', 'the cycle config, e.g. examples/cycle.yaml')
    .action(
      run(async (ctx, opts: { config: string }) => (await import('../commands/cycle-check')).cycleCheck(ctx, opts)),
    );
  cycle
    .command('start')
    .description('open a cycle from its YAML config (a coordinator)')
    .requiredOption('--config <file>', 'the cycle config, e.g. examples/cycle.yaml')
    .action(
      run(async (ctx, opts: { config: string }) => (await import('../commands/cycle-start')).cycleStart(ctx, opts)),
    );
  cycle
    .command('status')
    .description('the state of a cycle and its nominations per stage, province and commodity (coordinators, auditors)')
    .argument('<cycle>', 'cycle id (the id: of its config)')
    .action(run(async (ctx, id: string) => (await import('../commands/cycle-status')).cycleStatus(ctx, id)));
  cycle
    .command('extend')
    .description("extend a stage's deadline for every open nomination of the cycle (a coordinator)")
    .argument('<cycle>', 'cycle id')
    .addOption(new Option('--stage <stage>', 'the deadline to move').choices(DEADLINE_STAGES).makeOptionMandatory())
    .requiredOption('--until <time>', 'the new deadline, ISO 8601 with offset, e.g. 2027-05-31T23:59:00+07:00')
    .action(
      run(async (ctx, id: string, opts: { stage: (typeof DEADLINE_STAGES)[number]; until: string }) =>
        (await import('../commands/cycle-extend')).cycleExtend(ctx, id, opts),
      ),
    );
  cycle
    .command('finalize')
    .description('close intake and finalize the cycle once its nominations are settled (a coordinator)')
    .argument('<cycle>', 'cycle id')
    .action(run(async (ctx, id: string) => (await import('../commands/cycle-extend')).cycleFinalize(ctx, id)));
  cycle
    .command('decree')
    .description(
      "record the decree that determines the cycle's recommended stars, each at its recommended level (a coordinator)",
    )
    .argument('<cycle>', 'cycle id')
    .requiredOption('--number <number>', 'the decree number, e.g. "1234/M-IND/Kep/11/2027"')
    .requiredOption('--date <date>', 'the date of the decree, YYYY-MM-DD')
    .requiredOption('--signatory <office>', 'who signed it: minister or director_general')
    .requiredOption('--signed-by <name>', "the signatory's name")
    .action(
      run(async (ctx, id: string, opts: import('../commands/cycle-decree').DecreeOptions) =>
        (await import('../commands/cycle-decree')).cycleDecree(ctx, id, opts),
      ),
    );
  const schedule = cycle
    .command('schedule')
    .description(
      'open the cycles of a series at their cadence with a Temporal Schedule, and manage it (a coordinator)',
    );
  schedule
    .command('create', { isDefault: true })
    .description(
      "create the series' schedule (id ovop/<series>/schedule; the series is the config id without a trailing year): " +
        "it opens a cycle <series>-<year> on the calendar date, yearly or every two years as the config's cadence says",
    )
    .requiredOption('--config <file>', 'the cycle config')
    .option(
      '--at <date>',
      "the first opening: 2027-02-01 or 2027-02-01T08:00 in the cycle's time zone, or an ISO instant with offset " +
        '(default: phases.kickoff at 08:00)',
    )
    .option(
      '--every <duration>',
      'TESTS AND DEMOS ONLY: open a cycle every <duration> (e.g. 20s, at least 5s) instead of at the cadence; ' +
        'its cycles are named <series>-<yyyymmdd>-<hhmmss>',
    )
    .action(
      run(async (ctx, opts: import('../commands/cycle-schedule').ScheduleOptions) =>
        (await import('../commands/cycle-schedule')).cycleSchedule(ctx, opts),
      ),
    );
  schedule
    .command('list')
    .description(
      'every cycle schedule: cadence, paused or active, the next openings and the cycles opened (coordinators, auditors)',
    )
    .action(run(async (ctx) => (await import('../commands/cycle-schedule')).cycleScheduleList(ctx)));
  for (const [change, what] of [
    ['pause', 'stop opening cycles until unpaused'],
    ['unpause', 'open cycles again'],
    ['delete', 'remove the schedule (cycles it opened run on)'],
  ] as const) {
    const cmd = schedule
      .command(change)
      .description(`${what} (a coordinator)`)
      .argument('<series>', 'the series (e.g. ovop for ovop-2027) or its schedule id ovop/<series>/schedule');
    if (change !== 'delete') cmd.option('--note <text>', 'why, kept on the schedule');
    cmd.action(
      run(async (ctx, series: string, opts: { note?: string }) =>
        (await import('../commands/cycle-schedule')).cycleScheduleChange(ctx, change, series, opts),
      ),
    );
  }
}
