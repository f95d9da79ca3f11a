/**
 * Operator commands: they work on Temporal or PostgreSQL directly (TEMPORAL_ADDRESS, DATABASE_URL), not through the
 * API: the users who may sign in, and the audit commands (trail, export, keygen, replay, verify).
 */
import { Option, type Command } from 'commander';
import { ROLES } from '../../domain/types';
import type { Run } from './run';

export function operatorCommands(program: Command, run: Run): void {
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
      run(async (ctx, opts: import('../../db/users').NewUser) =>
        (await import('../commands/users')).usersAdd(ctx, opts),
      ),
    );
  users
    .command('import')
    .description('add or update users from a CSV file with the columns id,name,email,role,region (all rows or none)')
    .requiredOption('--file <csv>', 'the CSV file')
    .action(run(async (ctx, opts: { file: string }) => (await import('../commands/users')).usersImport(ctx, opts)));
  users
    .command('disable')
    .description('disable a user: their sessions end and their API tokens are revoked')
    .argument('<user>', 'user id or email')
    .action(run(async (ctx, id: string) => (await import('../commands/users')).usersDisable(ctx, id)));
  users
    .command('list')
    .description('every user with role, region and whether active')
    .action(run(async (ctx) => (await import('../commands/users')).usersList(ctx)));
  users
    .command('token')
    .description("make an API token for a user (shown once), e.g. the first coordinator's")
    .argument('<user>', 'user id or email')
    .option('--days <n>', 'days until it expires', '90')
    .option('--name <text>', 'what it is for', 'made by ovop users token')
    .action(
      run(async (ctx, id: string, opts: { days: string; name: string }) =>
        (await import('../commands/users')).usersToken(ctx, id, opts),
      ),
    );

  // ── audit ──────────────────────────────────────────────────────────────────────────────────────────────────────
  const audit = program
    .command('audit')
    .description('who did what and when, and proof that histories replay on the current code');
  audit
    .command('trail')
    .description("a nomination's timeline from its Temporal history, reconciled with PostgreSQL nomination_events")
    .argument('<nomination>', 'nomination id')
    .action(run(async (ctx, id: string) => (await import('../commands/audit-trail')).auditTrail(ctx, id)));
  audit
    .command('export')
    .description("write a nomination's history, event-log rows and chain head as a signed audit bundle")
    .argument('<nomination>', 'nomination id')
    .requiredOption('--out <file>', 'where to write it, e.g. b.json')
    .option('--key <pem>', 'the Ed25519 signing key (default: OVOP_SIGNING_KEY_FILE, OVOP_SIGNING_KEY)')
    .action(
      run(async (ctx, id: string, opts: { out: string; key?: string }) =>
        (await import('../commands/audit-export')).auditExport(ctx, id, opts),
      ),
    );
  audit
    .command('archive')
    .description(
      'copy every closed workflow run Temporal still holds into the history archive in PostgreSQL now (the worker does it every OVOP_ARCHIVE_EVERY)',
    )
    .action(run(async (ctx) => (await import('../commands/audit-archive')).auditArchive(ctx)));
  audit
    .command('keygen')
    .description('make an Ed25519 key pair for signing audit bundles')
    .requiredOption('--out <file>', 'the private key to write, e.g. ovop-signing.pem (the public key: .pub.pem)')
    .action(
      run(async (ctx, opts: { out: string }) => (await import('../commands/audit-keygen')).auditKeygen(ctx, opts)),
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
      .description(
        "replay a nomination's history (from Temporal, or the history archive once Temporal has deleted it) or an exported one (--file, no server needed) against the current workflow code",
      )
      .argument('[nomination]', 'nomination id')
      .option('--file <json>', 'a bundle written by ovop audit export, or a Temporal JSON history')
      .option('--public-key <pem>', 'the key bundles are checked with (default: OVOP_VERIFY_KEY_FILE, OVOP_VERIFY_KEY)')
      .addOption(new Option('--workflow-id <id>', 'the workflow id, when the file does not say').hideHelp()),
  ).action(
    run(
      async (
        ctx,
        nomination: string | undefined,
        opts: { file?: string; workflowId?: string; publicKey?: string; workflows?: string; workflowBundle?: string },
      ) => (await import('../commands/audit-replay')).auditReplay(ctx, { ...opts, nomination }),
    ),
  );
  codeOptions(
    audit
      .command('verify')
      .description('replay every workflow of a cycle against the current workflow code')
      .argument('<cycle>', 'cycle id')
      .option('--jobs <n>', 'histories replayed at once (default: one per core)')
      .option(
        '--source <where>',
        'auto: Temporal while it holds a run, else the history archive; archive: the archive for every archived run; temporal: Temporal only',
        'auto',
      )
      .option(
        '--replay-all',
        'replay every history, even one whose verdict on this workflow code is stored in PostgreSQL (replay_verdicts)',
      ),
  ).action(
    run(
      async (
        ctx,
        id: string,
        opts: { workflows?: string; workflowBundle?: string; jobs?: string; replayAll?: boolean },
      ) => (await import('../commands/audit-verify')).auditVerify(ctx, id, opts),
    ),
  );
}
