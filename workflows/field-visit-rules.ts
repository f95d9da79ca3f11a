/**
 * The rules of the field verification: a coordinator's verdict where the cycle has no visits, or a scheduled visit
 * whose team records the evidence against the checklist on site. Update validators, like nomination-rules.ts.
 */
import { shown, shownParam } from '../domain/text';
import type { FieldVisitConfig } from '../domain/types';
import { deadlineOf } from './deadline-clock';
import type {
  FieldVerificationInput,
  FileReference,
  RecordFieldEvidenceInput,
  ScheduleFieldVisitInput,
} from './messages';
import { type NominationState, provinceCodeOf } from './nomination-state';
import { MAX_DOCUMENT_BYTES, REASON_MAX, requireCoordinator, requireStage } from './rule-guards';
import { checkActor, checkText, parseInstant, refuse } from './validation';

type S = Readonly<NominationState>;

/** Photos and scans of one checklist item; more belongs in one archive file. */
const MAX_EVIDENCE_FILES = 20;

export function validateVerifyField(s: S, u: FieldVerificationInput): void {
  checkActor(u?.actor);
  requireStage(s, 'FIELD_VERIFICATION');
  requireCoordinator(u.actor);
  if (s.input.rules.fieldVisit)
    refuse(
      'this cycle verifies in the field by a visit: a coordinator schedules it (field-visit schedule) and its team ' +
        'records the evidence against the checklist (field-visit evidence)',
      { rule: 'field_visit_configured' },
    );
  if (typeof u.passed !== 'boolean') refuse('passed must be true or false', { rule: 'passed_not_boolean' });
  checkText(u.notes, 'notes', { max: REASON_MAX, required: false });
  if (s.fieldVerified !== null)
    refuse('the field verification is already recorded', { rule: 'field_verification_recorded' });
}

export function validateScheduleFieldVisit(s: S, u: ScheduleFieldVisitInput, now: number): void {
  checkActor(u?.actor);
  requireStage(s, 'FIELD_VERIFICATION');
  requireCoordinator(u.actor);
  const cfg = requireFieldVisits(s);
  if (s.evidence.length > 0)
    refuse('the team has started recording evidence on site; the visit can no longer be rescheduled', {
      rule: 'visit_evidence_started',
    });
  const date = parseInstant(u.date, 'date');
  if (date <= now) refuse('the visit date must be in the future', { rule: 'visit_in_past' });
  const deadline = deadlineOf(s as NominationState, 'fieldVerification');
  if (date > deadline)
    refuse(
      `the visit date must be before the field verification deadline (${new Date(deadline).toISOString()}); ` +
        'extend the deadline first',
      { rule: 'visit_after_deadline', params: { deadlineAt: new Date(deadline).toISOString() } },
    );
  if (!Array.isArray(u.team) || u.team.some((id) => typeof id !== 'string'))
    refuse('team must be a list of assessor ids', { rule: 'team_not_list' });
  const { min, max } = cfg.team;
  if (u.team.length < min || u.team.length > max)
    refuse(`a field visit team has ${min === max ? min : `${min} to ${max}`} members, got ${u.team.length}`, {
      rule: 'team_size',
      params: { min, max, got: u.team.length },
    });
  const pool = s.input.rules.assessment.assessors;
  for (const [i, id] of u.team.entries()) {
    const profile = pool.find((a) => a.id === id);
    if (!profile)
      refuse(`unknown assessor ${shown(id)}; the pool has ${pool.map((a) => a.id).join(', ')}`, {
        rule: 'unknown_assessor',
        params: { assessor: shownParam(id) },
      });
    if (profile.province === provinceCodeOf(s))
      refuse(`conflict of interest: assessor ${id} is from province ${profile.province}, the nomination's own`, {
        rule: 'assessor_own_province',
        params: { assessor: id, province: profile.province },
      });
    if (u.team.indexOf(id) !== i)
      refuse(`assessor ${id} is named twice in the team`, { rule: 'team_twice', params: { assessor: id } });
    // Who left the panel (a declared conflict, a reassignment) hears nothing more of this nomination.
    if (s.excluded.includes(id))
      refuse(`assessor ${id} was taken off this nomination's panel and may not be on its field visit team`, {
        rule: 'team_excluded_assessor',
        params: { assessor: id },
      });
  }
  checkText(u.facilitator, 'facilitator', { max: 200, required: false });
  const v = s.fieldVisit;
  if (v && v.date === date && v.team.join() === u.team.join() && v.facilitator === (u.facilitator ?? null))
    refuse(`the visit is already scheduled for ${new Date(date).toISOString()} with this team`, {
      rule: 'visit_already_scheduled',
      params: { visitAt: new Date(date).toISOString() },
    });
}

export function validateRecordFieldEvidence(s: S, u: RecordFieldEvidenceInput, now: number): void {
  checkActor(u?.actor);
  requireStage(s, 'FIELD_VERIFICATION');
  const cfg = requireFieldVisits(s);
  if (u.actor.role !== 'assessor')
    refuse(`role ${u.actor.role} may not record field evidence; only a member of the visit team may`, {
      rule: 'visit_team_only',
      params: { role: u.actor.role },
    });
  const visit = s.fieldVisit;
  if (!visit)
    refuse('no field visit is scheduled yet; a coordinator schedules it first', { rule: 'visit_not_scheduled' });
  if (!visit.team.includes(u.actor.id))
    refuse(`assessor ${u.actor.id} is not on the field visit team (${visit.team.join(', ')})`, {
      rule: 'not_on_team',
      params: { assessor: u.actor.id },
    });
  if (now < visit.date)
    refuse(
      `the field visit is on ${new Date(visit.date).toISOString()}; evidence is recorded on site, from that time`,
      {
        rule: 'evidence_before_visit',
        params: { visitAt: new Date(visit.date).toISOString() },
      },
    );
  if (!Array.isArray(u.items) || u.items.length === 0)
    refuse('items must list at least one checklist item', { rule: 'items_empty' });
  const ids = cfg.checklist.map((i) => i.id);
  for (const [i, entry] of u.items.entries()) {
    if (typeof entry !== 'object' || entry === null)
      refuse('each item must be an object with item and found', { rule: 'item_not_object' });
    if (!ids.includes(entry.item))
      refuse(`unknown checklist item ${shown(entry.item)}; the checklist has ${ids.join(', ')}`, {
        rule: 'unknown_checklist_item',
        params: { item: shownParam(entry.item), checklist: ids.join(', ') },
      });
    if (u.items.findIndex((x) => x.item === entry.item) !== i)
      refuse(`item ${entry.item} is listed twice`, { rule: 'item_twice', params: { item: entry.item } });
    const earlier = s.evidence.find((e) => e.item === entry.item);
    if (earlier)
      refuse(`item ${entry.item} was already recorded by ${earlier.recordedBy}`, {
        rule: 'item_recorded',
        params: { item: entry.item, by: earlier.recordedBy },
      });
    if (typeof entry.found !== 'boolean')
      refuse(`found must be true or false (item ${entry.item})`, {
        rule: 'found_not_boolean',
        params: { item: entry.item },
      });
    checkText(entry.note, `note of ${entry.item}`, { max: REASON_MAX, required: false });
    if (entry.files !== undefined) checkFiles(entry.files, entry.item);
  }
}

function checkFiles(files: unknown, item: string): void {
  if (!Array.isArray(files) || files.length > MAX_EVIDENCE_FILES)
    refuse(`files of ${item} must be a list of at most ${MAX_EVIDENCE_FILES} file references`, {
      rule: 'evidence_files',
      params: { item, max: MAX_EVIDENCE_FILES },
    });
  for (const f of files as Partial<FileReference>[]) {
    if (typeof f !== 'object' || f === null)
      refuse(`each file of ${item} needs id, name, checksum and sizeBytes`, {
        rule: 'file_not_object',
        params: { item },
      });
    if (typeof f.id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}$/.test(f.id))
      refuse(`file id ${shown(f.id)} of ${item} must be letters, digits, '_', '.', ':' or '-' (at most 120)`, {
        rule: 'file_id_invalid',
        params: { item },
      });
    checkText(f.name, `file name of ${item}`, { max: 255 });
    if (typeof f.checksum !== 'string' || !/^[0-9a-f]{64}$/.test(f.checksum))
      refuse(`checksum of ${f.name} must be the file's SHA-256 in lower-case hex (64 characters)`, {
        rule: 'checksum_invalid',
        params: { file: String(f.name) },
      });
    if (!Number.isInteger(f.sizeBytes) || f.sizeBytes! <= 0 || f.sizeBytes! > MAX_DOCUMENT_BYTES)
      refuse(`size of ${f.name} must be a whole number of bytes from 1 to ${MAX_DOCUMENT_BYTES}`, {
        rule: 'size_invalid',
        params: { file: String(f.name) },
      });
  }
}

function requireFieldVisits(s: S): FieldVisitConfig {
  const cfg = s.input.rules.fieldVisit;
  if (!cfg)
    refuse('this cycle has no field visits (fieldVisit is not configured); a coordinator records verify-field', {
      rule: 'field_visit_not_configured',
    });
  return cfg;
}
