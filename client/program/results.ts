/** Reads and lists through the API: a nomination as the token's user may see it, reports and curation lists. */
import { Option, type Command } from 'commander';
import type { Run } from './run';

export function resultCommands(program: Command, run: Run): void {
  program
    .command('show')
    .description(
      'a nomination as you may read it: stage, deadline, documents (coordinators and auditors: its assessors and sheets)',
    )
    .argument('<nomination>', 'nomination id')
    .action(run(async (ctx, id: string) => (await import('../commands/show')).show(ctx, id)));
  program
    .command('report')
    .description(
      'reports of a cycle (coordinators, auditors, a dinas provinsi for its province): stars per province or commodity group; the funnel per ' +
        'province (proposed, passed pre-screen, passed admin, assessed, starred); participation of provinces and ' +
        'kabupaten/kota against the Kemendagri catalogue; stars by province and commodity',
    )
    .argument('<cycle>', 'cycle id')
    .addOption(
      new Option('--by <report>', 'which report')
        .choices(['province', 'commodity', 'funnel', 'participation', 'stars'])
        .default('province'),
    )
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .action(
      run(
        async (
          ctx,
          id: string,
          opts: { by: import('../commands/report').ReportBy; format: 'table' | 'csv' | 'json' },
        ) => (await import('../commands/report')).report(ctx, id, opts),
      ),
    );

  const curation = program
    .command('curation')
    .description("lists of IKM selected from a cycle's results for a follow-up programme");
  curation
    .command('build')
    .description('select determined IKM by criteria into a named, stored list (a coordinator)')
    .argument('<cycle>', 'cycle id')
    .requiredOption('--name <name>', 'the list name, a slug, e.g. go-global-2027')
    .option('--stars <levels>', 'determined star levels, e.g. 2,3 (default all)')
    .option('--commodity <groups>', 'commodity groups, comma-separated (default all)')
    .option('--province <codes>', 'province codes, comma-separated (default all)')
    .option('--min-score <score>', 'the lowest provisional score')
    .action(
      run(async (ctx, id: string, opts: import('../commands/curation').CurationBuildOptions) =>
        (await import('../commands/curation')).curationBuild(ctx, id, opts),
      ),
    );
  curation
    .command('export')
    .description('a stored curation list as CSV (coordinators and auditors)')
    .argument('<cycle>', 'cycle id')
    .argument('<name>', 'the list name')
    .option('--out <file>', 'write the CSV to this file instead of stdout')
    .action(
      run(async (ctx, id: string, name: string, opts: { out?: string }) =>
        (await import('../commands/curation')).curationExport(ctx, id, name, opts),
      ),
    );
}
