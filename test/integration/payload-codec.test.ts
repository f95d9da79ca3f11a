/**
 * Encrypted payloads (#16 item 4): the file's client and worker run the AES-256-GCM codec, so a finished nomination's
 * history in Temporal holds no name, address or rule in the clear; with the keys it decodes and replays; a rotation
 * keeps old payloads readable; a wrong key fails with a clear message; the codec endpoint decodes for an auditor only.
 */
import { Client, WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { dinasOf, nominationInput, startNominationDirectly, testConfig, workflowInput } from '../../bench/drivers';
import { decodeArgs } from '../../client/history';
import { historyToJSON } from '../../client/history-json';
import { decodeHistoryPayloads } from '../../common/history-decoding';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../common/payload-codec';
import { parsePayloadKeys } from '../../common/payload-keys';
import { retryOnTaskFailure } from '../../common/update-retry';
import { nominationWorkflowId } from '../../workflows/ids';
import { withdrawUpdate } from '../../workflows/messages';
import type { NominationWorkflowInput } from '../../workflows/inputs';
import { call, startApi, type ApiUnderTest } from '../support/api';
import { cliRunner } from '../support/cli';
import { startHarness, type Harness } from '../support/harness';

const k1 = `k2025:${randomBytes(32).toString('base64')}`;
const k2 = `k2026:${randomBytes(32).toString('base64')}`;
/** The deployment before the rotation (k2025 only) and after it (k2026 appended, so it encrypts). */
const before = new AesGcmPayloadCodec(parsePayloadKeys(k1));
const after = new AesGcmPayloadCodec(parsePayloadKeys(`${k1},${k2}`));
const WEB_UI = 'http://localhost:8233';

let h: Harness;
let api: ApiUnderTest;
let plain: Client;
beforeAll(async () => {
  h = await startHarness('payload-codec', { payloadCodec: after });
  api = await startApi(h, { codecCorsOrigins: [WEB_UI] });
  // What anyone with Temporal access sees: the same server, no keys.
  plain = new Client({ connection: h.client.connection, namespace: 'default' });
});
afterAll(async () => {
  await api?.stop();
  await h?.stop();
});

const utf8 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');

/** Every string in the input a reader of Temporal must not see: people's names and addresses, the IKM, the rules. */
function secretsOf(input: NominationWorkflowInput): string[] {
  const { rules, nomination } = input;
  return [
    ...rules.assessment.assessors.flatMap((a) => [a.name, a.email]),
    ...rules.contacts.coordinators,
    nomination.ikmName,
    nomination.sentraName,
    nomination.product,
    ...rules.assessment.aspects.map((a) => a.label),
  ];
}

describe('a nomination on encrypted payloads', () => {
  let workflowId: string;
  let input: NominationWorkflowInput;

  beforeAll(async () => {
    const config = testConfig('uji-sandi-payload');
    input = workflowInput(config, nominationInput(config, { regencyCode: '32.05', ikmName: 'IKM Rahasia Tenun' }));
    // Started by a client that has not rotated yet (k2025); the worker and the rest run on k2025 + k2026.
    const starter = new Client({
      connection: h.client.connection,
      namespace: 'default',
      dataConverter: { payloadCodecs: [before] },
    });
    ({ workflowId } = await startNominationDirectly({ client: starter, db: h.db }, h.taskQueue, input));
    const handle = h.client.workflow.getHandle(workflowId);
    await retryOnTaskFailure(() =>
      handle.executeUpdate(withdrawUpdate, { args: [{ actor: dinasOf('32.05'), reason: 'uji sandi selesai' }] }),
    );
    await handle.result();
  });

  it('the raw history holds no name, email address or rule in the clear, and every payload names its key', async () => {
    const history = await plain.workflow.getHandle(workflowId).fetchHistory();
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('latin1');
    const json = historyToJSON(history);
    const secrets = secretsOf(input);
    expect(secrets.length).toBeGreaterThan(10);
    expect(secrets.filter((s) => bytes.includes(s) || json.includes(s))).toEqual([]);
    // Every address of the config (assessors, coordinators, the dinas patterns) is at a *.example domain.
    expect(bytes).not.toMatch(/@[\w.-]*example/);
    expect(json).not.toMatch(/@[\w.-]*example/);

    const payloads: { path: string; encoding: string; key: string }[] = [];
    const collect = (v: unknown, path: string): void => {
      if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) return;
      const m = (v as { metadata?: Record<string, Uint8Array> }).metadata;
      if (m && m.encoding) payloads.push({ path, encoding: utf8(m.encoding), key: utf8(m[KEY_ID_METADATA]) });
      else Object.entries(v).forEach(([k, c]) => collect(c, `${path}.${k}`));
    };
    collect(history.events, 'events');
    // In the clear only what Temporal must read itself: search attributes (the stage, for visibility queries) and the
    // patch markers the SDK's core writes (a patch's name), both outside the codec's reach by design.
    const clear = payloads.filter((p) => p.encoding !== ENCRYPTED_ENCODING);
    for (const p of clear)
      expect(p.path).toMatch(
        /\.(searchAttributes\.indexedFields\.\w+|markerRecordedEventAttributes\.details\.patch-data\.payloads\.0)$/,
      );
    expect(payloads.length - clear.length).toBeGreaterThan(5);
    // The start input was written before the rotation; what the worker and the withdrawal wrote, after it.
    const input0 = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect(utf8(input0.metadata![KEY_ID_METADATA])).toBe('k2025');
    const sealed = payloads.filter((p) => p.encoding === ENCRYPTED_ENCODING);
    expect(new Set(sealed.map((p) => p.key))).toEqual(new Set(['k2025', 'k2026']));

    // Without the keys the client cannot read the result.
    await expect(plain.workflow.getHandle(workflowId).result()).rejects.toThrow(/Unknown encoding: binary\/encrypted/);
  });

  it('with the keys the history decodes (old key included) and replays; without them it does not replay', async () => {
    const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
    const decoded = await decodeHistoryPayloads(structuredClone(history), [after]);
    const [decodedInput] = decodeArgs(decoded.events![0]!.workflowExecutionStartedEventAttributes!.input);
    expect(decodedInput).toEqual(input);
    const bundle = { codePath: inject('workflowBundlePath') };
    await Worker.runReplayHistory(
      { workflowBundle: bundle, dataConverter: { payloadCodecs: [after] } },
      history,
      workflowId,
    );
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId)).rejects.toThrow();
  });

  it('a wrong key, or a deployment missing the newest key, fails with a message naming the key', async () => {
    const impostor = new AesGcmPayloadCodec(parsePayloadKeys(`k2026:${randomBytes(32).toString('base64')}`));
    const history = await plain.workflow.getHandle(workflowId).fetchHistory();
    const k2026Only = history.events!.filter((e) => e.workflowExecutionCompletedEventAttributes);
    await expect(decodeHistoryPayloads(k2026Only, [impostor])).rejects.toThrow(
      "payload does not decrypt with key 'k2026': the configured key of that id is not the one it was written with, or the payload was altered",
    );
    await expect(decodeHistoryPayloads(k2026Only, [before])).rejects.toThrow(
      "payload encrypted with key 'k2026', which the configured keys (k2025) do not include; add it to OVOP_PAYLOAD_KEYS",
    );
  });

  it('ovop audit replay replays the encrypted history with OVOP_PAYLOAD_KEYS, and says why not without it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ovop-codec-')), 'history.json');
    writeFileSync(file, historyToJSON(await plain.workflow.getHandle(workflowId).fetchHistory()));
    const ovop = cliRunner(h.taskQueue);
    const args = ['audit', 'replay', '--file', file, '--workflow-id', workflowId];
    args.push('--workflow-bundle', inject('workflowBundlePath'));
    const ok = await ovop(args, { env: { OVOP_PAYLOAD_KEYS: `${k1},${k2}` } });
    expect(ok.stderr).toContain('unsigned Temporal history');
    expect(ok.stdout).toContain(': OK');
    expect(ok.code).toBe(0);
    const without = await ovop(args, { env: { OVOP_PAYLOAD_KEYS: undefined } });
    expect(without.code).toBe(1);
    const malformed = await ovop(args, { env: { OVOP_PAYLOAD_KEYS: 'k2025:c2hvcnQ=' } });
    expect(malformed.stderr).toContain(
      "OVOP_PAYLOAD_KEYS, entry 1: key 'k2025' is 5 bytes; AES-256 needs 32 bytes in base64 (openssl rand -base64 32)",
    );
    expect(malformed.code).toBe(2);
  });

  it('the codec endpoint refuses a signed-out caller and a dinas, and decodes for an auditor', async () => {
    const history = await plain.workflow.getHandle(workflowId).fetchHistory();
    const sealed = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const body = {
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(sealed.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(sealed.data!).toString('base64'),
        },
      ],
    };
    const signedOut = await call(api, 'POST', '/api/codec/decode', { body, headers: { origin: WEB_UI } });
    expect(signedOut.status).toBe(401);
    expect(signedOut.body.code).toBe('signed_out');
    // The Web UI's script sees the refusal too.
    expect(signedOut.headers.get('access-control-allow-origin')).toBe(WEB_UI);

    const dinas = await call(api, 'POST', '/api/codec/decode', { token: api.tokens.garut, body });
    expect(dinas.status).toBe(403);
    expect(dinas.body.message).toBe(
      'role dinas_kabkota may not decode Temporal payloads; only an auditor or a coordinator may',
    );

    const auditor = await call(api, 'POST', '/api/codec/decode', { token: api.tokens.auditor, body });
    expect(auditor.status).toBe(200);
    const [p] = auditor.body.payloads;
    expect(Buffer.from(p.metadata.encoding, 'base64').toString()).toBe('json/plain');
    const decoded = JSON.parse(Buffer.from(p.data, 'base64').toString()) as NominationWorkflowInput;
    expect(decoded.nomination.ikmName).toBe('IKM Rahasia Tenun');

    // encode gives a payload of the newest key, which decode turns back.
    const encoded = await call(api, 'POST', '/api/codec/encode', { token: api.tokens.auditor, body: auditor.body });
    expect(encoded.status).toBe(200);
    expect(Buffer.from(encoded.body.payloads[0].metadata[KEY_ID_METADATA], 'base64').toString()).toBe('k2026');
    const back = await call(api, 'POST', '/api/codec/decode', { token: api.tokens.auditor, body: encoded.body });
    expect(back.body).toEqual(auditor.body);

    const tampered = structuredClone(body);
    tampered.payloads[0]!.data = Buffer.from(randomBytes(64)).toString('base64');
    const refused = await call(api, 'POST', '/api/codec/decode', { token: api.tokens.auditor, body: tampered });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain("payload does not decrypt with key 'k2025'");
  });

  it('answers the Web UI its CORS preflight, and no other origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${api.url}/api/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace',
        },
      });
    const ui = await preflight(WEB_UI);
    expect(ui.status).toBe(204);
    expect(ui.headers.get('access-control-allow-origin')).toBe(WEB_UI);
    expect(ui.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ui.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("a failure's message is encrypted too, and the client with the keys reads it", async () => {
    const config = testConfig('uji-sandi-gagal');
    const n = nominationInput(config, { regencyCode: '32.05', ikmName: 'IKM Tanpa Catatan' });
    // No intake record: the workflow fails with NotStartedByCycle, a message that names the nomination.
    const workflowId = nominationWorkflowId(config.id, n.regencyCode, n.ikmName);
    const handle = await h.client.workflow.start('nomination', {
      workflowId,
      taskQueue: h.taskQueue,
      args: [workflowInput(config, n)],
    });
    const err = await handle.result().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('NotStartedByCycle');
    expect(cause.message).toBe(`nomination ${workflowId} was not started by its cycle: no intake record of it`);

    const { events } = await plain.workflow.getHandle(workflowId).fetchHistory();
    const failure = events!.find((e) => e.workflowExecutionFailedEventAttributes)!
      .workflowExecutionFailedEventAttributes!.failure!;
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    expect(utf8(failure.encodedAttributes!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(JSON.stringify(failure)).not.toContain('intake record');
  });
});
