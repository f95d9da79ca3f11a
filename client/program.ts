/**
 * The `ovop` commands (commander). Each action opens what it needs through a Context, returns an Outcome, and the
 * runner prints it (text or `--json`) and turns errors into exit codes: 0 done, 1 refused, 2 usage, 3 unreachable.
 * Command modules are imported when their command runs, so `ovop --help` starts fast.
 */
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { DEADLINE_STAGES, ROLES } from '../domain/types';
import { ACTOR_FORMAT } from './actor';
import { Context, type GlobalOptions, type Outcome } from './context';
import { CliError, ExitCode, toCliError } from './errors';
import { timesInZone } from './time';

const HELP_FOOTER = `
Environment:
  OVOP_ACTOR         who acts, ${ACTOR_FORMAT} (--as wins)
  TEMPORAL_ADDRESS   Temporal frontend, default localhost:7233 (also TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
                     TEMPORAL_PROFILE: the @temporalio/envconfig settings the worker uses)
  OVOP_TASK_QUEUE    task queue of the ovop worker, default ovop-nominations
  DATABASE_URL       PostgreSQL of the engine, for report, cycle status counts and audit trail
  OVOP_TIMEOUT       seconds to wait for a worker to answer, default 60
  OVOP_SIGNING_KEY_FILE, OVOP_VERIFY_KEY_FILE
                     Ed25519 keys (PEM) that sign audit exports and check them (or the PEM itself in OVOP_SIGNING_KEY,
                     OVOP_VERIFY_KEY); without a verification key, the signing key's public half checks

Times are shown in the cycle's time zone with its name (WIB, WITA, WIT); --json writes them as ISO 8601 with the
zone's offset, e.g. 2027-05-31T23:59:00+07:00.

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
  if (json)
    process.stdout.write(
      `${JSON.stringify({ error: { exitCode: error.exitCode, message: error.message, issues: error.issues } }, null, 2)}\n`,
    );
}

export function buildProgram(onExit: (code: number) => void): Command {
  /** Wraps a command: commander passes the arguments, then the options, then the Command itself. */
  const run =
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
    .option('--as <actor>', `act as this actor: ${ACTOR_FORMAT} (default: $OVOP_ACTOR)`)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .addHelpText('after', HELP_FOOTER);

  // ── cycle ────────────────────────────────────────────────────────────────────────────────────────────────────────
  const cycle = program.command('cycle').description('open, follow, steer and finalize an award cycle');
  cycle
    .command('check')
    .description('validate a cycle config offline and report which sessions cover each province (no server needed)')
    .requiredOption('--config <file>', 'the cycle config, e.g. examples/cycle.yaml')
    .action(
      run(async (ctx, opts: { config: string }) => (await import('./commands/cycle-check')).cycleCheck(ctx, opts)),
    );
  cycle
    .command('start')
    .description('open a cycle from its YAML config (a coordinator)')
    .requiredOption('--config <file>', 'the cycle config, e.g. examples/cycle.yaml')
    .action(
      run(async (ctx, opts: { config: string }) => (await import('./commands/cycle-start')).cycleStart(ctx, opts)),
    );
  cycle
    .command('status')
    .description('the state of a cycle; with DATABASE_URL also its nominations per province and commodity')
    .argument('<cycle>', 'cycle id (the id: of its config)')
    .action(run(async (ctx, id: string) => (await import('./commands/cycle-status')).cycleStatus(ctx, id)));
  cycle
    .command('extend')
    .description("extend a stage's deadline for every open nomination of the cycle (a coordinator)")
    .argument('<cycle>', 'cycle id')
    .addOption(new Option('--stage <stage>', 'the deadline to move').choices(DEADLINE_STAGES).makeOptionMandatory())
    .requiredOption('--until <time>', 'the new deadline, ISO 8601 with offset, e.g. 2027-05-31T23:59:00+07:00')
    .action(
      run(async (ctx, id: string, opts: { stage: (typeof DEADLINE_STAGES)[number]; until: string }) =>
        (await import('./commands/cycle-extend')).cycleExtend(ctx, id, opts),
      ),
    );
  cycle
    .command('finalize')
    .description('close intake and finalize the cycle once its nominations are settled (a coordinator)')
    .argument('<cycle>', 'cycle id')
    .action(run(async (ctx, id: string) => (await import('./commands/cycle-extend')).cycleFinalize(ctx, id)));
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
      run(async (ctx, id: string, opts: import('./commands/cycle-decree').DecreeOptions) =>
        (await import('./commands/cycle-decree')).cycleDecree(ctx, id, opts),
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
      run(async (ctx, opts: import('./commands/cycle-schedule').ScheduleOptions) =>
        (await import('./commands/cycle-schedule')).cycleSchedule(ctx, opts),
      ),
    );
  schedule
    .command('list')
    .description('every cycle schedule: cadence, paused or active, the next openings and the cycles opened')
    .action(run(async (ctx) => (await import('./commands/cycle-schedule')).cycleScheduleList(ctx)));
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
        (await import('./commands/cycle-schedule')).cycleScheduleChange(ctx, change, series, opts),
      ),
    );
  }

  // ── nominations ──────────────────────────────────────────────────────────────────────────────────────────────────
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
      run(async (ctx, opts: import('./commands/nominate').NominateOptions) =>
        (await import('./commands/nominate')).nominate(ctx, opts),
      ),
    );
  program
    .command('show')
    .description('the current state of a nomination: stage, deadline, documents, assessors, score')
    .argument('<nomination>', 'nomination id')
    .action(run(async (ctx, id: string) => (await import('./commands/show')).show(ctx, id)));
  program
    .command('attend')
    .description('record that the dinas attended its socialization session')
    .argument('<nomination>', 'nomination id')
    .requiredOption('--session <id>', 'session id from the cycle config, e.g. sesi-1-yogyakarta')
    .action(
      run(async (ctx, id: string, opts: { session: string }) =>
        (await import('./commands/attend')).attend(ctx, id, opts),
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
        (await import('./commands/docs')).docsSubmit(ctx, id, opts),
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
        (await import('./commands/docs')).docsReview(ctx, id, opts),
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
      run(async (ctx, id: string, opts: import('./commands/prescreen').PrescreenOptions) =>
        (await import('./commands/prescreen')).prescreen(ctx, id, opts),
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
        (await import('./commands/samples')).samplesReceive(ctx, id, opts),
      ),
    );

  program
    .command('score')
    .description("submit an assessor's score sheet")
    .argument('<nomination>', 'nomination id')
    .requiredOption('--file <json>', 'JSON object of criterion id → integer score, e.g. examples/scores.json')
    .action(
      run(async (ctx, id: string, opts: { file: string }) => (await import('./commands/score')).score(ctx, id, opts)),
    );
  program
    .command('withdraw')
    .description('withdraw a nomination (its dinas or a coordinator)')
    .argument('<nomination>', 'nomination id')
    .requiredOption('--reason <text>', 'why')
    .action(
      run(async (ctx, id: string, opts: { reason: string }) =>
        (await import('./commands/withdraw')).withdraw(ctx, id, opts),
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
        (await import('./commands/determine')).determine(ctx, id, opts),
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
        (await import('./commands/certificate')).certificate(ctx, id, opts),
      ),
    );
  const curation = program
    .command('curation')
    .description("lists of IKM selected from a cycle's results for a follow-up programme (from PostgreSQL)");
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
      run(async (ctx, id: string, opts: import('./commands/curation').CurationBuildOptions) =>
        (await import('./commands/curation')).curationBuild(ctx, id, opts),
      ),
    );
  curation
    .command('export')
    .description('a stored curation list as CSV')
    .argument('<cycle>', 'cycle id')
    .argument('<name>', 'the list name')
    .option('--out <file>', 'write the CSV to this file instead of stdout')
    .action(
      run(async (ctx, id: string, name: string, opts: { out?: string }) =>
        (await import('./commands/curation')).curationExport(ctx, id, name, opts),
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
        (await import('./commands/verify-field')).verifyField(ctx, id, opts),
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
        (await import('./commands/field-visit')).fieldVisitSchedule(ctx, id, opts),
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
        ) => (await import('./commands/field-visit')).fieldVisitEvidence(ctx, id, opts),
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
        (await import('./commands/extend')).extend(ctx, id, opts),
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
        (await import('./commands/extend')).resolveHold(ctx, id, opts),
      ),
    );
  program
    .command('report')
    .description(
      'reports of a cycle from PostgreSQL (DATABASE_URL): stars per province or commodity group; the funnel per ' +
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
        async (ctx, id: string, opts: { by: import('./commands/report').ReportBy; format: 'table' | 'csv' | 'json' }) =>
          (await import('./commands/report')).report(ctx, id, opts),
      ),
    );

  // ── users (operator commands: on the database, not through the API) ────────────────────────────────────────────
  const users = program
    .command('users')
    .description('operator commands on the database (DATABASE_URL): the people who may sign in to the API');
  users
    .command('add')
    .description('add a user, or update the one with the same id and make it active')
    .requiredOption('--id <id>', 'the actor id the workflows record, e.g. disperin-32.05 or penilai-siti')
    .requiredOption('--name <name>', 'name of the person or office')
    .requiredOption('--email <address>', 'where sign-in links go')
    .addOption(new Option('--role <role>', 'role').choices(ROLES).makeOptionMandatory())
    .requiredOption(
      '--region <code>',
      'kabupaten/kota code (dinas_kabkota), province code (dinas_provinsi, assessor) or 00',
    )
    .action(
      run(async (ctx, opts: import('../db/users').NewUser) => (await import('./commands/users')).usersAdd(ctx, opts)),
    );
  users
    .command('import')
    .description('add or update users from a CSV file with the columns id,name,email,role,region (all rows or none)')
    .requiredOption('--file <csv>', 'the CSV file')
    .action(run(async (ctx, opts: { file: string }) => (await import('./commands/users')).usersImport(ctx, opts)));
  users
    .command('disable')
    .description('disable a user: their sessions end and their API tokens are revoked')
    .argument('<user>', 'user id or email')
    .action(run(async (ctx, id: string) => (await import('./commands/users')).usersDisable(ctx, id)));
  users
    .command('list')
    .description('every user with role, region and whether active')
    .action(run(async (ctx) => (await import('./commands/users')).usersList(ctx)));
  users
    .command('token')
    .description("make an API token for a user (shown once), e.g. the first coordinator's")
    .argument('<user>', 'user id or email')
    .option('--days <n>', 'days until it expires', '90')
    .option('--name <text>', 'what it is for', 'made by ovop users token')
    .action(
      run(async (ctx, id: string, opts: { days: string; name: string }) =>
        (await import('./commands/users')).usersToken(ctx, id, opts),
      ),
    );

  // ── audit ────────────────────────────────────────────────────────────────────────────────────────────────────────
  const audit = program
    .command('audit')
    .description('who did what and when, and proof that histories replay on the current code');
  audit
    .command('trail')
    .description("a nomination's timeline from its Temporal history, reconciled with PostgreSQL nomination_events")
    .argument('<nomination>', 'nomination id')
    .action(run(async (ctx, id: string) => (await import('./commands/audit-trail')).auditTrail(ctx, id)));
  audit
    .command('export')
    .description("write a nomination's history, event-log rows and chain head as a signed audit bundle")
    .argument('<nomination>', 'nomination id')
    .requiredOption('--out <file>', 'where to write it, e.g. b.json')
    .option('--key <pem>', 'the Ed25519 signing key (default: OVOP_SIGNING_KEY_FILE, OVOP_SIGNING_KEY)')
    .action(
      run(async (ctx, id: string, opts: { out: string; key?: string }) =>
        (await import('./commands/audit-export')).auditExport(ctx, id, opts),
      ),
    );
  audit
    .command('keygen')
    .description('make an Ed25519 key pair for signing audit bundles')
    .requiredOption('--out <file>', 'the private key to write, e.g. ovop-signing.pem (the public key: .pub.pem)')
    .action(
      run(async (ctx, opts: { out: string }) => (await import('./commands/audit-keygen')).auditKeygen(ctx, opts)),
    );
  const codeOptions = (cmd: Command) =>
    cmd
      .addOption(
        new Option(
          '--workflows <path>',
          'replay against another workflows index (a .ts file or a directory with index.ts)',
        ).hideHelp(),
      )
      .addOption(new Option('--workflow-bundle <file>', 'replay against a prebuilt workflow bundle').hideHelp());
  codeOptions(
    audit
      .command('replay')
      .description('replay an exported history against the current workflow code (no server needed)')
      .requiredOption('--file <json>', 'a bundle written by ovop audit export, or a Temporal JSON history')
      .option('--public-key <pem>', 'the key bundles are checked with (default: OVOP_VERIFY_KEY_FILE, OVOP_VERIFY_KEY)')
      .addOption(new Option('--workflow-id <id>', 'the workflow id, when the file does not say').hideHelp()),
  ).action(
    run(
      async (
        ctx,
        opts: { file: string; workflowId?: string; publicKey?: string; workflows?: string; workflowBundle?: string },
      ) => (await import('./commands/audit-replay')).auditReplay(ctx, opts),
    ),
  );
  codeOptions(
    audit
      .command('verify')
      .description('replay every workflow of a cycle against the current workflow code')
      .argument('<cycle>', 'cycle id')
      .option('--jobs <n>', 'histories replayed at once (default: one per core)'),
  ).action(
    run(async (ctx, id: string, opts: { workflows?: string; workflowBundle?: string; jobs?: string }) =>
      (await import('./commands/audit-verify')).auditVerify(ctx, id, opts),
    ),
  );

  return program;
}
