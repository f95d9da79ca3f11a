/**
 * A nomination's rows of one type in the event log (`nomination_events`), and a wait for them. The workflow writes a
 * row by an activity a moment after it decides (after an Update has answered, after a timer has fired), so a test
 * that expects a row polls for it rather than reading once.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, NominationEventsTable } from '../../db/database';
import { waitFor } from './harness';

export type EventRow = Selectable<NominationEventsTable>;

/** The nomination's events of `type`, in the order it recorded them. */
export function eventsOfType(db: Kysely<Database>, workflowId: string, type: string): Promise<EventRow[]> {
  return db
    .selectFrom('nomination_events')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .where('type', '=', type)
    .orderBy('seq')
    .execute();
}

/**
 * Waits until the nomination has recorded exactly `count` events of `type` (at least one when no count is given) and
 * answers them. Exactly: a second reminder where one is due makes the wait time out (naming `what`) rather than pass.
 */
export function waitForEvents(
  db: Kysely<Database>,
  workflowId: string,
  type: string,
  opts: { what: string; count?: number; timeoutMs?: number },
): Promise<EventRow[]> {
  return waitFor(
    async () => {
      const rows = await eventsOfType(db, workflowId, type);
      return (opts.count === undefined ? rows.length > 0 : rows.length === opts.count) && rows;
    },
    { what: opts.what, timeoutMs: opts.timeoutMs },
  );
}
