import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { loadCycleConfig } from '../../domain/cycle-config';
import { requiredDocumentKinds } from '../../domain/documents';
import { nextActions, steadyScores, type ActorPlan, type ActorView } from '../../demo/next-actions';
import type { DocumentRecord } from '../../workflows/messages';

const config = loadCycleConfig('config/cycle.demo.yaml');
const steady: ActorPlan = { attends: true, withdraws: false, requestsChanges: false, score: steadyScores };

function view(over: Partial<ActorView>): ActorView {
  return {
    workflowId: 'nomination/test/32.05/ikm',
    stage: 'IDENTIFIED',
    regencyCode: '32.05',
    revisionRound: 0,
    hold: null,
    requiredDocuments: requiredDocumentKinds(config.documents.checklist, 'kain_tenun'),
    documents: [],
    assessors: [],
    scoredBy: [],
    ...over,
  };
}

const doc = (kind: string, round: number): DocumentRecord => ({
  kind,
  round,
  fileName: `${kind}.pdf`,
  checksum: 'a'.repeat(64),
  sizeBytes: 1000,
  submittedAt: '2026-11-28T00:00:00.000Z',
});

/** What each action would send: the Update's name and its one argument, through a handle that only records. */
async function sent(actions: ReturnType<typeof nextActions>) {
  const out: { name: string; arg: any; updateId?: string }[] = [];
  const handle = {
    startUpdate: async (def: { name: string }, opts: { args: [unknown]; updateId?: string; waitForStage: string }) => {
      out.push({ name: def.name, arg: opts.args[0], updateId: opts.updateId });
      return { result: async () => ({}) };
    },
  } as unknown as WorkflowHandle;
  for (const a of actions) await a.send(handle, `${a.key}-id`);
  return out;
}

describe('what the actors do next', () => {
  it('the dinas attends the session that covers its province, unless its plan is to miss it', async () => {
    const [attend] = await sent(nextActions(view({ stage: 'AWAITING_SOCIALIZATION' }), steady, config));
    const session = config.sessions.find((s) => s.provinces.includes('32'))!;
    expect(attend).toEqual({
      name: 'attendSocialization',
      arg: { actor: { role: 'dinas_kabkota', id: 'disperin-32.05', region: '32.05' }, sessionId: session.id },
      updateId: 'attend-id',
    });
    expect(nextActions(view({ stage: 'AWAITING_SOCIALIZATION' }), { ...steady, attends: false }, config)).toEqual([]);
  });

  it('submits only the checklist documents still missing in the current round, each under its own key', () => {
    const [first, ...rest] = requiredDocumentKinds(config.documents.checklist, 'kain_tenun');
    const s = view({ stage: 'REVISION_REQUESTED', revisionRound: 1, documents: [doc(first, 1), doc(rest[0], 0)] });
    expect(nextActions(s, steady, config).map((a) => a.key)).toEqual(rest.map((k) => `doc:${k}:1`));
  });

  it('withdraws at the document stage instead of submitting when that is the plan', async () => {
    const actions = nextActions(view({ stage: 'AWAITING_DOCUMENTS' }), { ...steady, withdraws: true }, config);
    expect(actions.map((a) => a.key)).toEqual(['withdraw']);
    expect((await sent(actions))[0].name).toBe('withdraw');
  });

  it('the coordinator asks for changes once, then approves', async () => {
    const plan = { ...steady, requestsChanges: true };
    const [first] = await sent(nextActions(view({ stage: 'UNDER_REVIEW', revisionRound: 0 }), plan, config));
    const [second] = await sent(nextActions(view({ stage: 'UNDER_REVIEW', revisionRound: 1 }), plan, config));
    expect([first.arg.decision, second.arg.decision]).toEqual(['request_changes', 'approve']);
  });

  it('each assessor who has not scored yet scores every criterion, as themself', async () => {
    const [a, b] = config.assessment.assessors;
    const out = await sent(
      nextActions(
        view({ stage: 'IN_ASSESSMENT', assessors: [a.id, b.id], scoredBy: [a.id] }),
        { ...steady, score: () => 2 },
        config,
      ),
    );
    expect(out).toHaveLength(1);
    expect(out[0].arg.actor).toEqual({ role: 'assessor', id: b.id, region: b.province });
    const criteria = config.assessment.aspects.flatMap((x) => x.criteria.map((c) => c.id));
    expect(Object.keys(out[0].arg.scores).sort()).toEqual([...criteria].sort());
    expect(new Set(Object.values(out[0].arg.scores))).toEqual(new Set([2]));
  });

  it('a hold waits for a person unless the plan extends it, and then nothing else is done', async () => {
    const held = view({ stage: 'AWAITING_DOCUMENTS', hold: { stage: 'documents', since: '2026-11-28T00:00:00.000Z' } });
    expect(nextActions(held, steady, config)).toEqual([]);
    const actions = nextActions(held, { ...steady, extendHoldsBecause: 'test' }, config);
    expect(actions.map((a) => a.key)).toEqual(['resolve-hold:documents:2026-11-28T00:00:00.000Z']);
    const [extend] = await sent(actions);
    expect(extend.arg).toMatchObject({ decision: 'extend', reason: 'test', actor: { role: 'coordinator' } });
  });

  it('nothing to do while the workflow works or after its end', () => {
    for (const stage of ['IDENTIFIED', 'DETERMINED', 'WITHDRAWN'] as const)
      expect(nextActions(view({ stage }), steady, config)).toEqual([]);
  });
});
