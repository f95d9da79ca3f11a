/**
 * How the portal writes times and numbers: every time in the cycle's time zone with its Indonesian name (WIB, WITA,
 * WIT) — in Bahasa Indonesia as the mails write it ("Senin, 31 Mei 2027 pukul 23.59 WIB"), in English as the CLI does
 * ("2027-05-31 23:59 WIB") —, the time left before a deadline, and numbers in the reader's locale (id-ID: 1.234,5).
 */
import { formatDeadline } from '../../activities/templates';
import { formatTime } from '../../client/time';
import type { Dictionary } from './lang/id';

export function formatWhen(t: Dictionary, iso: string | null | undefined, timeZone: string): string {
  if (!iso) return t.time.none;
  return t.lang === 'id' ? formatDeadline(iso, timeZone) : formatTime(iso, timeZone);
}

/** "3 hari 4 jam lagi", "terlewat 2 jam": two units are enough to plan by. */
export function timeLeft(t: Dictionary, iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const ms = Date.parse(iso) - now;
  let minutes = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  const days = Math.floor(minutes / 1440);
  minutes -= days * 1440;
  const hours = Math.floor(minutes / 60);
  minutes -= hours * 60;
  const parts = [
    days ? `${days} ${t.time.units.d}` : '',
    hours ? `${hours} ${t.time.units.h}` : '',
    minutes ? `${minutes} ${t.time.units.m}` : '',
  ]
    .filter(Boolean)
    .slice(0, 2)
    .join(' ');
  return ms >= 0 ? t.time.left(parts) : t.time.overdue(parts);
}

export const formatNumber = (t: Dictionary, n: number | null | undefined, digits = 2): string =>
  n === null || n === undefined
    ? t.time.none
    : new Intl.NumberFormat(t.locale, { maximumFractionDigits: digits }).format(n);
