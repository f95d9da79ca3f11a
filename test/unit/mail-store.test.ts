import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainDuplicates } from '../../bench/drivers';
import { headerOf, MailStore, readReceipts, readRedeliveries, type Receipt } from '../../embedded/mail-store';

const message = (id: string, key: string, body = 'Yth. Dinas') =>
  Buffer.from([`Message-ID: ${id}`, `X-Ovop-Key: ${key}`, 'Subject: Pengingat', ' tenggat', '', body, ''].join('\r\n'));

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
    // The journal has every message received, the re-delivery included: what a relay would have delivered.
    expect(readReceipts(dir).map(({ key, storedAs, redelivery }) => ({ key, storedAs, redelivery }))).toEqual([
      { key: 'ovop/c/n|intake_accepted', storedAs: first.file, redelivery: false },
      { key: 'ovop/c/n|admin_passed', storedAs: other.file, redelivery: false },
      { key: 'ovop/c/n|intake_accepted', storedAs: first.file, redelivery: true },
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
    expect(readReceipts(dir)).toMatchObject([
      { messageId: '', key: '', redelivery: false },
      { messageId: '', key: '', redelivery: false },
    ]);
  });
});

describe("the chaos check's judgment of re-deliveries", () => {
  const T = Date.parse('2026-11-27T10:00:00.000Z');
  const at = (ms: number) => new Date(T + ms).toISOString();
  const receipt = (key: string, ms: number): Receipt => ({
    at: at(ms),
    messageId: `<${key}@ovop>`,
    key,
    storedAs: 'x.eml',
    redelivery: false,
  });
  const kill = (ms: number) => ({ fault: 'kill' as const, at: at(ms), progress: 0.5, detail: 'SIGKILL' });
  // One send of the key: scheduled at 0, its first attempt's copy at 100, killed; the retry's copy at 61 s, closed.
  const oneSend = () => [{ scheduledAt: T, closedAt: T + 61_200, attempt: 2 }];
  const copies = [receipt('k', 100), receipt('k', 61_000), receipt('once', 50)];

  it('passes a second copy only for a kill that landed inside that send, between the copies', () => {
    const [v] = explainDuplicates(copies, oneSend, [kill(-30_000), kill(150)]);
    expect(v).toMatchObject({ key: 'k', copy: 2, copies: 2 });
    expect(v.cause).toMatch(/^kill 2 at 10:00:00\.150, 50 ms after copy 1/);
  });

  it('reports a re-delivery no kill explains: none at all, one before the send or after the second copy', () => {
    for (const faults of [[], [kill(-30_000)], [kill(62_000)]]) {
      const verdicts = explainDuplicates(copies, oneSend, faults);
      expect(verdicts).toHaveLength(1);
      expect(verdicts[0].cause).toBeNull();
      expect(verdicts[0].line).toMatch(/^UNEXPLAINED re-delivery k: copy 2 of 2 .*no kill between copy 1 and copy 2/);
    }
  });

  it('reports a key sent by two activities, or by none in the history, even with a kill between the copies', () => {
    const twoSends = () => [
      { scheduledAt: T, closedAt: T + 500, attempt: 1 },
      { scheduledAt: T + 60_000, closedAt: T + 61_200, attempt: 1 },
    ];
    const [two] = explainDuplicates(copies, twoSends, [kill(150)]);
    expect(two.cause).toBeNull();
    expect(two.line).toMatch(/no one sendNotification activity spans both copies/);
    const [none] = explainDuplicates(copies, () => [], [kill(150)]);
    expect(none.line).toMatch(/no sendNotification activity for this key/);
  });
});
