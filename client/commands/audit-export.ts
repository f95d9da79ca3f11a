/**
 * `ovop audit export <nomination> --out b.json`: a signed audit bundle (client/audit-bundle.ts) — the nomination's
 * full history in Temporal's JSON history format, with the workflow id at the top so a replay knows it, its
 * `nomination_events` rows from PostgreSQL and their chain head — signed with the deployment's Ed25519 key.
 */
import { writeFileSync } from 'node:fs';
import { chainRows } from '../../db/event-chain-read';
import { GENESIS_HASH, verifyChain } from '../../db/event-chain';
import { serializeBundle, signBundle, signingKey, keyId, BUNDLE_FORMAT } from '../audit-bundle';
import { historyToJSON } from '../history-json';
import type { Context, Outcome } from '../context';
import { firstLine, usage } from '../errors';
import { nominationHandle } from '../nomination';
import { chainSource, chainSourceText, workflowRunChain, type SourcedRun } from '../run-history';

export async function auditExport(ctx: Context, id: string, opts: { out: string; key?: string }): Promise<Outcome> {
  const key = signingKey(opts.key);
  if (!key)
    throw usage(
      'no signing key: set OVOP_SIGNING_KEY_FILE (or OVOP_SIGNING_KEY, or pass --key); make one with ovop audit keygen',
    );
  const { ref } = await nominationHandle(ctx, id);
  const [first, ...continued] = await workflowRunChain(ctx, ref.workflowId);
  const eventsOf = (r: SourcedRun) => (JSON.parse(historyToJSON(r.history)) as { events: unknown[] }).events;
  const rows = await chainRows(await ctx.db('audit export'), ref.workflowId);
  const chain = verifyChain(rows);
  const bundle = signBundle(
    {
      format: BUNDLE_FORMAT,
      workflowId: ref.workflowId,
      exportedAt: new Date().toISOString(),
      events: eventsOf(first),
      ...(continued.length > 0 && { continuedRuns: continued.map((r) => ({ runId: r.runId, events: eventsOf(r) })) }),
      eventLog: rows.map((r) => ({ ...r, occurred_at: new Date(r.occurred_at).toISOString() })),
      chainHead: rows.length
        ? { chainIndex: rows.at(-1)!.chain_index, hash: rows.at(-1)!.hash }
        : { chainIndex: 0, hash: GENESIS_HASH },
    },
    key,
  );
  const text = serializeBundle(bundle);
  try {
    writeFileSync(opts.out, text);
  } catch (err) {
    throw usage(`cannot write ${opts.out}: ${firstLine(err)}`);
  }
  const events = bundle.events.length + (bundle.continuedRuns ?? []).reduce((sum, r) => sum + r.events.length, 0);
  const runs = 1 + continued.length;
  // The record is exported as found; a chain already broken in PostgreSQL is said here and fails the bundle's check.
  const warnings = chain.broken
    ? [
        `the event log of ${ref.workflowId} is broken at link ${chain.broken.chainIndex} (seq ${chain.broken.seq}) in PostgreSQL; the bundle records it as found and will not verify`,
      ]
    : [];
  return {
    warnings,
    json: {
      workflowId: ref.workflowId,
      source: chainSource([first, ...continued]),
      events,
      runs,
      eventLogRows: rows.length,
      chainHead: bundle.chainHead,
      keyId: keyId(key),
      out: opts.out,
      bytes: Buffer.byteLength(text),
    },
    text: `Wrote ${events} history events${runs > 1 ? ` of ${runs} runs` : ''} (from ${chainSourceText([first, ...continued])}) and ${rows.length} event-log rows of ${ref.workflowId} to ${opts.out}, signed with key ${keyId(key)}.\nCheck and replay them against the current code with: ovop audit replay --file ${opts.out}`,
  };
}
