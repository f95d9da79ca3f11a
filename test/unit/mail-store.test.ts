import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headerOf, MailStore, readRedeliveries } from '../../embedded/mail-store';

const message = (id: string, key: string, body = 'Yth. Dinas') =>
  Buffer.from([`Message-ID: ${id}`, `X-OVOP-Key: ${key}`, 'Subject: Pengingat', ' tenggat', '', body, ''].join('\r\n'));

describe("the embedded sink's mail store", () => {
  it('reads headers case-insensitively and unfolds folded lines, and never from the body', () => {
    const raw = message('<a@ovop>', 'ovop/c/n|reminder');
    expect(headerOf(raw, 'message-id')).toBe('<a@ovop>');
    expect(headerOf(raw, 'Subject')).toBe('Pengingat tenggat');
    expect(headerOf(Buffer.from('Subject: x\r\n\r\nMessage-ID: <in-body@ovop>\r\n'), 'Message-ID')).toBeUndefined();
  });

  it('stores a re-delivered Message-ID once, records the re-delivery, and remembers stored ids across a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ovop-mail-'));
    const store = new MailStore(dir);
    const first = store.store(message('<a@ovop>', 'ovop/c/n|intake_accepted'));
    const other = store.store(message('<b@ovop>', 'ovop/c/n|admin_passed'));
    const again = store.store(message('<a@ovop>', 'ovop/c/n|intake_accepted', 'second copy'));
    expect(first.redelivery).toBe(false);
    expect(other.file).not.toBe(first.file);
    expect(again).toEqual({ file: first.file, redelivery: true });
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.eml'))
        .sort(),
    ).toEqual([first.file, other.file].sort());
    expect(readFileSync(join(dir, first.file), 'utf8')).toContain('Yth. Dinas');
    expect({ messages: store.messages, redeliveries: store.redeliveries }).toEqual({ messages: 2, redeliveries: 1 });
    expect(readRedeliveries(dir)).toMatchObject([
      { messageId: '<a@ovop>', key: 'ovop/c/n|intake_accepted', storedAs: first.file },
    ]);

    const restarted = new MailStore(dir);
    expect(restarted.store(message('<b@ovop>', 'ovop/c/n|admin_passed')).redelivery).toBe(true);
    expect(restarted.store(message('<c@ovop>', 'ovop/c/n|announcement')).redelivery).toBe(false);
    expect(readRedeliveries(dir)).toHaveLength(2);
  });

  it('stores every message that has no Message-ID', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ovop-mail-'));
    const store = new MailStore(dir);
    store.store(Buffer.from('Subject: tanpa id\r\n\r\nisi\r\n'));
    store.store(Buffer.from('Subject: tanpa id\r\n\r\nisi\r\n'));
    expect(store.messages).toBe(2);
    expect(readRedeliveries(dir)).toEqual([]);
  });
});
