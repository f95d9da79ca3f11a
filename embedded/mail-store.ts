/**
 * The mailbox behind the embedded SMTP servers (embedded/smtp-sink.ts, the chaos run's bench/chaos/smtp.ts): every
 * message accepted is stored as an .eml file, written then renamed so a reader never sees half a message, and named
 * after the moment it arrived.
 *
 * A message whose Message-ID is already stored is a re-delivery, and is not stored twice — what mailbox providers do
 * with a repeated Message-ID. The engine sends each notification under a Message-ID derived from its business key
 * (activities/notifications.activity.ts), so a mail activity retried after a worker died between the server's "250" and
 * marking the row sent re-delivers the same message. A real relay would deliver both copies, so the store keeps a
 * journal of EVERY message it accepted, one JSON line each in `.receipts.jsonl` in the mail folder (time, Message-ID,
 * X-Ovop-Key, the file that holds it, whether it was a re-delivery): the chaos checks count copies per key from it, not
 * from the .eml files.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RECEIPTS_FILE = '.receipts.jsonl';

/** One message the server accepted (its DATA answered "250"). */
export interface Receipt {
  /** When the message's data had arrived, before the server answered. */
  at: string;
  /** '' when the message carries none. */
  messageId: string;
  /** The engine's notification key (X-Ovop-Key), '' when the message carries none. */
  key: string;
  /** The file that holds the message: its own, or for a re-delivery the copy stored first. */
  storedAs: string;
  /** A Message-ID already stored: answered, recorded here, not stored again. */
  redelivery: boolean;
}

export type Redelivery = Omit<Receipt, 'redelivery'>;

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

  /** Stores one message and journals its receipt; returns the file that holds it (the earlier copy's for a re-delivery). */
  store(raw: Buffer): { file: string; redelivery: boolean } {
    const at = new Date();
    const messageId = headerOf(raw, 'Message-ID') ?? '';
    const earlier = messageId ? this.byMessageId.get(messageId) : undefined;
    const file = earlier ?? this.write(raw, at);
    if (earlier) this.redelivered += 1;
    else {
      if (messageId) this.byMessageId.set(messageId, file);
      this.stored += 1;
    }
    const receipt: Receipt = {
      at: at.toISOString(),
      messageId,
      key: headerOf(raw, 'X-Ovop-Key') ?? '',
      storedAs: file,
      redelivery: !!earlier,
    };
    appendFileSync(join(this.mailDir, RECEIPTS_FILE), `${JSON.stringify(receipt)}\n`);
    return { file, redelivery: !!earlier };
  }

  private write(raw: Buffer, at: Date): string {
    const file = `${at.toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`;
    const tmp = join(this.mailDir, `.${file}.tmp`);
    writeFileSync(tmp, raw);
    renameSync(tmp, join(this.mailDir, file));
    return file;
  }
}

/** Every message the server accepted in a mail folder, in the order received (none when there is no journal). */
export function readReceipts(mailDir: string): Receipt[] {
  let text: string;
  try {
    text = readFileSync(join(mailDir, RECEIPTS_FILE), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Receipt);
}

/** The re-deliveries in a mail folder's journal: receipts of a Message-ID already stored. */
export function readRedeliveries(mailDir: string): Redelivery[] {
  return readReceipts(mailDir)
    .filter((r) => r.redelivery)
    .map(({ at, messageId, key, storedAs }) => ({ at, messageId, key, storedAs }));
}
