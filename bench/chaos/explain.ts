/**
 * Puts each duplicate email next to the faults around it: the SMTP sink names every .eml file after the moment it was
 * received, so the first copy of a duplicated key can be set against the kill or outage that made the engine send it
 * again (e.g. "first copy 41 ms before kill 7": the worker died between the SMTP server's 250 and marking the row sent).
 */
import type { CheckReport } from './check';
import type { FaultRecord } from './faults';

/** `2026-11-27T19-22-15-939Z-579ec7ce.eml` → epoch ms, or NaN. */
export function receivedAt(file: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z/.exec(file);
  return m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`) : NaN;
}

export function explainDuplicates(duplicates: CheckReport['duplicates'], faults: readonly FaultRecord[]): string[] {
  const sorted = [...faults].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const killNo = new Map(sorted.filter((f) => f.fault === 'kill').map((f, i) => [f, i + 1]));
  return duplicates.map((d) => {
    const copies = d.files.map(receivedAt).sort((a, b) => a - b);
    const first = copies[0];
    const clock = (t: number) => new Date(t).toISOString().slice(11, 23);
    // The fault that began closest after the first copy (a kill right after the send), else the one in force then.
    const after = sorted.find((f) => Date.parse(f.at) >= first - 50 && Date.parse(f.at) - first < 10_000);
    const during = sorted.find(
      (f) => f.durationMs !== undefined && Date.parse(f.at) <= first && first <= Date.parse(f.at) + f.durationMs,
    );
    const cause = after
      ? `${Date.parse(after.at) - first} ms before ${after.fault === 'kill' ? `kill ${killNo.get(after)}` : after.fault} (${clock(Date.parse(after.at))})`
      : during
        ? `during the ${during.fault} fault that began ${clock(Date.parse(during.at))}`
        : 'no fault within 10 s after it';
    return `${d.key}: copies at ${copies.map(clock).join(', ')}; first copy ${cause}; notifications row ${d.status ?? 'missing'}, attempts ${d.attempts ?? '-'}`;
  });
}
