/**
 * Attacks on the award's integrity (#15 item 8), as a nominator, a coordinator or anyone holding a file would try them:
 * spellings of an IKM name (to pass as another IKM, or to steer the panel drawn for it), forged previous-stars claims
 * (a re-evaluation skips socialization), and one-byte edits of a signed audit bundle. The override without a second
 * coordinator and direct statements on the event log need no generator (event-log.ts has the latter).
 *
 * Pure and seeded, like cases.ts: the same seed gives the same attacks. test/integration/fuzz-integrity.test.ts and
 * `npm run fuzz` (integrity-run.ts) send them and judge what happened.
 */
import { ikmSlug, nominationWorkflowId } from '../../workflows/ids';
import { seededRandom } from '../shared/random';

export interface Spelling {
  name: string;
  what: string;
}

function shuffled<T>(xs: T[], seed: number): T[] {
  const r = seededRandom(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * The name as given first, then spellings that are the same IKM by its name key (casing, spaces, punctuation, accents,
 * fullwidth letters), in a seeded order: each must be refused as the IKM already nominated.
 */
export function nameSpellings(base: string, opts: { seed: number }): Spelling[] {
  const fullwidth = (s: string) => s.replace(/[A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
  const variants: Spelling[] = [
    { name: base.toUpperCase(), what: 'in capitals' },
    { name: base.toLowerCase(), what: 'in lower case' },
    { name: base.replace(/ /g, '   '), what: 'with runs of spaces' },
    { name: ` ${base} `, what: 'with spaces around it' },
    { name: base.replace(/ /g, '-'), what: 'with hyphens for spaces' },
    { name: base.replace(/ /g, '.'), what: 'with dots for spaces' },
    { name: `${base}.`, what: 'with a trailing full stop' },
    { name: base.replace(/a/g, '\u00E1'), what: 'with accented letters' },
    { name: base.replace(/e/g, 'e\u0301'), what: 'with combining accents' },
    { name: fullwidth(base), what: 'in fullwidth letters' },
  ];
  const out = [{ name: base, what: 'as first given' }, ...shuffled(variants, opts.seed)];
  for (const s of out)
    if (ikmSlug(s.name) !== ikmSlug(base)) throw new Error(`spelling "${s.name}" is not the same IKM as "${base}"`);
  return out;
}

/** Near spellings of a name that are other IKM by name key: under a hash of the workflow id each could draw a panel of
 * its own, which is what a nominator steering the assignment would try. */
export function nearSpellings(base: string): Spelling[] {
  const words = base.split(' ');
  return [
    { name: words.join(''), what: 'the words run together' },
    { name: base.replace(/y/g, 'j'), what: 'the old spelling (y as j)' },
    { name: base.replace(/(\w)(\w*)$/, '$1$1$2'), what: 'a letter doubled' },
    { name: `${base} Garut`, what: 'the regency appended' },
    { name: `UD ${base}`, what: 'a legal form prefixed' },
    { name: `${base} 2`, what: 'a number appended' },
  ].filter((s) => ikmSlug(s.name) !== ikmSlug(base));
}

export interface ForgedClaim {
  what: string;
  ikmName: string;
  previousStars: { cycleId: string; stars: number };
  /** The refusal that names what was searched (db/previous-award.ts). */
  message: string;
}

/**
 * Previous-stars claims the record does not bear out, against an earlier cycle whose projection holds
 * "Anyaman Tercatat Tiga" DETERMINED Bintang 3 and "Anyaman Tanpa Bintang" NOT_CLASSIFIED (the test writes them).
 */
export function forgedClaims(opts: {
  seed: number;
  cycleId: string;
  earlierCycleId: string;
  regencyCode: string;
}): ForgedClaim[] {
  const r = seededRandom(opts.seed);
  const stars = () => 1 + Math.floor(r.next() * 5);
  const { earlierCycleId: earlier, regencyCode: regency } = opts;
  const searched = (cycle: string, name: string) =>
    `searched the nominations of cycle ${cycle} for IKM "${ikmSlug(name)}" of kabupaten/kota ${regency} ` +
    `(${nominationWorkflowId(cycle, regency, name)}) with stage DETERMINED`;
  const noRecord = (what: string, name: string, cycle: string): ForgedClaim => ({
    what,
    ikmName: name,
    previousStars: { cycleId: cycle, stars: stars() },
    message: `no record of the previous award of ${name}: ${searched(cycle, name)}; found none`,
  });
  const otherStars = (what: string, name: string, claimed: number): ForgedClaim => ({
    what,
    ikmName: name,
    previousStars: { cycleId: earlier, stars: claimed },
    message:
      `cycle ${earlier} determined Bintang 3 for ${name} of ${regency}, not Bintang ${claimed}; ` +
      'nominate it with the stars of the record',
  });
  return [
    noRecord('an IKM the earlier cycle never had', 'Anyaman Klaim Palsu', earlier),
    noRecord('a cycle that was never held', 'Anyaman Siklus Palsu', 'siklus-2019-palsu'),
    otherStars('more stars than the record', 'Anyaman Tercatat Tiga', 5),
    otherStars('more stars under another spelling of the starred IKM', 'ANYAMAN  tercatat-tiga', 4),
    otherStars('fewer stars than the record', 'Anyaman Tercatat Tiga', 1),
    {
      what: 'stars of an IKM not classified there',
      ikmName: 'Anyaman Tanpa Bintang',
      previousStars: { cycleId: earlier, stars: 2 },
      message:
        `no record of the previous award of Anyaman Tanpa Bintang: ${searched(earlier, 'Anyaman Tanpa Bintang')}; ` +
        'it is NOT_CLASSIFIED there, with no stars',
    },
    {
      what: 'stars from the cycle being nominated to',
      ikmName: 'Anyaman Siklus Ini',
      previousStars: { cycleId: opts.cycleId, stars: 4 },
      message: `a re-evaluation names an earlier cycle, not this one (${opts.cycleId})`,
    },
  ];
}

export interface EditedBundle {
  label: string;
  /** The top-level field of the bundle the edit falls in. */
  section: string;
  /** Character offset of the edit. */
  at: number;
  text: string;
}

/** The sections an edit may fall in: the content the signature covers (not the signature, nor the format marker). */
const EDITABLE = new Set(['workflowId', 'exportedAt', 'events', 'continuedRuns', 'eventLog', 'chainHead']);

/**
 * `count` copies of a signed bundle's text, each with one character changed inside a JSON string of the signed content
 * (a letter for another letter, a digit for another digit, so the file still parses and keeps its length), spread over
 * its sections. Strings with escapes are left alone, where a change could spoil the escape rather than the content.
 */
export function editedBundles(text: string, opts: { seed: number; count: number }): EditedBundle[] {
  const r = seededRandom(opts.seed);
  const sections: { key: string; at: number }[] = [];
  for (const m of text.matchAll(/^ {2}"(\w+)":/gm)) sections.push({ key: m[1], at: m.index });
  const sectionAt = (at: number) => sections.filter((s) => s.at <= at).at(-1)?.key ?? '';
  // Candidate positions, grouped by section: alphanumerics inside escape-free string values.
  const bySection = new Map<string, number[]>();
  for (const m of text.matchAll(/: "([^"\\]*)"/g)) {
    const start = m.index + 3;
    const section = sectionAt(start);
    if (!EDITABLE.has(section)) continue;
    for (let i = 0; i < m[1].length; i++)
      if (/[A-Za-z0-9]/.test(m[1][i]))
        (bySection.get(section) ?? bySection.set(section, []).get(section)!).push(start + i);
  }
  const keys = [...bySection.keys()];
  if (keys.length === 0) throw new Error('the bundle has no signed string to edit');
  const out: EditedBundle[] = [];
  for (let k = 0; k < opts.count; k++) {
    const section = keys[k % keys.length];
    const positions = bySection.get(section)!;
    const at = positions[Math.floor(r.next() * positions.length)];
    const c = text[at];
    const pool = /[0-9]/.test(c)
      ? '0123456789'
      : /[a-z]/.test(c)
        ? 'abcdefghijklmnopqrstuvwxyz'
        : 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const others = pool.replace(c, '');
    const to = others[Math.floor(r.next() * others.length)];
    out.push({
      label: `${section}: "${c}" at offset ${at} made "${to}"`,
      section,
      at,
      text: text.slice(0, at) + to + text.slice(at + 1),
    });
  }
  return out;
}
