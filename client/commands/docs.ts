/**
 * `ovop docs submit <nomination> --kind K --file F`: uploads the document to the API, which stores it and records its
 * name, size and SHA-256. `ovop docs review <nomination> --approve | --request-changes "why" |
 * --reject "why"`: the coordinator's administrative review.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { type NominationAnswer, type ReviewInput } from '../../workflows/messages';
import { nominationPath } from '../api-client';
import type { Context, Outcome } from '../context';
import { parseNominationId } from '../ids';
import { firstLine, usage } from '../errors';
import { act, missingDocuments, viewOutcome } from '../nomination';

/** The types the API stores, by the file's extension (the API checks the content too). */
const CONTENT_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
};

interface UploadAnswer {
  document: { documentId: string; fileName: string; sizeBytes: number; sha256: string };
  recorded: 'now' | 'earlier';
  nomination?: NominationAnswer;
}

export async function docsSubmit(ctx: Context, id: string, opts: { kind: string; file: string }): Promise<Outcome> {
  const file = await fingerprint(opts.file);
  const kind = opts.kind.trim();
  return upload(ctx, id, kind, opts.file, file);
}

async function upload(
  ctx: Context,
  id: string,
  kind: string,
  path: string,
  file: { name: string; size: number; sha256: string },
): Promise<Outcome> {
  const contentType = CONTENT_TYPES[extname(path).toLowerCase()];
  if (!contentType) throw usage(`${path} is not a document the API stores: give a .pdf, .jpg, .jpeg or .png file`);
  const ref = parseNominationId(id);
  ctx.subject = { kind: 'nomination', id: ref.workflowId };
  const answer = await ctx
    .api()
    .request<UploadAnswer>('POST', nominationPath(ref.workflowId, `/documents/${encodeURIComponent(kind)}`), {
      body: readFileSync(path),
      contentType,
      query: { fileName: file.name },
    });
  const stored = `${kind} (${answer.document.fileName}, ${answer.document.sizeBytes} bytes, sha256 ${answer.document.sha256.slice(0, 12)}…)`;
  if (!answer.nomination)
    return {
      json: answer,
      text: `Document ${stored} was recorded earlier for ${ref.workflowId}; nothing changed.`,
    };
  const view = answer.nomination;
  const missing = missingDocuments(view);
  const outcome = viewOutcome(view, `Document ${stored} stored and recorded for ${view.ikmName}.`, [
    `document id  ${answer.document.documentId}`,
    `still missing ${missing.length > 0 ? missing.join(', ') : 'nothing'}`,
  ]);
  return { ...outcome, json: answer };
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
  const input: Omit<ReviewInput, 'actor'> = opts.approve
    ? { decision: 'approve' }
    : opts.requestChanges !== undefined
      ? { decision: 'request_changes', reason: opts.requestChanges }
      : { decision: 'reject', reason: opts.reject };
  const view = await act(ctx, id, { path: 'review', body: input });
  const said = { approve: 'approved', request_changes: 'sent back for changes', reject: 'rejected' }[input.decision];
  return viewOutcome(view, `Documents of ${view.ikmName} ${said}${input.reason ? `: ${input.reason}` : ''}.`);
}
