import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
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
});
