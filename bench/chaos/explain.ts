/**
 * Judges every re-delivery the SMTP server received (a second or later message for one notification key, from the
 * sink's journal of receipts) against the faults. The engine may send a key twice only when its worker died inside
 * that send, after the server had accepted the message and before the row was marked sent: so a re-delivery is
 * explained only by a kill that landed after the previous copy was received (less a little slack, for a message the
 * dying worker had already written out) and before this copy, and inside the life of the one sendNotification activity
 * that sent both copies (from its scheduled event to its completion, in the workflow's history). A PostgreSQL restart
 * over that stretch explains it as well (the mark failed on a cut connection). Anything else is a mail sent twice.
 */
import type { Receipt } from '../../embedded/mail-store';
import type { FaultRecord } from './faults';

/** One sendNotification activity as the workflow's history records it (times in epoch ms). */
export interface SendLife {
  scheduledAt: number;
  /** Completion (or final failure) of the activity; null while it has not closed. */
  closedAt: number | null;
  /** The attempt that closed it, from its started event; null when not recorded. */
  attempt: number | null;
}

export interface RedeliveryVerdict {
  key: string;
  /** This copy's number (2 = the first re-delivery) and how many the server received in all. */
  copy: number;
  copies: number;
  at: string;
  previousAt: string;
  /** What explains it: "kill 2 at 12:00:01.234 …"; null: nothing does, the mail went out twice (a failure). */
  cause: string | null;
  /** One line for the report. */
  line: string;
}

/** How long before the previous copy's receipt a kill may land and still explain it (bytes already on the wire). */
export const SLACK_MS = 2_000;
/** Receipt times are stamped in the sink's event loop, event times by the Temporal server: both clocks are this
 * machine's, but the sink may stamp late. */
const CLOCK_MS = 2_000;

const clock = (t: number) => new Date(t).toISOString().slice(11, 23);

/**
 * `receipts`: the journal (all keys; only keys received more than once are judged). `sendsOf`: a key's
 * sendNotification activities from its workflow's history ([] when none were found).
 */
export function explainDuplicates(
  receipts: readonly Receipt[],
  sendsOf: (key: string) => readonly SendLife[],
  faults: readonly FaultRecord[],
): RedeliveryVerdict[] {
  const sorted = [...faults].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const kills = sorted.filter((f) => f.fault === 'kill');
  const restarts = sorted.filter((f) => f.fault === 'postgres');
  const byKey = new Map<string, Receipt[]>();
  for (const r of receipts) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  const out: RedeliveryVerdict[] = [];
  for (const [key, list] of byKey) {
    if (list.length < 2) continue;
    const copies = [...list].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const sends = sendsOf(key);
    for (let k = 1; k < copies.length; k++) {
      const previous = Date.parse(copies[k - 1].at);
      const at = Date.parse(copies[k].at);
      const send = sends.find(
        (s) => s.scheduledAt <= previous + CLOCK_MS && (s.closedAt === null || at <= s.closedAt + CLOCK_MS),
      );
      let cause: string | null = null;
      let why: string;
      if (!send) {
        why = sends.length
          ? `no one sendNotification activity spans both copies (the history has ${sends.length} for this key: ${sends.map((s) => `scheduled ${clock(s.scheduledAt)}`).join(', ')})`
          : 'no sendNotification activity for this key in the history';
      } else {
        const from = Math.max(send.scheduledAt, previous - SLACK_MS);
        const to = Math.min(at, send.closedAt ?? at);
        const kill = kills.find((f) => Date.parse(f.at) >= from && Date.parse(f.at) <= to);
        const restart = restarts.find((f) => Date.parse(f.at) <= to && Date.parse(f.at) + (f.durationMs ?? 0) >= from);
        const life = `its sendNotification scheduled ${clock(send.scheduledAt)}, ${send.closedAt === null ? 'not closed' : `closed ${clock(send.closedAt)}`}${send.attempt ? ` on attempt ${send.attempt}` : ''}`;
        if (kill) {
          const t = Date.parse(kill.at);
          const gap =
            t >= previous ? `${t - previous} ms after copy ${k}` : `${previous - t} ms before copy ${k} was received`;
          cause = `kill ${kills.indexOf(kill) + 1} at ${clock(t)}, ${gap} (${life})`;
        } else if (restart) {
          cause = `the PostgreSQL restart at ${clock(Date.parse(restart.at))} (${life})`;
        }
        why =
          cause ??
          `no kill between copy ${k} and copy ${k + 1} inside ${life}; kills at ${kills.map((f) => clock(Date.parse(f.at))).join(', ') || 'none'}`;
      }
      const head = `${key}: copy ${k + 1} of ${copies.length} received ${clock(at)} (copy ${k} ${clock(previous)})`;
      out.push({
        key,
        copy: k + 1,
        copies: copies.length,
        at: copies[k].at,
        previousAt: copies[k - 1].at,
        cause,
        line: cause ? `re-delivery ${head}: explained by ${cause}` : `UNEXPLAINED re-delivery ${head}: ${why}`,
      });
    }
  }
  return out;
}
