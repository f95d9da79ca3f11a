/** All activities, built over their dependencies; workflows import only the type of this factory. */
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { createCycleActivities } from './cycle.activity';
import { createDecreeActivities } from './decree.activity';
import type { Mailer } from './mailer';
import { createIntakeActivities } from './intake.activity';
import { createNotificationActivities } from './notifications.activity';
import { createProjectionActivities } from './projection.activity';

export interface ActivityDeps {
  db: Kysely<Database>;
  mailer: Mailer;
  client: Client;
  /** The portal's public address, for the links in mails (OVOP_PORTAL_URL). */
  portalUrl?: string;
}

export function createActivities({ db, mailer, client, portalUrl }: ActivityDeps) {
  return {
    ...createProjectionActivities(db),
    ...createNotificationActivities(db, mailer, { portalUrl }),
    ...createCycleActivities(db, client),
    ...createDecreeActivities(db, client),
    ...createIntakeActivities(db),
  };
}
