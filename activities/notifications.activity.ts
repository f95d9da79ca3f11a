/**
 * Sends one notification, at most once per business key. The key is claimed in `notifications` before sending and
 * marked sent right after, on the same connection; a retried activity finds it sent and returns. The Message-ID is
 * derived from the key too, so even the narrow window between a send and its mark (a crash right there) yields a
 * message receivers can de-duplicate.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isNominationWorkflow, nominationLink } from '../common/nomination-link';
import { hasOneConnection, type Database } from '../db/database';
import type { NotificationRequest } from './contracts';
import type { Mailer } from './mailer';
import { resolveReferences, UnknownReferenceError } from './recipients';
import { render, TemplateError } from './templates';

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/**
 * A header value written as given, on one line: nodemailer would fold a long one onto the next line, and the README's
 * `grep 'X-Ovop-Key: …'` must find it whole (lines may reach 998 characters; keys and ids are far shorter). Text that
 * is not printable ASCII is left to nodemailer to encode. nodemailer writes the names as `X-Ovop-…` whatever case they
 * are given in; header names are case-insensitive to mail software.
 */
function oneLine(value: string): string | { prepared: true; value: string } {
  return /^[\x20-\x7e]{1,900}$/.test(value) ? { prepared: true, value } : value;
}

export function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@ovop.kemenperin.example>`;
}

export interface NotificationOptions {
  /** The portal's public address: a nomination's mails then end with the link to its page. */
  portalUrl?: string;
}

export function createNotificationActivities(db: Kysely<Database>, mailer: Mailer, opts: NotificationOptions = {}) {
  /** Where a notification's claim, send and mark run: see the comment in `sendNotification`. */
  const withConnection = hasOneConnection(db)
    ? <T>(fn: (conn: Kysely<Database>) => Promise<T>) => fn(db)
    : <T>(fn: (conn: Kysely<Database>) => Promise<T>) => db.connection().execute(fn);
  return {
    async sendNotification(asked: NotificationRequest): Promise<{ sent: boolean; messageId: string }> {
      // Recipients and names given by reference (rules by reference) are looked up here, never in the workflow.
      let req: NotificationRequest;
      try {
        req = await resolveReferences(db, asked);
      } catch (err) {
        if (err instanceof UnknownReferenceError)
          throw ApplicationFailure.nonRetryable(`${err.message} (${asked.key})`, 'InvalidRecipient');
        throw err;
      }
      const bad = [...req.to, ...(req.cc ?? [])].filter((a) => !EMAIL.test(a));
      if (req.to.length === 0 || bad.length) {
        throw ApplicationFailure.nonRetryable(
          `invalid recipient ${bad.join(', ') || '(none)'} for ${req.key}`,
          'InvalidRecipient',
        );
      }
      let mail;
      try {
        mail = render(req.template, req.data);
      } catch (err) {
        if (err instanceof TemplateError) throw ApplicationFailure.nonRetryable(err.message, 'TemplateError');
        throw err;
      }
      if (opts.portalUrl && isNominationWorkflow(req.workflowId)) {
        const link = nominationLink(opts.portalUrl, req.workflowId);
        mail = { ...mail, text: `${mail.text}\n\nLihat usulan ini di portal OVOP (setelah masuk): ${link}\n` };
      }
      const messageId = messageIdFor(req.key);
      // Claim, send and mark on ONE connection held across the send, so the mark follows the server's 250 at once
      // rather than queueing for a pool slot: a worker killed in between would send the message again, and the stable
      // Message-ID lets receivers drop the rare one that slips through. On a one-connection database (embedded PGlite)
      // holding it would serialize a burst of mail, so there the three steps take the connection in turn.
      return withConnection(async (conn) => {
        await conn
          .insertInto('notifications')
          .values({
            key: req.key,
            workflow_id: req.workflowId,
            recipient: req.to.join(', '),
            template: req.template,
            subject: mail.subject,
            status: 'pending',
          })
          .onConflict((oc) => oc.column('key').doNothing())
          .execute();
        const row = await conn
          .selectFrom('notifications')
          .select(['status'])
          .where('key', '=', req.key)
          .executeTakeFirstOrThrow();
        if (row.status === 'sent') return { sent: false, messageId };
        await conn
          .updateTable('notifications')
          .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
          .where('key', '=', req.key)
          .execute();
        const info = await mailer.transport.sendMail({
          from: mailer.from,
          to: req.to,
          cc: req.cc,
          subject: mail.subject,
          text: mail.text,
          messageId,
          headers: {
            'X-Ovop-Key': oneLine(req.key),
            'X-Ovop-Template': oneLine(req.template),
            'X-Ovop-Workflow': oneLine(req.workflowId),
          },
        });
        await conn
          .updateTable('notifications')
          .set({ status: 'sent', provider_message_id: info.messageId ?? messageId, sent_at: new Date() })
          .where('key', '=', req.key)
          .execute();
        return { sent: true, messageId };
      });
    },
  };
}
