/**
 * Signed audit bundles (`ovop audit export`, docs/audit-bundles.md): a nomination's Temporal history, its event-log
 * rows and their chain head, signed with the deployment's Ed25519 key. `events` stays at the top level, so a bundle
 * is also a Temporal JSON history. The signature covers `stableJson` of everything but `signature`; a bundle must also
 * be byte for byte as export wrote it, so even a whitespace edit is found.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stableJson, verifyChain, type EventRow } from '../db/event-chain';
import { firstLine, refused, usage } from './errors';

export const BUNDLE_FORMAT = 'ovop-audit-bundle/1';

export interface AuditBundle {
  format: typeof BUNDLE_FORMAT;
  workflowId: string;
  exportedAt: string;
  /** The workflow's history events in Temporal's JSON format. */
  events: unknown[];
  /** The runs it continued as new into, oldest first (a nomination of short runs); absent for a single run. */
  continuedRuns?: { runId: string; events: unknown[] }[];
  eventLog: (Omit<EventRow, 'occurred_at'> & { occurred_at: string })[];
  chainHead: { chainIndex: number; hash: string };
  signature?: { algorithm: 'Ed25519'; keyId: string; value: string };
}

export const serializeBundle = (bundle: AuditBundle): string => `${JSON.stringify(bundle, null, 2)}\n`;

/** The first 16 hex digits of the SHA-256 of the public key's DER (SPKI): names the key a bundle was signed with. */
export function keyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

const signedBytes = (bundle: AuditBundle) => {
  const { signature: _signature, ...unsigned } = bundle;
  return Buffer.from(stableJson(unsigned), 'utf8');
};

export function signBundle(bundle: Omit<AuditBundle, 'signature'>, key: KeyObject): AuditBundle {
  const value = sign(null, signedBytes(bundle as AuditBundle), key).toString('base64');
  return { ...bundle, signature: { algorithm: 'Ed25519', keyId: keyId(key), value } };
}

function pemFrom(what: string, fileVar: string, pemVar: string, file: string | undefined): string | undefined {
  const path = file ?? process.env[fileVar]?.trim();
  if (path) {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw usage(`cannot read the ${what} ${path}: ${firstLine(err)}`);
    }
  }
  return process.env[pemVar]?.trim() || undefined;
}

function ed25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519')
    throw usage(`the ${what} is a ${key.asymmetricKeyType ?? 'symmetric'} key, not Ed25519`);
  return key;
}

/** The deployment's signing key: --key, else OVOP_SIGNING_KEY_FILE, else the PEM in OVOP_SIGNING_KEY. */
export function signingKey(file?: string): KeyObject | undefined {
  const pem = pemFrom('signing key', 'OVOP_SIGNING_KEY_FILE', 'OVOP_SIGNING_KEY', file);
  if (!pem) return undefined;
  try {
    return ed25519(createPrivateKey(pem), 'signing key');
  } catch (err) {
    if (err instanceof Error && err.name === 'CliError') throw err;
    throw usage(`the signing key is not a PEM private key: ${firstLine(err)}`);
  }
}

/** The key bundles are checked with: --public-key, OVOP_VERIFY_KEY_FILE, OVOP_VERIFY_KEY, else the signing key's. */
export function verificationKey(file?: string): KeyObject | undefined {
  const pem = pemFrom('verification key', 'OVOP_VERIFY_KEY_FILE', 'OVOP_VERIFY_KEY', file);
  if (!pem) {
    const own = signingKey();
    return own && createPublicKey(own);
  }
  try {
    return ed25519(createPublicKey(pem), 'verification key');
  } catch (err) {
    if (err instanceof Error && err.name === 'CliError') throw err;
    throw usage(`the verification key is not a PEM public key: ${firstLine(err)}`);
  }
}

/** Whether parsed JSON is meant to be a bundle: any of its own members, so an edited `format` is still caught. */
export const isBundleShaped = (data: unknown): boolean =>
  typeof data === 'object' &&
  data !== null &&
  ['format', 'signature', 'eventLog', 'chainHead'].some((k) => Object.hasOwn(data, k));

/** Whether a file is meant to be a bundle, even when it no longer parses (one edit can spoil one marker, not all). */
export const looksLikeBundle = (text: string) =>
  [`"${BUNDLE_FORMAT}"`, '"signature": {', '"eventLog": [', '"chainHead": {'].some((m) => text.includes(m));

/**
 * Checks a bundle before anything in it is used: signed, by the configured key, unchanged since, and its event log a
 * whole chain ending at the recorded head. Any failure is a refusal (exit 1) naming what is wrong.
 */
export function checkBundle(path: string, text: string, data: AuditBundle, key: KeyObject | undefined): void {
  const tampered = (why: string) => refused(`${path} is a tampered audit bundle: ${why}; do not trust or replay it`);
  if (!data.signature) throw refused(`${path} is an unsigned audit bundle: nothing proves where it came from`);
  if (!key)
    throw usage(
      `${path} is a signed audit bundle, and no key to check it: set OVOP_VERIFY_KEY_FILE (or pass --public-key)`,
    );
  if (data.signature.algorithm !== 'Ed25519' || data.signature.keyId !== keyId(key))
    throw refused(
      `${path} was signed with key ${data.signature.keyId} (${data.signature.algorithm}), not the verification key ${keyId(key)}`,
    );
  let valid: boolean;
  try {
    valid = verify(null, signedBytes(data), key, Buffer.from(data.signature.value, 'base64'));
  } catch {
    valid = false;
  }
  if (!valid) throw tampered('its signature does not match its content');
  if (serializeBundle(data) !== text) throw tampered('its bytes differ from what ovop audit export wrote');
  const chain = verifyChain(data.eventLog as EventRow[]);
  if (chain.broken) throw tampered(`its event log breaks at link ${chain.broken.chainIndex} (seq ${chain.broken.seq})`);
  if (chain.head !== data.chainHead.hash || chain.length !== data.chainHead.chainIndex)
    throw tampered('its event log does not end at its chain head');
}
