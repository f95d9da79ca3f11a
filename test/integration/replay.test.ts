import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';
import { historyFromJSON } from '../../client/history-json';

const dir = fileURLToPath(new URL('../fixtures/histories', import.meta.url));
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

const text = (f: string) => readFileSync(`${dir}/${f}`, 'utf8');
// Payloads (activity inputs, marker details) are base64-encoded JSON in the history file.
const payloads = (f: string) =>
  [...text(f).matchAll(/"data":\s*"([^"]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8')).join('\n');

/** The activities each workflow task scheduled, by the mail template or event type they carry. */
function rounds(f: string): string[][] {
  const out: string[][] = [[]];
  for (const e of JSON.parse(text(f)).events as { eventType: string; activityTaskScheduledEventAttributes?: { input: { payloads: { data: string }[] } } }[]) {
    if (e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED') out.push([]);
    const input = e.activityTaskScheduledEventAttributes?.input.payloads[0];
    if (input) {
      const arg = JSON.parse(Buffer.from(input.data, 'base64').toString('utf8')) as { template?: string; type?: string };
      out.at(-1)!.push(arg.template ?? arg.type ?? '?');
    }
  }
  return out.filter((r) => r.length > 0);
}

function load(file: string) {
  const history = historyFromJSON(JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')));
  return { workflowId: file.replace(/\.json$/, ''), history };
}

describe('recorded histories replay on today\'s workflow code', () => {
  it('has fixtures from before and after the dinas-told-of-assessment patch', () => {
    expect(fixtures.some((f) => f.startsWith('nomination-v1-'))).toBe(true);
    expect(fixtures.some((f) => f.startsWith('nomination-v2-'))).toBe(true);
    expect(fixtures.some((f) => f.startsWith('award-cycle-'))).toBe(true);
  });

  it.each(fixtures)('%s replays without a non-determinism error', async (file) => {
    const { workflowId, history } = load(file);
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, workflowId)).resolves.toBeUndefined();
  });

  it('a v2 history carries the patch marker and the mail to the dinas; a v1 history has neither', () => {
    const v1 = fixtures.find((f) => f.startsWith('nomination-v1-excellent'))!;
    const v2 = fixtures.find((f) => f.startsWith('nomination-v2-excellent'))!;
    expect(text(v2)).toContain('EVENT_TYPE_MARKER_RECORDED');
    expect(payloads(v2)).toContain('dinas-told-of-assessment');
    expect(payloads(v2)).toContain('"template":"assessment_started"');
    expect(text(v1)).not.toContain('EVENT_TYPE_MARKER_RECORDED');
    expect(payloads(v1)).not.toContain('assessment_started');
  });

  it('cycle histories from before and after the shorter-cycle-runs patch are both here (v3 without, v4 with the marker)', () => {
    expect(payloads('award-cycle-v3.json')).not.toContain('shorter-cycle-runs');
    expect(payloads('award-cycle-v4.json')).toContain('shorter-cycle-runs');
  });

  it('v5 histories carry the counts-from-projection marker: nominations signal the cycle no more, and the cycle counts by census', () => {
    for (const f of ['nomination-v4-excellent.json', 'award-cycle-v4.json']) expect(payloads(f)).not.toContain('counts-from-projection');
    expect(text('nomination-v4-excellent.json')).toContain('EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED');
    expect(text('award-cycle-v4.json')).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
    for (const f of ['nomination-v5-excellent.json', 'award-cycle-v5.json']) expect(payloads(f)).toContain('counts-from-projection');
    expect(text('nomination-v5-excellent.json')).not.toContain('EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED');
    expect(text('award-cycle-v5.json')).not.toContain('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
    expect(payloads('award-cycle-v5.json')).toContain('"byStage"');
  });

  it('the v6 cycle history carries the cycle-runs-of-300 and drain-on-events markers; v5 histories neither', () => {
    for (const f of ['nomination-v5-excellent.json', 'award-cycle-v5.json']) {
      for (const marker of ['cycle-runs-of-300', 'drain-on-events']) expect(payloads(f)).not.toContain(marker);
    }
    expect(payloads('award-cycle-v6.json')).toContain('cycle-runs-of-300');
    expect(payloads('award-cycle-v6.json')).toContain('drain-on-events');
  });

  it('v6 nominations carry the notices-together marker and send the mails of one moment in one workflow task; v5 ones neither', () => {
    expect(payloads('nomination-v5-excellent.json')).not.toContain('notices-together');
    expect(payloads('nomination-v6-excellent.json')).toContain('notices-together');
    const v5 = rounds('nomination-v5-excellent.json');
    const v6 = rounds('nomination-v6-excellent.json');
    expect(v5).toContainEqual(['assessment_assigned']);
    expect(v6).toContainEqual(['assessment_assigned', 'assessment_assigned', 'assessment_started']);
    expect(v6).toContainEqual(['intake_accepted', 'stage.changed']);
    expect(v6.find((r) => r.includes('admin_passed'))).toContain('stage.changed');
  });

  it('v7 nominations carry the aggregate-with-stage marker and write the aggregate and the next stage in one workflow task', () => {
    expect(payloads('nomination-v6-excellent.json')).not.toContain('aggregate-with-stage');
    expect(payloads('nomination-v7-excellent.json')).toContain('aggregate-with-stage');
    expect(rounds('nomination-v6-excellent.json').find((r) => r.includes('assessment.aggregated'))).not.toContain('stage.changed');
    expect(rounds('nomination-v7-excellent.json').find((r) => r.includes('assessment.aggregated'))).toContain('stage.changed');
  });
});
