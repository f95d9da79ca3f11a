/**
 * Checks of what a workflow is started with. The client and the cycle validate their inputs already; these run inside
 * the workflows so that one started around them (anyone holding the Temporal address) ends at once with a clear,
 * non-retryable failure instead of sending mail on forged contacts or failing a workflow task on a missing field.
 * Shape only: whether the input is what the cycle gave is checked against its record (activities/intake.activity.ts).
 */
import { ApplicationFailure } from '@temporalio/common';
import { isDuration, parseDuration } from '../domain/duration';
import { REGENCY_CODE, REGION_CODE } from '../domain/region-codes';
import { isoInstantProblem, textProblem } from '../domain/text';
import {
  COMMODITIES,
  DEADLINE_STAGES,
  OPTIONAL_DEADLINE_STAGES,
  type OptionalDeadlineStage,
  ROLES,
} from '../domain/types';

/** The failure type of a workflow started with input it cannot run on. */
export const INVALID_INPUT = 'InvalidInput';
/** The failure type of a nomination whose input is not what its cycle gave it. */
export const NOT_FROM_CYCLE = 'NotStartedByCycle';

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const SLUG = /^[a-z0-9-]+$/;
const POLICIES = ['disqualify', 'grace', 'hold'];

/** Collects problems under dotted paths, a few at most, so the failure message stays one readable line. */
class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    if (this.list.length < 8) this.list.push(path ? `${path} ${message}` : message);
  }
  obj(value: unknown, path: string): Record<string, unknown> | null {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    this.add(path, 'must be an object');
    return null;
  }
  arr(value: unknown, path: string, min = 0): unknown[] {
    if (Array.isArray(value) && value.length >= min) return value;
    this.add(path, min ? `must be a list of at least ${min}` : 'must be a list');
    return [];
  }
  text(value: unknown, path: string, max = 200): void {
    const problem = textProblem(value, path, { max });
    if (problem) this.add('', problem);
  }
  email(value: unknown, path: string): void {
    if (typeof value !== 'string' || value.length > 254 || !EMAIL.test(value))
      this.add(path, 'must be an email address');
  }
  num(value: unknown, path: string, min = -Infinity, max = Infinity, integer = false): void {
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
    if (ok && (!integer || Number.isInteger(value))) return;
    const range =
      Number.isFinite(min) && Number.isFinite(max) ? ` from ${min} to ${max}` : min === 0 ? ', 0 or more' : '';
    this.add(path, `must be a ${integer ? 'whole ' : ''}number${range}`);
  }
  duration(value: unknown, path: string): void {
    if (!isDuration(value) || parseDuration(value) <= 0) this.add(path, 'must be a duration such as 14d or 20s');
  }
  fail(what: string): void {
    if (this.list.length) {
      throw ApplicationFailure.nonRetryable(`${what} is invalid: ${this.list.join('; ')}`, INVALID_INPUT);
    }
  }
}

/** The cycle's rules as both workflows read them (the cycle's config without its region tables). */
function checkRules(p: Problems, rules: unknown, at: string): void {
  const r = p.obj(rules, at);
  if (!r) return;
  if (typeof r.id !== 'string' || !SLUG.test(r.id)) p.add(`${at}.id`, 'must be a slug');
  p.text(r.name, `${at}.name`);
  if (typeof r.timezone !== 'string') p.add(`${at}.timezone`, 'must be a time zone name');
  for (const [i, s] of p.arr(r.sessions, `${at}.sessions`, 1).entries()) {
    const session = p.obj(s, `${at}.sessions[${i}]`);
    if (!session) continue;
    p.text(session.id, `${at}.sessions[${i}].id`);
    p.text(session.venue, `${at}.sessions[${i}].venue`);
    p.text(session.date, `${at}.sessions[${i}].date`);
    if (!p.arr(session.provinces, `${at}.sessions[${i}].provinces`, 1).every((x) => typeof x === 'string'))
      p.add(`${at}.sessions[${i}].provinces`, 'must be province codes');
  }
  const documents = p.obj(r.documents, `${at}.documents`);
  if (documents) {
    for (const [i, d] of p.arr(documents.checklist, `${at}.documents.checklist`, 1).entries()) {
      const doc = p.obj(d, `${at}.documents.checklist[${i}]`);
      if (!doc) continue;
      p.text(doc.kind, `${at}.documents.checklist[${i}].kind`);
      if (doc.commodities !== 'all') p.arr(doc.commodities, `${at}.documents.checklist[${i}].commodities`);
    }
    p.num(documents.revisionRounds, `${at}.documents.revisionRounds`, 0, 100, true);
  }
  const assessment = p.obj(r.assessment, `${at}.assessment`);
  if (assessment) {
    p.num(assessment.assessorsPerNomination, `${at}.assessment.assessorsPerNomination`, 1, 1000, true);
    const scale = p.obj(assessment.scale, `${at}.assessment.scale`);
    if (scale) {
      p.num(scale.min, `${at}.assessment.scale.min`);
      p.num(scale.max, `${at}.assessment.scale.max`);
    }
    p.num(assessment.fieldVerificationThreshold, `${at}.assessment.fieldVerificationThreshold`, 0, 100);
    for (const [i, a] of p.arr(assessment.aspects, `${at}.assessment.aspects`, 1).entries()) {
      const aspect = p.obj(a, `${at}.assessment.aspects[${i}]`);
      if (!aspect) continue;
      p.num(aspect.weight, `${at}.assessment.aspects[${i}].weight`, 0);
      for (const [j, c] of p.arr(aspect.criteria, `${at}.assessment.aspects[${i}].criteria`, 1).entries()) {
        const criterion = p.obj(c, `${at}.assessment.aspects[${i}].criteria[${j}]`);
        if (criterion) p.num(criterion.weight, `${at}.assessment.aspects[${i}].criteria[${j}].weight`, 0);
      }
    }
    for (const [i, a] of p.arr(assessment.assessors, `${at}.assessment.assessors`, 1).entries()) {
      const assessor = p.obj(a, `${at}.assessment.assessors[${i}]`);
      if (!assessor) continue;
      p.text(assessor.id, `${at}.assessment.assessors[${i}].id`);
      p.email(assessor.email, `${at}.assessment.assessors[${i}].email`);
      if (typeof assessor.province !== 'string') p.add(`${at}.assessment.assessors[${i}].province`, 'must be a code');
    }
  }
  const stars = p.obj(r.stars, `${at}.stars`);
  if (stars) {
    const thresholds = p.obj(stars.thresholds, `${at}.stars.thresholds`);
    if (thresholds)
      for (const level of ['1', '2', '3', '4', '5']) p.num(thresholds[level], `${at}.stars.thresholds.${level}`);
    p.arr(stars.gates, `${at}.stars.gates`);
  }
  const deadlines = p.obj(r.deadlines, `${at}.deadlines`);
  if (deadlines) {
    for (const stage of DEADLINE_STAGES) {
      // The optional steps' deadlines are there only when the cycle turns the step on.
      if (deadlines[stage] === undefined && OPTIONAL_DEADLINE_STAGES.includes(stage as OptionalDeadlineStage)) continue;
      const d = p.obj(deadlines[stage], `${at}.deadlines.${stage}`);
      if (!d) continue;
      p.duration(d.within, `${at}.deadlines.${stage}.within`);
      if (d.at !== undefined && isoInstantProblem(d.at, 'at'))
        p.add(`${at}.deadlines.${stage}.at`, 'must be an instant');
      p.arr(d.remindBefore, `${at}.deadlines.${stage}.remindBefore`).forEach((o, i) =>
        p.duration(o, `${at}.deadlines.${stage}.remindBefore[${i}]`),
      );
      if (!POLICIES.includes(d.onMissed as string)) p.add(`${at}.deadlines.${stage}.onMissed`, 'must be a policy');
      if (d.onMissed === 'grace') p.duration(d.grace, `${at}.deadlines.${stage}.grace`);
    }
  }
  const contacts = p.obj(r.contacts, `${at}.contacts`);
  if (contacts) {
    p.arr(contacts.coordinators, `${at}.contacts.coordinators`, 1).forEach((e, i) =>
      p.email(e, `${at}.contacts.coordinators[${i}]`),
    );
    for (const [key, placeholder] of [
      ['dinasProvinsi', '{province}'],
      ['dinasKabKota', '{regency}'],
    ] as const) {
      const pattern = contacts[key];
      if (typeof pattern !== 'string' || !pattern.includes(placeholder)) {
        p.add(`${at}.contacts.${key}`, `must be an address pattern with ${placeholder}`);
      } else p.email(pattern.replace(placeholder, '32.05'), `${at}.contacts.${key}`);
    }
  }
}

function checkActorShape(p: Problems, actor: unknown, at: string): void {
  const a = p.obj(actor, at);
  if (!a) return;
  if (!ROLES.includes(a.role as (typeof ROLES)[number])) p.add(`${at}.role`, 'must be a role');
  p.text(a.id, `${at}.id`, 120);
  if (typeof a.region !== 'string' || !REGION_CODE.test(a.region)) p.add(`${at}.region`, 'must be a Kemendagri code');
}

/** Throws a non-retryable `InvalidInput` failure unless `input` is a nomination workflow's input in shape. */
export function checkNominationInput(input: unknown): void {
  const p = new Problems();
  const i = p.obj(input, 'input');
  if (i) {
    const n = p.obj(i.nomination, 'nomination');
    if (n) {
      if (typeof n.cycleId !== 'string' || !SLUG.test(n.cycleId)) p.add('nomination.cycleId', 'must be a cycle id');
      if (typeof n.regencyCode !== 'string' || !REGENCY_CODE.test(n.regencyCode))
        p.add('nomination.regencyCode', 'must be a Kemendagri code such as 32.05');
      for (const field of ['ikmName', 'sentraName', 'product']) p.text(n[field], `nomination.${field}`);
      if (!COMMODITIES.includes(n.commodity as (typeof COMMODITIES)[number]))
        p.add('nomination.commodity', `must be one of ${COMMODITIES.join(', ')}`);
      p.num(n.sentraSize, 'nomination.sentraSize', 5, 1_000_000, true);
      if (n.dinasEmail !== undefined) p.email(n.dinasEmail, 'nomination.dinasEmail');
      if (n.previousStars !== undefined) {
        const prev = p.obj(n.previousStars, 'nomination.previousStars');
        if (prev) p.num(prev.stars, 'nomination.previousStars.stars', 1, 5, true);
      }
      checkActorShape(p, n.nominatedBy, 'nomination.nominatedBy');
    }
    if (i.rulesRef === undefined) checkRules(p, i.rules, 'rules');
    else {
      // Rules by reference: the start check loads them from the record the reference names (rules-by-reference.ts).
      const ref = p.obj(i.rulesRef, 'rulesRef');
      if (ref && (typeof ref.cycleId !== 'string' || ref.cycleId !== n?.cycleId))
        p.add('rulesRef.cycleId', "must be the nomination's cycle");
      if (ref && (typeof ref.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(ref.sha256)))
        p.add('rulesRef.sha256', 'must be a SHA-256 in lower-case hex');
      if (i.rules !== undefined) p.add('rules', 'must not be given beside rulesRef');
      if (n?.dinasEmail !== undefined) p.add('nomination.dinasEmail', 'must not be given beside rulesRef');
    }
    p.text(i.regencyName, 'regencyName');
    p.text(i.provinceName, 'provinceName');
    if (i.cycleDeadlineOverrides !== undefined) {
      const overrides = p.obj(i.cycleDeadlineOverrides, 'cycleDeadlineOverrides');
      for (const [stage, until] of Object.entries(overrides ?? {})) {
        if (!DEADLINE_STAGES.includes(stage as (typeof DEADLINE_STAGES)[number]))
          p.add(`cycleDeadlineOverrides.${stage}`, 'is not a deadline stage');
        if (isoInstantProblem(until, 'until')) p.add(`cycleDeadlineOverrides.${stage}`, 'must be an instant');
      }
    }
  }
  p.fail('the nomination input');
}

/** Throws a non-retryable `InvalidInput` failure unless `input` is an award cycle's input in shape. */
export function checkCycleInput(input: unknown): void {
  const p = new Problems();
  const i = p.obj(input, 'input');
  const config = i && p.obj(i.config, 'config');
  if (config) {
    checkRules(p, config, 'config');
    p.duration(config.intakeWindow, 'config.intakeWindow');
    for (const table of ['regencies', 'provinces']) {
      const names = p.obj(config[table], `config.${table}`);
      if (names && !Object.values(names).every((v) => typeof v === 'string'))
        p.add(`config.${table}`, 'must map codes to names');
    }
  }
  if (i?.carry !== undefined) {
    const carry = p.obj(i.carry, 'carry');
    if (carry) {
      for (const field of ['startedAt', 'runs', 'nominated']) p.num(carry[field], `carry.${field}`, 0);
      p.obj(carry.deadlineOverrides, 'carry.deadlineOverrides');
    }
  }
  if (i?.historyEventsPerRun !== undefined) p.num(i.historyEventsPerRun, 'historyEventsPerRun', 20, 50_000, true);
  if (i?.reconcileEvery !== undefined) p.duration(i.reconcileEvery, 'reconcileEvery');
  p.fail('the cycle input');
}
