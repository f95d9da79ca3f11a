/**
 * `ovop field-visit schedule <nomination> --date T --team a,b,c [--facilitator name]`: a coordinator schedules (or
 * moves) the field visit; the dinas hears the date by mail. `ovop field-visit evidence <nomination> --item I --found |
 * --not-found [--note …] [--file F …]`: a member of the visit team records one checklist item found on site. Files are
 * recorded by reference (an id from their checksum, the name, size and SHA-256); uploads come with the API.
 */
import { type FileReference, type NominationAnswer } from '../../workflows/messages';
import type { Context, Outcome } from '../context';
import { usage } from '../errors';
import { act, viewOutcome } from '../nomination';
import { formatTime } from '../time';
import { fingerprint } from './docs';

export async function fieldVisitSchedule(
  ctx: Context,
  id: string,
  opts: { date: string; team: string; facilitator?: string },
): Promise<Outcome> {
  const team = opts.team
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (team.length === 0) throw usage('--team needs assessor ids separated by commas, e.g. penilai-budi,penilai-andi');
  const body = { date: opts.date, team, ...(opts.facilitator ? { facilitator: opts.facilitator } : {}) };
  const view = await act(ctx, id, { path: 'field-visit', body });
  const visit = view.fieldVisit!;
  return viewOutcome(
    view,
    `Field visit to ${view.ikmName} scheduled for ${formatTime(visit.date, view.timezone)}; its dinas is told.`,
    [
      `team         ${visit.team?.join(', ') ?? ''}${visit.facilitator ? ` with ${visit.facilitator}` : ''}`,
      `checklist    ${visit.outstanding.join(', ')}`,
    ],
  );
}

export async function fieldVisitEvidence(
  ctx: Context,
  id: string,
  opts: { item: string; found?: boolean; notFound?: boolean; note?: string; file?: string[] },
): Promise<Outcome> {
  if (!!opts.found === !!opts.notFound) throw usage('give one result: --found or --not-found');
  const files: FileReference[] = [];
  for (const path of opts.file ?? []) {
    const f = await fingerprint(path);
    files.push({ id: `sha256-${f.sha256.slice(0, 16)}`, name: f.name, checksum: f.sha256, sizeBytes: f.size });
  }
  const item = {
    item: opts.item.trim(),
    found: !!opts.found,
    ...(opts.note ? { note: opts.note } : {}),
    ...(files.length > 0 ? { files } : {}),
  };
  const view = await act(ctx, id, { path: 'field-visit/evidence', body: { items: [item] } });
  return viewOutcome(
    view,
    `${item.item} ${item.found ? 'found' : 'not found'} at ${view.ikmName}${files.length ? ` (${files.length} file${files.length === 1 ? '' : 's'})` : ''}.`,
    [outstandingLine(view)],
  );
}

function outstandingLine(view: NominationAnswer): string {
  const left = view.fieldVisit?.outstanding ?? [];
  return left.length > 0 ? `still to record ${left.join(', ')}` : 'every checklist item is recorded';
}
