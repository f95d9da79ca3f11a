// Frozen in time: a migration never imports application code.
// Single sign-on by subject (issue #13): the provider's issuer and subject a user signed in with first, so that later
// sign-ins match the account, not an email address the provider may let its owner change.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('oidc_issuer', 'text').addColumn('oidc_subject', 'text').execute();
  // One account of a provider signs in as one user.
  await sql`create unique index users_oidc_account on users (oidc_issuer, oidc_subject) where oidc_subject is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists users_oidc_account`.execute(db);
  await db.schema.alterTable('users').dropColumn('oidc_subject').dropColumn('oidc_issuer').execute();
}
