/**
 * Every committed history replays on today's workflow code; each fixture still covers the branch it was recorded for;
 * and a history replayed on deliberately changed code fails, so a replay that passes means something.
 */
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';
import { historyFromJSON } from '../../client/history-json';

const dir = fileURLToPath(new URL('../fixtures/histories', import.meta.url));
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

const text = (f: string) => readFileSync(`${dir}/${f}`, 'utf8');
// Payloads (activity inputs, marker details) are base64-encoded JSON in the history file.
const payloads = (f: string) =>
  [...text(f).matchAll(/"data":\s*"([^"]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8')).join('\n');

/** The activities each workflow task scheduled, by the mail template or event type they carry. */
function rounds(f: string): string[][] {
  const out: string[][] = [[]];
  for (const e of JSON.parse(text(f)).events as {
    eventType: string;
    activityTaskScheduledEventAttributes?: { input: { payloads: { data: string }[] } };
  }[]) {
    if (e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED') out.push([]);
    const input = e.activityTaskScheduledEventAttributes?.input.payloads[0];
    if (input) {
      const arg = JSON.parse(Buffer.from(input.data, 'base64').toString('utf8')) as {
        template?: string;
        type?: string;
      };
      out.at(-1)!.push(arg.template ?? arg.type ?? '?');
    }
  }
  return out.filter((r) => r.length > 0);
}

/** The types of the events the workflow recorded (`recordNominationEvent` inputs), in order. */
function recordedTypes(f: string): string[] {
  return rounds(f)
    .flat()
    .filter((x) => x.includes('.'));
}

function load(file: string) {
  const history = historyFromJSON(JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')));
  return { workflowId: file.replace(/\.json$/, ''), history };
}

describe("recorded histories replay on today's workflow code", () => {
  it.each(fixtures)('%s replays without a non-determinism error', async (file) => {
    const { workflowId, history } = load(file);
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, workflowId),
    ).resolves.toBeUndefined();
  });

  it('keeps histories from before and after the dinas-told-of-assessment rule: r2 has its marker and mail, r1 neither', () => {
    expect(fixtures).toContain('nomination-r1-excellent.json');
    expect(fixtures).toContain('nomination-r2-excellent.json');
    const r1 = 'nomination-r1-excellent.json';
    const r2 = 'nomination-r2-excellent.json';
    expect(text(r2)).toContain('EVENT_TYPE_MARKER_RECORDED');
    expect(payloads(r2)).toContain('dinas-told-of-assessment');
    expect(rounds(r2)).toContainEqual(['assessment_assigned', 'assessment_assigned', 'assessment_started']);
    expect(text(r1)).not.toContain('EVENT_TYPE_MARKER_RECORDED');
    expect(payloads(r1)).not.toContain('assessment_started');
    expect(rounds(r1)).toContainEqual(['assessment_assigned', 'assessment_assigned']);
  });

  it('sends the mails of one moment in one workflow task, and writes the aggregate with the next stage', () => {
    const r2 = rounds('nomination-r2-excellent.json');
    expect(r2).toContainEqual(['intake_accepted', 'stage.changed']);
    expect(r2.find((r) => r.includes('admin_passed'))).toContain('stage.changed');
    expect(r2.find((r) => r.includes('assessment.aggregated'))).toContain('stage.changed');
  });

  it('holds a history of each branch of the deadline clock and of the cycle', () => {
    const grace = recordedTypes('nomination-r2-grace-expired.json');
    expect(grace.filter((x) => x === 'escalation.sent')).toHaveLength(2);
    expect(grace).toContain('deadline.grace');
    expect(grace.at(-1)).toBe('deadline.disqualified');
    expect(
      rounds('nomination-r2-grace-expired.json')
        .flat()
        .filter((x) => x === 'grace_granted'),
    ).toHaveLength(1);

    expect(recordedTypes('nomination-r2-hold-extended.json')).toEqual(
      expect.arrayContaining(['deadline.hold', 'hold.extended', 'nomination.withdrawn']),
    );
    expect(payloads('nomination-r2-extended.json')).toContain('"scope":"nomination"');
    expect(text('nomination-r2-cycle-extension.json')).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
    expect(payloads('nomination-r2-cycle-extension.json')).toContain('"scope":"cycle"');

    const reevaluation = payloads('nomination-r2-reevaluation.json');
    expect(reevaluation).toContain('"previousStars":{"cycleId":"ovop-2022","stars":4}');
    expect(reevaluation).not.toContain('"to":"AWAITING_SOCIALIZATION"');
    expect(recordedTypes('nomination-r2-reevaluation.json')).toContain('stars.determined');

    // The second rule change: with normalization on, the statistics wait for the last sheet's row (r3 on).
    expect(payloads('nomination-r3-normalized.json')).toContain('stats-after-last-sheet');
    expect(payloads('nomination-r3-normalized.json')).toContain('"normalized":true');

    // Panels and field visits (r4): a visit scheduled, reminded, evidenced and decided; an empty panel held.
    const visit = 'nomination-r4-panel-field-visit.json';
    expect(payloads(visit)).toContain('panels-by-commodity');
    expect(payloads(visit)).toContain('field-visits');
    expect(recordedTypes(visit)).toEqual(
      expect.arrayContaining(['field_visit.scheduled', 'field_visit.evidence', 'field.verified', 'stars.determined']),
    );
    expect(rounds(visit).flat()).toEqual(expect.arrayContaining(['field_visit_scheduled', 'field_visit_reminder']));
    const empty = 'nomination-r4-panel-empty.json';
    expect(payloads(empty)).toContain('"held":true');
    expect(recordedTypes(empty)).toEqual(expect.arrayContaining(['assessment.panel_short', 'hold.disqualified']));
    expect(rounds(empty).flat()).toContain('panel_short');

    // The provincial pre-screen and samples (r4): each branch holds its path and its mails.
    const pass = 'nomination-r4-prescreen-pass.json';
    expect(payloads(pass)).toContain('provincial-prescreen');
    expect(payloads(pass)).toContain('product-samples');
    expect(recordedTypes(pass)).toEqual(
      expect.arrayContaining(['prescreen.pass', 'samples.received', 'stars.determined']),
    );
    expect(rounds(pass).flat()).toEqual(
      expect.arrayContaining(['prescreen_requested', 'prescreen_passed', 'samples_requested']),
    );
    const back = 'nomination-r4-prescreen-return.json';
    expect(recordedTypes(back)).toEqual(
      expect.arrayContaining(['prescreen.return', 'prescreen.returned', 'document.submitted', 'prescreen.pass']),
    );
    expect(rounds(back).flat()).toContain('prescreen_returned');
    const rejected = 'nomination-r4-prescreen-reject.json';
    expect(recordedTypes(rejected)).toEqual(expect.arrayContaining(['prescreen.reject', 'prescreen.rejected']));
    expect(rounds(rejected).flat()).toContain('prescreen_rejected');
    const escalated = 'nomination-r4-prescreen-escalated.json';
    expect(recordedTypes(escalated)).toEqual(
      expect.arrayContaining([
        'escalation.sent',
        'deadline.hold',
        'hold.extended',
        'prescreen.pass',
        'deadline.disqualified',
      ]),
    );
    expect(payloads(escalated)).toContain('"deadlineStage":"prescreen"');
    expect(payloads(escalated)).toContain('"deadlineStage":"samples"');

    // The award's follow-up (r4): a cycle determined by decree, the nomination it determined with its coaching mail in
    // the announcement's round, and a capped re-evaluation that waited for its certificate.
    expect(payloads('award-cycle-r4-award.json')).toContain('determination-by-decree');
    expect(text('award-cycle-r4-award.json')).toContain('"name": "issueDecree"');
    expect(rounds('award-cycle-r4-award.json').flat()).toContain('decree_recorded');
    expect(payloads('nomination-r4-award-excellent.json')).toContain('award-follow-up');
    expect(text('nomination-r4-award-excellent.json')).toContain('"name": "determineByDecree"');
    expect(rounds('nomination-r4-award-excellent.json')).toContainEqual(['announcement', 'coaching_assigned']);
    expect(payloads('nomination-r4-award-capped.json')).toContain('batas siklus ini paling tinggi Bintang 3');
    expect(recordedTypes('nomination-r4-award-capped.json').slice(-1)).toEqual(['certificate.handed_over']);

    const firstRun = JSON.parse(text('award-cycle-r2-first-run.json')).events as { eventType: string }[];
    expect(firstRun.at(-1)?.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
  });

  it('holds nominations started with their rules by reference (r8): no rules, no name, no address in any run', () => {
    const r8 = fixtures.filter((f) => f.startsWith('nomination-r8-'));
    for (const script of ['excellent', 'revision', 'late-attendance', 'withdraw'])
      expect(r8.some((f) => f.startsWith(`nomination-r8-${script}`))).toBe(true);
    const names = ['Andi Pratama', 'Siti Rahmawati', 'Budi Santoso', 'Rina Siregar', 'Nurhayati', 'Yohanes Rumbiak'];
    for (const f of r8) {
      const p = payloads(f);
      expect(p, f).toContain('"rulesRef":');
      for (const name of names) expect(p, f).not.toContain(name);
      // The only `x@y` left are the mails' Message-IDs (a hash of the business key).
      const addresses = p.match(/[\w.+-]+@[a-z][\w-]*(\.[a-z][\w-]*)+/gi) ?? [];
      expect(
        addresses.filter((a) => !/^[0-9a-f]{32}@ovop\.kemenperin\.example$/.test(a)),
        f,
      ).toEqual([]);
    }
    // The first run of each loaded its rules, stripped, in its start check; the runs after carry them.
    expect(payloads('nomination-r8-excellent-run1.json')).toContain('"email":"ref:assessor:');
    expect(payloads('nomination-r8-excellent-run2.json')).toMatch(/"carried":.*"rules":/s);
  });

  it('fails the replay of a committed history on a bundle changed without patched()', async () => {
    // The negative control: the nomination waits a moment before its first step, a change made without patched().
    const root = fileURLToPath(new URL('../../workflows', import.meta.url));
    const changed = mkdtempSync(join(tmpdir(), 'ovop-changed-workflows-'));
    try {
      mkdirSync(changed, { recursive: true });
      const source = readFileSync(join(root, 'nomination.workflow.ts'), 'utf8')
        .replace(/from '\.\/([a-z-.]+)'/g, (_, name: string) => `from '${join(root, name)}'`)
        .replace('import { allHandlersFinished, condition,', 'import { allHandlersFinished, condition, sleep,')
        .replace('  await new NominationLifecycle(', '  await sleep(1);\n  await new NominationLifecycle(');
      expect(source).toContain('await sleep(1);');
      writeFileSync(join(changed, 'nomination.workflow.ts'), source);
      writeFileSync(join(changed, 'index.ts'), `export { nomination } from './nomination.workflow';\n`);
      const { code } = await bundleWorkflowCode({
        workflowsPath: join(changed, 'index.ts'),
        logger: quiet,
        // The changed file lives outside the repository: let it find the SDK in ours.
        webpackConfigHook: (config) => ({
          ...config,
          resolve: { ...config.resolve, modules: ['node_modules', join(root, '..', 'node_modules')] },
        }),
      });
      const { workflowId, history } = load('nomination-r2-excellent.json');
      await expect(Worker.runReplayHistory({ workflowBundle: { code } }, history, workflowId)).rejects.toBeInstanceOf(
        DeterminismViolationError,
      );
    } finally {
      rmSync(changed, { recursive: true, force: true });
    }
  });
});

const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } as never;
