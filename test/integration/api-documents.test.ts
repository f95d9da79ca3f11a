/**
 * Documents for real, over HTTP: Garut's dinas uploads its files (the bytes as the request body), each lands in
 * storage with its SHA-256 and size, the workflow records its id, and those who may read the nomination download
 * the same bytes. Every refusal — too large, mislabelled, another regency, signed out, an unassigned assessor, an upload
 * the client abandons — is checked for its status and message and for leaving nothing behind: no stored file, no chunk,
 * no object, no history event, no event or document row. The storage cases run twice: on PostgreSQL (the default) and
 * on an S3-compatible server (s3rver) that the test starts on loopback, whose bucket is listed to prove what it holds.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  nominationInput,
  sampleDocument,
  startNominationDirectly,
  testConfig,
  workflowInput,
} from '../../bench/drivers';
import type { StoredIn } from '../../db/database';
import { openDocumentStorage } from '../../db/document-storage';
import { S3DocumentStorage } from '../../db/s3-document-files';
import { sweepUnrecordedUploads } from '../../api/upload-sweep';
import { startS3Server, type S3ServerUnderTest } from '../support/s3-server';
import { startHarness, waitFor, type Harness } from '../support/harness';
import {
  call,
  nominationPath,
  startApi,
  assessorToken,
  type Answer,
  type ApiUnderTest,
  type TestUser,
} from '../support/api';

let h: Harness;
// The API and the nomination of the storage under test (each `documentsStoredIn` block sets its own).
let api: ApiUnderTest;
let s3: S3ServerUnderTest | undefined;
// A 1 MB limit keeps the oversize file small; two assessors of the pool, so others are left unassigned.
const config = testConfig('uji-api-documents', {
  mutate: (c) => {
    c.documents.maxFileMegabytes = 1;
    c.assessment.assessorsPerNomination = 2;
  },
});

const pdf = (size: number) => sampleDocument('application/pdf', size);
const png = (size: number) => sampleDocument('image/png', size);
const jpeg = (size: number) => sampleDocument('image/jpeg', size);

const as = (user: TestUser) => ({ token: api.tokens[user] });

/** Sends `body` as the file of `kind`, declared as `type`. */
async function upload(
  workflowId: string,
  kind: string,
  type: string,
  body: Buffer,
  opts: { user?: TestUser; fileName?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': type };
  if (opts.user) headers.authorization = `Bearer ${api.tokens[opts.user]}`;
  const query = opts.fileName ? `?fileName=${encodeURIComponent(opts.fileName)}` : '';
  const res = await fetch(`${api.url}${nominationPath(workflowId, `/documents/${kind}`)}${query}`, {
    method: 'POST',
    headers,
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** Downloads as a test user, or with a token (`{ token }`), or signed out. */
async function download(workflowId: string, documentId: string, user?: TestUser | { token: string }) {
  const token = user === undefined ? undefined : typeof user === 'string' ? api.tokens[user] : user.token;
  const res = await fetch(`${api.url}${nominationPath(workflowId, `/documents/${documentId}`)}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, bytes, headers: res.headers, json: () => JSON.parse(bytes.toString('utf8')) };
}

async function stageIs(workflowId: string, stage: string) {
  await waitFor(
    async () =>
      (await h.db.selectFrom('nominations').select('stage').where('workflow_id', '=', workflowId).executeTakeFirst())
        ?.stage === stage,
    { what: `${workflowId} in ${stage}` },
  );
}

const historyLength = async (workflowId: string) =>
  (await h.client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0;

/** Waits until the workflow has stopped writing history (its mails and rows of the last step are done). */
async function historySettled(workflowId: string): Promise<number> {
  let last = -1;
  for (;;) {
    const now = await historyLength(workflowId);
    if (now === last) return now;
    last = now;
    await new Promise((r) => setTimeout(r, 700));
  }
}

const countWhere = async (
  table: 'nomination_events' | 'documents' | 'document_files',
  workflowId: string,
): Promise<number> =>
  Number(
    (
      await h.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .where('workflow_id', '=', workflowId)
        .executeTakeFirstOrThrow()
    ).n,
  );

const chunkCount = async (workflowId: string) =>
  Number(
    (
      await h.db
        .selectFrom('document_chunks')
        .innerJoin('document_files', 'document_files.id', 'document_chunks.file_id')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('document_files.workflow_id', '=', workflowId)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Everything an upload could leave behind: in the workflow, in PostgreSQL, and in the S3 bucket (this file's own). */
async function footprint(workflowId: string) {
  return {
    history: await historySettled(workflowId),
    events: await countWhere('nomination_events', workflowId),
    documents: await countWhere('documents', workflowId),
    files: await countWhere('document_files', workflowId),
    chunks: await chunkCount(workflowId),
    objects: s3 ? (await s3.keys()).length : 0,
  };
}

/** The answer is exactly the refusal: its code and message, and a workflow refusal's rule and params. */
async function expectRefusal(
  res: Answer,
  status: number,
  code: string,
  message: RegExp,
  refusal?: { rule: string; params: object },
) {
  expect(res.body, JSON.stringify(res.body)).toEqual({ code, message: expect.stringMatching(message), ...refusal });
  expect(res.status).toBe(status);
}

/** The temporary copies of uploads in flight (api/upload-spool.ts); none once each upload ended. */
const spools = async () => (await readdir(uploadDir)).filter((f) => f.startsWith('ovop-upload-'));

let uploadDir: string;
let garutId: string;
let legality: Buffer;
let legalityId: string;

beforeAll(async () => {
  h = await startHarness('api-documents');
  uploadDir = await mkdtemp(join(tmpdir(), 'ovop-test-uploads-'));
});
afterAll(async () => {
  await h?.stop();
  if (uploadDir) await rm(uploadDir, { recursive: true, force: true });
});

documentsStoredIn('postgres');
documentsStoredIn('s3');

/** The upload, download and refusal cases, on an API whose documents are stored in `where`. */
function documentsStoredIn(where: StoredIn) {
  describe(`documents stored in ${where}`, () => {
    beforeAll(async () => {
      s3 = where === 's3' ? await startS3Server() : undefined;
      api = await startApi(h, { uploadDir, documentStorage: s3?.settings ?? { kind: 'postgres' } });
      // Food and drink: legality, distribution permit, halal and a lab test, so it waits on documents through the
      // refusals. A nomination per storage, so each block's footprint is its own.
      const n = nominationInput(config, {
        regencyCode: '32.05',
        ikmName: `Dodol Garut Dokumen ${where}`,
        commodity: 'makanan_minuman',
      });
      ({ workflowId: garutId } = await startNominationDirectly(h, h.taskQueue, workflowInput(config, n)));
      await stageIs(garutId, 'AWAITING_SOCIALIZATION');
      const attended = await call(api, 'POST', nominationPath(garutId, '/attendance'), {
        ...as('garut'),
        body: { sessionId: 'sesi-1-yogyakarta' },
      });
      expect(attended.status, JSON.stringify(attended.body)).toBe(200);
      await stageIs(garutId, 'AWAITING_DOCUMENTS');
    });
    afterAll(async () => {
      await api?.stop();
      await s3?.stop();
      s3 = undefined;
    });
    storageCases(where);
    // Who may download, and the OpenAPI document, do not depend on where the bytes are: once is enough.
    if (where === 'postgres') completeSetCases();
  });
}

function storageCases(where: StoredIn) {
  describe('upload and download', () => {
    it(`stores the file in ${where}, the workflow records it, and the dinas downloads the same bytes`, async () => {
      legality = pdf(600_000);
      const res = await upload(garutId, 'legality', 'application/pdf', legality, {
        user: 'garut',
        fileName: 'NIB Dodol Garut.pdf',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.recorded).toBe('now');
      expect(res.body.document).toMatchObject({
        kind: 'legality',
        fileName: 'NIB Dodol Garut.pdf',
        contentType: 'application/pdf',
        sizeBytes: legality.length,
        sha256: sha256Of(legality),
      });
      legalityId = res.body.document.documentId;
      // The Update's answer lists the document with its id.
      expect(res.body.nomination.documents).toEqual([
        expect.objectContaining({ kind: 'legality', round: 0, documentId: legalityId, checksum: sha256Of(legality) }),
      ]);

      const row = await h.db
        .selectFrom('document_files')
        .selectAll()
        .where('id', '=', legalityId)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        workflow_id: garutId,
        kind: 'legality',
        sha256: sha256Of(legality),
        size_bytes: legality.length,
        content_type: 'application/pdf',
        uploaded_by: 'dinas_kabkota:disperin-32.05',
        stored_in: where,
      });
      const chunks = await h.db
        .selectFrom('document_chunks')
        .select('data')
        .where('file_id', '=', legalityId)
        .orderBy('seq')
        .execute();
      if (where === 'postgres') {
        // The bytes in PostgreSQL are the file.
        expect(chunks.length).toBe(row.chunk_count);
        expect(sha256Of(Buffer.concat(chunks.map((c) => c.data)))).toBe(sha256Of(legality));
      } else {
        // The bytes are in the bucket, under a key made of the file's id (not its name), and not in PostgreSQL.
        expect(chunks).toEqual([]);
        expect(row.chunk_count).toBe(0);
        expect(await s3!.keys()).toEqual([`documents/${legalityId}`]);
        expect((await s3!.read(`documents/${legalityId}`)).equals(legality)).toBe(true);
      }

      // The projection the API reads lists it, with the id to download it by; so does the event the workflow recorded.
      const detail = await call(api, 'GET', nominationPath(garutId), as('garut'));
      expect(detail.body.documents).toEqual([
        expect.objectContaining({
          documentId: legalityId,
          kind: 'legality',
          round: 0,
          checksum: sha256Of(legality),
          sizeBytes: legality.length,
        }),
      ]);
      const event = await h.db
        .selectFrom('nomination_events')
        .select('payload')
        .where('workflow_id', '=', garutId)
        .where('type', '=', 'document.submitted')
        .executeTakeFirstOrThrow();
      expect(event.payload).toMatchObject({ kind: 'legality', documentId: legalityId, sizeBytes: legality.length });

      const got = await download(garutId, legalityId, 'garut');
      expect(got.status).toBe(200);
      expect(got.bytes.equals(legality)).toBe(true);
      expect(got.headers.get('content-type')).toBe('application/pdf');
      expect(got.headers.get('content-length')).toBe(String(legality.length));
      expect(got.headers.get('content-disposition')).toBe(
        `attachment; filename="NIB Dodol Garut.pdf"; filename*=UTF-8''NIB%20Dodol%20Garut.pdf`,
      );
      expect(got.headers.get('etag')).toBe(`"sha256-${sha256Of(legality)}"`);
      expect(got.headers.get('repr-digest')).toBe(
        `sha-256=:${Buffer.from(sha256Of(legality), 'hex').toString('base64')}:`,
      );
    });

    it('takes the same content twice as one document', async () => {
      const before = await footprint(garutId);
      const again = await upload(garutId, 'legality', 'application/pdf', legality, { user: 'garut' });
      expect(again.status, JSON.stringify(again.body)).toBe(200);
      expect(again.body).toMatchObject({ recorded: 'earlier', document: { documentId: legalityId } });
      expect(await footprint(garutId)).toEqual(before);
    });

    it('lets the nomination’s province, coordinators and auditors download; refuses other regions and assessors', async () => {
      for (const user of ['jabar', 'coordinator', 'auditor'] as const) {
        const got = await download(garutId, legalityId, user);
        expect(got.status, user).toBe(200);
        expect(sha256Of(got.bytes)).toBe(sha256Of(legality));
      }
      const tasik = await download(garutId, legalityId, 'tasikmalaya');
      expect(tasik.status).toBe(403);
      expect(tasik.json()).toEqual({
        code: 'forbidden',
        message: expect.stringMatching(/belongs to kabupaten\/kota 32.05; you act for 32.06/),
      });
      const diy = await download(garutId, legalityId, 'diy');
      expect(diy.status).toBe(403);
      expect(diy.json().message).toMatch(/is in province 32; you act for province 34/);
      // No assessor is assigned before the review passes it.
      const siti = await download(garutId, legalityId, 'siti');
      expect(siti.status).toBe(403);
      expect(siti.json()).toEqual({
        code: 'forbidden',
        message: expect.stringMatching(/is not assigned to assessor penilai-siti/),
      });
      const out = await download(garutId, legalityId);
      expect(out.status).toBe(401);
      expect(out.json()).toMatchObject({ code: 'signed_out' });
      const unknown = await download(garutId, '00000000-0000-4000-8000-000000000000', 'garut');
      expect(unknown.status).toBe(404);
      expect(unknown.json().message).toMatch(/has no document 00000000-/);
    });
  });

  describe('refused uploads leave nothing behind', () => {
    it('refuses a file over the cycle’s limit with 413', async () => {
      const before = await footprint(garutId);
      await expectRefusal(
        await upload(garutId, 'halal', 'application/pdf', pdf(1_200_000), { user: 'garut' }),
        413,
        'too_large',
        /larger than this cycle's limit of 1 MB per document/,
      );
      expect(await footprint(garutId)).toEqual(before);
    });

    // Refused while spooling, before storage is called: once, on the default storage, is enough (CI's time is tight).
    it.runIf(where === 'postgres')(
      'refuses a file over the limit sent without a length, once it passes the limit',
      async () => {
        const before = await footprint(garutId);
        const body = pdf(1_500_000);
        const res = await new Promise<{ status: number; body: any }>((resolve, reject) => {
          const req = request(`${api.url}${nominationPath(garutId, '/documents/halal')}`, {
            method: 'POST',
            agent: false,
            headers: { 'content-type': 'application/pdf', authorization: `Bearer ${api.tokens.garut}` },
          });
          req.on('response', (r) => {
            let text = '';
            r.on('data', (c) => (text += c)).on('end', () =>
              resolve({ status: r.statusCode!, body: JSON.parse(text) }),
            );
          });
          req.on('error', reject);
          // Chunked: the server learns the size only by counting.
          for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
          req.end();
        });
        await expectRefusal(res as Answer, 413, 'too_large', /larger than this cycle's limit/);
        expect(await footprint(garutId)).toEqual(before);
        await waitFor(async () => (await spools()).length === 0, { what: 'no upload spooled' });
      },
    );

    it('refuses content that is not what it was declared as (422) and a type documents may not have (415)', async () => {
      const before = await footprint(garutId);
      await expectRefusal(
        await upload(garutId, 'halal', 'application/pdf', png(5000), { user: 'garut' }),
        422,
        'content_mismatch',
        /the file is image\/png, not the declared application\/pdf; send it with Content-Type image\/png/,
      );
      await expectRefusal(
        await upload(garutId, 'halal', 'application/pdf', Buffer.from('this is no PDF at all\n'.repeat(200)), {
          user: 'garut',
        }),
        422,
        'content_mismatch',
        /the file is not application\/pdf; documents are PDF, JPEG or PNG/,
      );
      await expectRefusal(
        await upload(garutId, 'halal', 'image/png', jpeg(5000), { user: 'garut' }),
        422,
        'content_mismatch',
        /the file is image\/jpeg, not the declared image\/png/,
      );
      await expectRefusal(
        await upload(garutId, 'halal', 'text/plain', pdf(5000), { user: 'garut' }),
        415,
        'unsupported_type',
        /Content-Type text\/plain: send the file as the request body with Content-Type application\/pdf, image\/jpeg, image\/png/,
      );
      expect(await footprint(garutId)).toEqual(before);
    });

    // Refused before the body is read: once, on the default storage, is enough.
    it.runIf(where === 'postgres')(
      'refuses another regency’s dinas (403), a coordinator (403) and the signed out (401)',
      async () => {
        const before = await footprint(garutId);
        await expectRefusal(
          await upload(garutId, 'halal', 'application/pdf', pdf(5000), { user: 'tasikmalaya' }),
          403,
          'forbidden',
          /belongs to kabupaten\/kota 32.05; you act for 32.06/,
        );
        await expectRefusal(
          await upload(garutId, 'halal', 'application/pdf', pdf(5000), { user: 'coordinator' }),
          403,
          'forbidden',
          /role coordinator may not submit documents; only a dinas kabupaten\/kota may/,
        );
        await expectRefusal(
          await upload(garutId, 'halal', 'application/pdf', pdf(5000)),
          401,
          'signed_out',
          /sign in first/,
        );
        expect(await footprint(garutId)).toEqual(before);
        const logged = await h.db
          .selectFrom('access_log')
          .select('code')
          .where('path', '=', nominationPath(garutId, '/documents/halal'))
          .execute();
        expect(logged.map((l) => l.code).sort()).toEqual(['forbidden', 'forbidden', 'signed_out']);
      },
    );

    it('refuses a kind not on the checklist after receiving it, and deletes what it stored', async () => {
      const before = await footprint(garutId);
      await expectRefusal(
        await upload(garutId, 'sertifikat_palsu', 'application/pdf', pdf(5000), { user: 'garut' }),
        409,
        'refused',
        /unknown document kind "sertifikat_palsu"; the checklist has legality, distribution_permit, halal, lab_test/,
        { rule: 'unknown_document_kind', params: { kind: 'sertifikat_palsu' } },
      );
      expect(await footprint(garutId)).toEqual(before);
    });

    it('keeps nothing of an upload the client abandons halfway', async () => {
      const before = await footprint(garutId);
      const body = pdf(800_000);
      const answered = await new Promise<number | null>((resolve) => {
        const req = request(`${api.url}${nominationPath(garutId, '/documents/halal')}`, {
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/pdf',
            'content-length': String(body.length),
            authorization: `Bearer ${api.tokens.garut}`,
          },
        });
        // An answer would mean the server did not wait for the rest of the file.
        req.on('response', (r) => resolve(r.statusCode ?? 0));
        req.on('error', () => resolve(null));
        req.on('close', () => resolve(null));
        req.write(body.subarray(0, 300_000), () => {
          // The server has begun spooling (a temporary file exists); then the client goes away.
          void waitFor(async () => (await spools()).length > 0, { what: 'the upload being spooled' }).then(() =>
            req.destroy(),
          );
        });
      });
      expect(answered).toBeNull();
      await waitFor(async () => (await spools()).length === 0, { what: 'the abandoned upload’s spool deleted' });
      expect(await footprint(garutId)).toEqual(before);
    });

    it.runIf(where === 's3')(
      'does not start on a bucket the server lacks, and keeps no row of a refused write',
      async () => {
        const before = await footprint(garutId);
        await expect(
          startApi(h, { uploadDir, documentStorage: { ...s3!.settings, bucket: 'ovop-tidak-ada' } }),
        ).rejects.toThrow(
          /^the document storage \(bucket ovop-tidak-ada at http:\/\/127\.0\.0\.1:\d+\) cannot be used: NotFound \(HTTP 404\)$/,
        );
        const bytes = pdf(200_000);
        const path = join(uploadDir, 'refused.pdf');
        await writeFile(path, bytes);
        // The same server, a bucket it does not have: the write fails after the row was inserted in its transaction.
        const elsewhere = new S3DocumentStorage(h.db, { ...s3!.settings, bucket: 'ovop-tidak-ada' });
        await expect(
          elsewhere.put(
            { path, sizeBytes: bytes.length, sha256: sha256Of(bytes), contentType: 'application/pdf' },
            { workflowId: garutId, kind: 'halal', fileName: 'halal.pdf', uploadedBy: 'dinas_kabkota:garut' },
          ),
        ).rejects.toMatchObject({ name: 'NoSuchBucket' });
        elsewhere.close();
        await rm(path);
        expect(await footprint(garutId)).toEqual(before);
      },
    );

    it('deletes a stored file no Update recorded once it is a day old, and keeps every recorded one', async () => {
      // What an API that stopped between storing a file and its Update leaves: the file, and nothing that refers to it.
      const before = await footprint(garutId);
      const bytes = pdf(300_000);
      const path = join(uploadDir, 'stranded.pdf');
      await writeFile(path, bytes);
      const storage = openDocumentStorage(h.db, api.options.documentStorage);
      const { file } = await storage.put(
        { path, sizeBytes: bytes.length, sha256: sha256Of(bytes), contentType: 'application/pdf' },
        { workflowId: garutId, kind: 'halal', fileName: 'halal.pdf', uploadedBy: 'dinas_kabkota:garut' },
      );
      await rm(path);
      const stranded = {
        ...before,
        files: before.files + 1,
        ...(where === 'postgres' ? { chunks: before.chunks + 2 } : { objects: before.objects + 1 }),
      };
      expect(await footprint(garutId)).toEqual(stranded);

      // An hour on, its Update may still be in flight: it stays.
      const hours = (n: number) => new Date(file.uploaded_at.getTime() + n * 3_600_000);
      expect(await sweepUnrecordedUploads(storage, 24, hours(1))).toBe(0);
      expect(await footprint(garutId)).toEqual(stranded);

      // A day on it goes with its chunks or its object; the recorded legality file, as old, stays and still downloads.
      expect(await sweepUnrecordedUploads(storage, 24, hours(25))).toBe(1);
      storage.close?.();
      expect(await footprint(garutId)).toEqual(before);
      const kept = await fetch(`${api.url}${nominationPath(garutId, `/documents/${legalityId}`)}`, {
        headers: { authorization: `Bearer ${api.tokens.garut}` },
      });
      expect(kept.status).toBe(200);
      expect(Buffer.from(await kept.arrayBuffer()).equals(legality)).toBe(true);
    });
  });
}

function completeSetCases() {
  describe('the complete set and the assessors', () => {
    it('moves on once every document is uploaded; an assigned assessor downloads, an unassigned one is refused', async () => {
      for (const [kind, type, body] of [
        ['distribution_permit', 'application/pdf', pdf(200_000)],
        ['halal', 'image/jpeg', jpeg(300_000)],
        ['lab_test', 'image/png', png(100_000)],
      ] as const) {
        const res = await upload(garutId, kind, type, body, { user: 'garut' });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        expect(res.body.document).toMatchObject({
          kind,
          contentType: type,
          sha256: sha256Of(body),
          sizeBytes: body.length,
        });
      }
      await stageIs(garutId, 'UNDER_REVIEW');
      const approved = await call(api, 'POST', nominationPath(garutId, '/review'), {
        ...as('coordinator'),
        body: { decision: 'approve' },
      });
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
      await stageIs(garutId, 'IN_ASSESSMENT');
      const detail = await call(api, 'GET', nominationPath(garutId), as('coordinator'));
      const assigned: string[] = detail.body.assessors.map((a: { id: string }) => a.id);
      expect(assigned).toHaveLength(2);
      // The panel is drawn at random from the whole pool (not only the test users): tokens for whoever was drawn.
      const pool = config.assessment.assessors;
      const eligible = pool.filter((a) => a.province !== '32').map((a) => a.id);
      const assignedId = assigned[0];
      const unassignedId = eligible.find((id) => !assigned.includes(id))!;
      const halal = detail.body.documents.find((d: { kind: string }) => d.kind === 'halal');
      const got = await download(garutId, halal.documentId, { token: await assessorToken(h, api, pool, assignedId) });
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe('image/jpeg');
      expect(sha256Of(got.bytes)).toBe(halal.checksum);
      const refused = await download(garutId, halal.documentId, {
        token: await assessorToken(h, api, pool, unassignedId),
      });
      expect(refused.status).toBe(403);
      expect(refused.json().message).toMatch(`is not assigned to assessor ${unassignedId}`);
      // Budi is of the nomination's own province.
      const budi = await download(garutId, halal.documentId, 'budi');
      expect(budi.status).toBe(403);
      expect(budi.json().message).toMatch(/conflict of interest/);
    });

    it('lists the upload endpoints in the OpenAPI document', async () => {
      const doc = await call(api, 'GET', '/api/openapi.json');
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining([
          '/api/nominations/{id}/documents/{kind}',
          '/api/nominations/{id}/documents/{documentId}',
        ]),
      );
      expect(Object.keys(doc.body.paths['/api/nominations/{id}/documents/{kind}'].post.responses)).toEqual(
        expect.arrayContaining(['201', '413', '415', '422']),
      );
    });
  });
}

const sha256Of = (b: Buffer) => createHash('sha256').update(b).digest('hex');
