/**
 * How the audit trail names a recipient: a nomination started with its rules by reference (issue #16 item 4) names
 * people and offices by role in its history (`ref:dinas`, `ref:provinsi:32`, `ref:coordinator:0`…), never by address.
 * The trail says who that is in words and keeps the reference beside them, as it is in the history.
 */
const LABELS: Record<string, (id: string | undefined) => string> = {
  dinas: () => 'the dinas kabupaten/kota',
  provinsi: (id) => `the dinas provinsi ${id ?? ''}`.trimEnd(),
  coordinator: (id) => (id !== undefined && /^\d+$/.test(id) ? `coordinator ${Number(id) + 1}` : 'a coordinator'),
  assessor: (id) => `assessor ${id ?? ''}`.trimEnd(),
  'assessor-name': (id) => `the name of assessor ${id ?? ''}`.trimEnd(),
  ministry: () => "the ministry's coaching office",
};

const REF = /^ref:([a-z-]+)(?::(.+))?$/;

/** `the dinas provinsi 32 (ref:provinsi:32)` for a reference; an address or anything else as it is. */
export function recipientLabel(value: string): string {
  const [, role, id] = REF.exec(value) ?? [];
  const label = role === undefined ? undefined : LABELS[role];
  return label ? `${label(id)} (${value})` : value;
}

/** A payload for the trail's text, every reference in it (at any depth, as a coaching office's) said in words. */
export function labelReferences(value: unknown): unknown {
  if (typeof value === 'string') return recipientLabel(value);
  if (Array.isArray(value)) return value.map(labelReferences);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, labelReferences(v)]));
  return value;
}
