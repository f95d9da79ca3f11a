/**
 * The mail activity against the real SMTP sink and database: a notification key is sent once however often its
 * activity runs, and the one crash window it cannot close (after the server's "250", before the row is marked sent)
 * ends in a re-delivery the sink recognises by Message-ID and keeps once, while its journal shows that the server did
 * receive the message twice (a relay would deliver both).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationActivities } from '../../activities/notifications.activity';
import type { NotificationRequest } from '../../activities/contracts';
import { readReceipts, readRedeliveries } from '../../embedded/mail-store';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { readMailbox } from '../../embedded/mailbox';

let h: Harness;
beforeAll(async () => {
  // The second test re-delivers a message on purpose.
  h = await startHarness('notifications', { redeliveriesExpected: true });
});
afterAll(async () => {
  await h?.stop();
});

const request = (key: string): NotificationRequest => ({
  key,
  workflowId: 'ovop/uji-notif/32.05/tenun-garut',
  to: ['disperin.garut@ovop.example'],
  template: 'intake_accepted',
  data: {
    ikmName: 'Tenun Garut',
    sentraName: 'Sentra Tenun',
    regencyName: 'Kabupaten Garut',
    provinceName: 'Jawa Barat',
    stage: 'AWAITING_SOCIALIZATION',
  },
});

const copiesOf = async (key: string) => (await readMailbox(h.mailDir)).filter((m) => m.key === key);

describe('sendNotification', () => {
  it('sends a key once however often the activity runs: a retry finds the row sent and sends nothing', async () => {
    const { sendNotification } = createNotificationActivities(h.db, h.mailer);
    const key = `ovop/uji-notif/32.05/tenun-garut|intake_accepted|${Date.now()}`;
    const first = await sendNotification(request(key));
    const retry = await sendNotification(request(key));
    expect(first.sent).toBe(true);
    expect(retry).toEqual({ sent: false, messageId: first.messageId });

    const copies = await waitFor(async () => {
      const c = await copiesOf(key);
      return c.length > 0 && c;
    });
    expect(copies.map((m) => ({ messageId: m.messageId, to: m.to, subject: m.subject }))).toEqual([
      {
        messageId: first.messageId,
        to: ['disperin.garut@ovop.example'],
        subject: '[OVOP] Usulan diterima: Tenun Garut',
      },
    ]);
    const row = await h.db.selectFrom('notifications').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', attempts: 1 });
    // The server received the message once (its journal counts every message, not only the copies it keeps).
    expect(readReceipts(h.mailDir).filter((r) => r.key === key)).toHaveLength(1);
    expect(readRedeliveries(h.mailDir).filter((r) => r.key === key)).toEqual([]);
  });

  it("a crash between the server's acceptance and the mark re-delivers the same Message-ID, which the sink keeps once", async () => {
    const { sendNotification } = createNotificationActivities(h.db, h.mailer);
    const key = `ovop/uji-notif/32.05/tenun-garut|admin_passed|${Date.now()}`;
    const first = await sendNotification(request(key));
    // What a worker killed right after the server's "250" leaves behind: the row not yet marked sent.
    await h.db.updateTable('notifications').set({ status: 'pending', sent_at: null }).where('key', '=', key).execute();
    const retried = await sendNotification(request(key));
    expect(retried).toEqual({ sent: true, messageId: first.messageId });

    const row = await h.db.selectFrom('notifications').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    const copies = await copiesOf(key);
    expect(copies).toHaveLength(1);
    // A relay would have delivered both: the journal has both receipts, the second marked as the re-delivery.
    expect(readReceipts(h.mailDir).filter((r) => r.key === key)).toMatchObject([
      { messageId: first.messageId, storedAs: copies[0].file, redelivery: false },
      { messageId: first.messageId, storedAs: copies[0].file, redelivery: true },
    ]);
  });
});
