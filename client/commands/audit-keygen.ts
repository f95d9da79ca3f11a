/**
 * `ovop audit keygen --out keys/ovop-signing.pem`: a new Ed25519 key pair for signing audit bundles — the private key
 * (PEM, PKCS#8, readable by its owner only) where --out says and the public key beside it as `<name>.pub.pem`. Never
 * overwrites a key: a deployment's old bundles verify only with the public key they were signed with.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { keyId } from '../audit-bundle';
import type { Context, Outcome } from '../context';
import { firstLine, usage } from '../errors';

export function auditKeygen(_ctx: Context, opts: { out: string }): Promise<Outcome> {
  const publicOut = `${opts.out.replace(/\.pem$/, '')}.pub.pem`;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  for (const [file, pem, mode] of [
    [opts.out, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600],
    [publicOut, publicKey.export({ type: 'spki', format: 'pem' }) as string, 0o644],
  ] as const) {
    try {
      writeFileSync(file, pem, { mode, flag: 'wx' });
    } catch (err) {
      const why =
        (err as NodeJS.ErrnoException).code === 'EEXIST' ? 'it exists (a key is never overwritten)' : firstLine(err);
      throw usage(`cannot write ${file}: ${why}`);
    }
  }
  const id = keyId(publicKey);
  return Promise.resolve({
    json: { keyId: id, privateKey: opts.out, publicKey: publicOut },
    text: [
      `Wrote the Ed25519 signing key ${id} to ${opts.out} (keep it secret) and its public key to ${publicOut}.`,
      `Sign exports with OVOP_SIGNING_KEY_FILE=${opts.out}; check them elsewhere with OVOP_VERIFY_KEY_FILE=${publicOut}.`,
    ].join('\n'),
  });
}
