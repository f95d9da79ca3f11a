/**
 * The mailbox behind the embedded SMTP servers (embedded/smtp-sink.ts, the chaos run's bench/chaos/smtp.ts): every
 * message accepted is stored as an .eml file, written then renamed so a reader never sees half a message, and named
 * after the moment it arrived.
 *
 * A message whose Message-ID is already stored is a re-delivery, and is not stored twice — what mailbox providers do
 * with a repeated Message-ID. The engine sends each notification under a Message-ID derived from its business key
 * (activities/notifications.activity.ts), so a mail activity retried after a worker died between the server's "250" and
 * marking the row sent re-delivers the same message. Such re-deliveries are still answered "250" and recorded, one JSON
 * line each, in `.redeliveries.jsonl` in the mail folder, so that the chaos checks can count them apart from
 * duplicates (two stored copies of one notification key).
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const REDELIVERIES_FILE = '.redeliveries.jsonl';

export interface Redelivery {
  at: string;
  messageId: string;
  /** The engine's notification key (X-OVOP-Key), when the message carries one. */
  key: string;
  /** The file that holds the copy stored first. */
  storedAs: string;
}

/** A header's value from a raw message (folded lines unfolded); undefined when absent. */
export function headerOf(raw: Buffer, name: string): string | undefined {
  const text = raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const head = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

export class MailStore {
  private readonly byMessageId = new Map<string, string>();
  private stored = 0;
  private redelivered = 0;

  /** Opens the folder, indexing the Message-IDs of the messages already in it (the sink may be restarted). */
  constructor(readonly mailDir: string) {
    mkdirSync(mailDir, { recursive: true });
    for (const file of readdirSync(mailDir).filter((f) => f.endsWith('.eml'))) {
      const id = headerOf(readFileSync(join(mailDir, file)), 'Message-ID');
      if (id) this.byMessageId.set(id, file);
    }
  }

  /** Messages stored since this store opened. */
  get messages(): number {
    return this.stored;
  }

  /** Re-deliveries of an already stored Message-ID since this store opened. */
  get redeliveries(): number {
    return this.redelivered;
  }

  /** Stores one message; returns the file that holds it (the earlier copy's for a re-delivery). */
  store(raw: Buffer): { file: string; redelivery: boolean } {
    const messageId = headerOf(raw, 'Message-ID');
    const earlier = messageId ? this.byMessageId.get(messageId) : undefined;
    if (messageId && earlier) {
      const record: Redelivery = {
        at: new Date().toISOString(),
        messageId,
        key: headerOf(raw, 'X-OVOP-Key') ?? '',
        storedAs: earlier,
      };
      appendFileSync(join(this.mailDir, REDELIVERIES_FILE), `${JSON.stringify(record)}\n`);
      this.redelivered += 1;
      return { file: earlier, redelivery: true };
    }
    const file = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`;
    const tmp = join(this.mailDir, `.${file}.tmp`);
    writeFileSync(tmp, raw);
    renameSync(tmp, join(this.mailDir, file));
    if (messageId) this.byMessageId.set(messageId, file);
    this.stored += 1;
    return { file, redelivery: false };
  }
}

/** The re-deliveries recorded in a mail folder (none when the file is absent). */
export function readRedeliveries(mailDir: string): Redelivery[] {
  let text: string;
  try {
    text = readFileSync(join(mailDir, REDELIVERIES_FILE), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Redelivery);
}
