/**
 * `ovop docs submit <nomination> --kind K --file F`: registers a document by its name, size and SHA-256 (the file itself
 * stays with the dinas; storage is out of scope). `ovop docs review <nomination> --approve | --request-changes "why" |
 * --reject "why"`: the coordinator's administrative review.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { reviewDocumentsUpdate, submitDocumentUpdate, type ReviewInput } from '../../workflows/messages';
import type { Context, Outcome } from '../context';
import { firstLine, usage } from '../errors';
import { act, missingDocuments, viewOutcome } from '../nomination';

export async function docsSubmit(ctx: Context, id: string, opts: { kind: string; file: string }): Promise<Outcome> {
  const actor = ctx.actor();
  const file = await fingerprint(opts.file);
  const view = await act(
    ctx,
    id,
    submitDocumentUpdate,
    { actor, kind: opts.kind.trim(), fileName: file.name, checksum: file.sha256, sizeBytes: file.size },
    'the document submission',
  );
  const missing = missingDocuments(view);
  return viewOutcome(
    view,
    `Document ${opts.kind} (${file.name}, ${file.size} bytes, sha256 ${file.sha256.slice(0, 12)}…) recorded for ${view.ikmName}.`,
    [`still missing ${missing.length > 0 ? missing.join(', ') : 'nothing'}`],
  );
}

export async function fingerprint(path: string): Promise<{ name: string; size: number; sha256: string }> {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw usage(`${path} is not a file`);
    size = stat.size;
  } catch (err) {
    if ((err as Error).name === 'CliError') throw err;
    throw usage(`cannot read ${path}: ${firstLine(err)}`);
  }
  if (size === 0) throw usage(`${path} is empty; submit the real document`);
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', resolve)
      .on('error', (err) => reject(usage(`cannot read ${path}: ${firstLine(err)}`)));
  });
  return { name: basename(path), size, sha256: hash.digest('hex') };
}

export async function docsReview(
  ctx: Context,
  id: string,
  opts: { approve?: boolean; requestChanges?: string; reject?: string },
): Promise<Outcome> {
  const given = [
    opts.approve ? '--approve' : null,
    opts.requestChanges !== undefined ? '--request-changes' : null,
    opts.reject !== undefined ? '--reject' : null,
  ].filter((x): x is string => x !== null);
  if (given.length !== 1) {
    throw usage(
      given.length === 0
        ? 'give a decision: --approve, --request-changes "why" or --reject "why"'
        : `give one decision, not ${given.join(' and ')}`,
    );
  }
  const actor = ctx.actor();
  const input: ReviewInput = opts.approve
    ? { actor, decision: 'approve' }
    : opts.requestChanges !== undefined
      ? { actor, decision: 'request_changes', reason: opts.requestChanges }
      : { actor, decision: 'reject', reason: opts.reject };
  const view = await act(ctx, id, reviewDocumentsUpdate, input, 'the review');
  const said = { approve: 'approved', request_changes: 'sent back for changes', reject: 'rejected' }[input.decision];
  return viewOutcome(view, `Documents of ${view.ikmName} ${said}${input.reason ? `: ${input.reason}` : ''}.`);
}
