/** The actions on nominations, through the API as the token's user: nominate, attend, documents, … certificate. */
import { Option, type Command } from 'commander';
import { DEADLINE_STAGES } from '../../domain/types';
import type { Run } from './run';

export function nominationCommands(program: Command, run: Run): void {
  program
    .command('nominate')
    .description(
      'nominate IKM from a CSV file, or one IKM by flags (a dinas kabupaten/kota for its own IKM, or a coordinator)',
    )
    .requiredOption('--cycle <cycle>', 'cycle id')
    .option(
      '--file <csv>',
      'rows of regency_code,ikm_name,sentra_name,commodity,product,sentra_size[,dinas_email,previous_cycle,previous_stars]',
    )
    .option('--regency <code>', 'single nomination: kabupaten/kota code, e.g. 32.05')
    .option('--ikm <name>', 'single nomination: name of the IKM')
    .option('--sentra <name>', 'single nomination: name of the sentra it leads (the IKM is its lead firm)')
    .option('--commodity <group>', 'single nomination: makanan_minuman, kain_tenun, kain_batik, anyaman or gerabah')
    .option('--product <text>', 'single nomination: the product')
    .option('--sentra-size <n>', "single nomination: units in the sentra (at least 5, or the cycle's sentra.minUnits)")
    .option('--dinas-email <address>', 'single nomination: contact address of the dinas')
    .option('--previous-cycle <cycle>', 'single nomination: a re-evaluation; the cycle that starred it')
    .option('--previous-stars <n>', 'single nomination: the stars it holds from that cycle')
    .action(
      run(async (ctx, opts: import('../commands/nominate').NominateOptions) =>
        (await import('../commands/nominate')).nominate(ctx, opts),
      ),
    );
  program
    .command('attend')
    .description('record that the dinas attended its socialization session')
    .argument('<nomination>', 'nomination id')
    .requiredOption('--session <id>', 'session id from the cycle config, e.g. sesi-1-yogyakarta')
    .action(
      run(async (ctx, id: string, opts: { session: string }) =>
        (await import('../commands/attend')).attend(ctx, id, opts),
      ),
    );

  const docs = program.command('docs').description('documents of a nomination');
  docs
    .command('submit')
    .description('submit a document: its name, size and SHA-256 are recorded')
    .argument('<nomination>', 'nomination id')
    .requiredOption('--kind <kind>', 'document kind from the checklist, e.g. legality, halal, lab_test')
    .requiredOption('--file <path>', 'the document file')
    .action(
      run(async (ctx, id: string, opts: { kind: string; file: string }) =>
        (await import('../commands/docs')).docsSubmit(ctx, id, opts),
      ),
    );
  docs
    .command('review')
    .description('administrative review of the documents (a coordinator): exactly one decision')
    .argument('<nomination>', 'nomination id')
    .option('--approve', 'the documents pass')
    .option('--request-changes <why>', 'send back for a revision round')
    .option('--reject <why>', 'reject the nomination')
    .action(
      run(async (ctx, id: string, opts: { approve?: boolean; requestChanges?: string; reject?: string }) =>
        (await import('../commands/docs')).docsReview(ctx, id, opts),
      ),
    );

  program
    .command('prescreen')
    .description("the dinas provinsi's pre-screen of a proposal from its province: exactly one decision")
    .argument('<nomination>', 'nomination id')
    .option('--pass', 'pass it on to the national administrative selection')
    .option('--return <why>', 'return it to its dinas kabupaten/kota for completion (with --missing)')
    .option('--missing <kinds>', 'with --return: the document kinds to complete, comma-separated')
    .option('--reject <why>', 'reject the proposal')
    .action(
      run(async (ctx, id: string, opts: import('../commands/prescreen').PrescreenOptions) =>
        (await import('../commands/prescreen')).prescreen(ctx, id, opts),
      ),
    );
  const samples = program.command('samples').description('product samples of a nomination');
  samples
    .command('receive')
    .description('record that the product samples arrived (a coordinator)')
    .argument('<nomination>', 'nomination id')
    .requiredOption('--date <day>', 'the day they arrived, YYYY-MM-DD')
    .requiredOption('--condition <condition>', 'good, damaged or incomplete (notes required unless good)')
    .requiredOption('--by <name>', 'who received them')
    .option('--notes <text>', 'what was found')
    .action(
      run(async (ctx, id: string, opts: { date: string; condition: string; by: string; notes?: string }) =>
        (await import('../commands/samples')).samplesReceive(ctx, id, opts),
      ),
    );

  program
    .command('score')
    .description("submit an assessor's score sheet")
    .argument('<nomination>', 'nomination id')
    .requiredOption('--file <json>', 'JSON object of criterion id → integer score, e.g. examples/scores.json')
    .action(
      run(async (ctx, id: string, opts: { file: string }) => (await import('../commands/score')).score(ctx, id, opts)),
    );
  program
    .command('withdraw')
    .description('withdraw a nomination (its dinas or a coordinator)')
    .argument('<nomination>', 'nomination id')
    .requiredOption('--reason <text>', 'why')
    .action(
      run(async (ctx, id: string, opts: { reason: string }) =>
        (await import('../commands/withdraw')).withdraw(ctx, id, opts),
      ),
    );
  program
    .command('determine')
    .description('determine the stars (a coordinator): the recommendation, or --stars with --reason')
    .argument('<nomination>', 'nomination id')
    .option('--stars <n>', 'stars 0 (not classified) to 5, when not the recommended level')
    .option('--reason <text>', 'required when --stars differs from the recommendation')
    .action(
      run(async (ctx, id: string, opts: { stars?: string; reason?: string }) =>
        (await import('../commands/determine')).determine(ctx, id, opts),
      ),
    );
  program
    .command('approve-determination')
    .description(
      'approve or refuse a determination above the recommendation (a second coordinator, not the one who made it)',
    )
    .argument('<nomination>', 'nomination id')
    .option('--approve', 'the stars stand: the nomination is determined')
    .option('--refuse', 'the nomination awaits a determination again')
    .requiredOption('--reason <text>', 'why')
    .action(
      run(async (ctx, id: string, opts: { approve?: boolean; refuse?: boolean; reason: string }) =>
        (await import('../commands/approve-determination')).approveDetermination(ctx, id, opts),
      ),
    );
  const panel = program.command('panel').description("a nomination's assessment panel");
  panel
    .command('conflict')
    .description('declare a conflict of interest with a nomination (an assessor on its panel): a replacement is drawn')
    .argument('<nomination>', 'nomination id')
    .requiredOption('--reason <text>', 'the conflict, e.g. "a relative of the owner"')
    .action(
      run(async (ctx, id: string, opts: { reason: string }) =>
        (await import('../commands/panel')).declareConflict(ctx, id, opts),
      ),
    );
  panel
    .command('reassign')
    .description('take an assessor off a panel (a coordinator): a replacement is drawn at random')
    .argument('<nomination>', 'nomination id')
    .requiredOption('--assessor <id>', 'the assessor who leaves the panel')
    .requiredOption('--reason <text>', 'why')
    .action(
      run(async (ctx, id: string, opts: { assessor: string; reason: string }) =>
        (await import('../commands/panel')).reassignAssessor(ctx, id, opts),
      ),
    );
  program
    .command('certificate')
    .description(
      'record the hand-over of the award certificate (its dinas kabupaten/kota or provinsi, or a coordinator)',
    )
    .argument('<nomination>', 'nomination id')
    .requiredOption('--date <date>', 'the day it was handed over, YYYY-MM-DD')
    .requiredOption('--by <who>', 'who handed it over, e.g. "Bupati Garut"')
    .option('--notes <text>', 'anything worth keeping')
    .action(
      run(async (ctx, id: string, opts: { date: string; by: string; notes?: string }) =>
        (await import('../commands/certificate')).certificate(ctx, id, opts),
      ),
    );
  program
    .command('verify-field')
    .description('record the field verification (a coordinator), in cycles without field visits in their config')
    .argument('<nomination>', 'nomination id')
    .option('--passed', 'the sentra was verified on site')
    .option('--failed', 'the verification failed')
    .option('--notes <text>', 'what was found')
    .action(
      run(async (ctx, id: string, opts: { passed?: boolean; failed?: boolean; notes?: string }) =>
        (await import('../commands/verify-field')).verifyField(ctx, id, opts),
      ),
    );
  const visit = program.command('field-visit').description('the field visit of a nomination and its on-site evidence');
  visit
    .command('schedule')
    .description('schedule or move the field visit (a coordinator); the dinas is told the date by mail')
    .argument('<nomination>', 'nomination id')
    .requiredOption('--date <time>', 'when the team arrives, ISO 8601 with offset, e.g. 2027-09-14T09:00:00+07:00')
    .requiredOption('--team <ids>', 'assessor ids from the pool, separated by commas')
    .option('--facilitator <name>', "the regency's facilitator who accompanies the team")
    .action(
      run(async (ctx, id: string, opts: { date: string; team: string; facilitator?: string }) =>
        (await import('../commands/field-visit')).fieldVisitSchedule(ctx, id, opts),
      ),
    );
  visit
    .command('evidence')
    .description('record one checklist item found (or not) on site (a member of the visit team)')
    .argument('<nomination>', 'nomination id')
    .requiredOption('--item <id>', 'checklist item id from the cycle config, e.g. org_chart, bookkeeping')
    .option('--found', 'the evidence was found')
    .option('--not-found', 'it was not')
    .option('--note <text>', 'what the team saw')
    .option('--file <path...>', 'photos or scans kept as evidence (recorded by name, size and SHA-256)')
    .action(
      run(
        async (
          ctx,
          id: string,
          opts: { item: string; found?: boolean; notFound?: boolean; note?: string; file?: string[] },
        ) => (await import('../commands/field-visit')).fieldVisitEvidence(ctx, id, opts),
      ),
    );
  program
    .command('extend')
    .description("extend one nomination's deadline (a coordinator; ovop cycle extend does a whole cycle)")
    .argument('<nomination>', 'nomination id')
    .addOption(new Option('--stage <stage>', 'the deadline to move').choices(DEADLINE_STAGES).makeOptionMandatory())
    .requiredOption('--until <time>', 'the new deadline, ISO 8601 with offset')
    .action(
      run(async (ctx, id: string, opts: { stage: (typeof DEADLINE_STAGES)[number]; until: string }) =>
        (await import('../commands/extend')).extend(ctx, id, opts),
      ),
    );
  program
    .command('resolve-hold')
    .description('decide a nomination held after a missed deadline (a coordinator)')
    .argument('<nomination>', 'nomination id')
    .option('--extend-until <time>', 'give it until then')
    .option('--disqualify', 'disqualify it')
    .option('--reason <text>', 'why')
    .action(
      run(async (ctx, id: string, opts: { extendUntil?: string; disqualify?: boolean; reason?: string }) =>
        (await import('../commands/extend')).resolveHold(ctx, id, opts),
      ),
    );
}
