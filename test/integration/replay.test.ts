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
  it.each(fixtures)('%s replays without a non-determinism error', async (file) => {
    const { workflowId, history } = load(file);
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, workflowId)).resolves.toBeUndefined();
  });
});
