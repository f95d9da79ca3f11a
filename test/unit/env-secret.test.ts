import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSecret, envSecretIsSet } from '../../common/env-secret';

describe('a secret setting from the environment or a file (NAME_FILE)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ovop-env-secret-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };

  it('reads the value, or the file without its final line break, or nothing', () => {
    expect(envSecret('DATABASE_URL', { DATABASE_URL: 'postgres://a@h/db' })).toBe('postgres://a@h/db');
    const url = file('url', 'postgres://ovop:s3cret@db:5432/ovop\n');
    expect(envSecret('DATABASE_URL', { DATABASE_URL_FILE: url })).toBe('postgres://ovop:s3cret@db:5432/ovop');
    expect(envSecret('DATABASE_URL', { DATABASE_URL_FILE: file('crlf', 'smtp://x\r\n') })).toBe('smtp://x');
    expect(envSecret('DATABASE_URL', {})).toBeUndefined();
    expect(envSecret('DATABASE_URL', { DATABASE_URL: '  ' })).toBeUndefined();
    expect(envSecretIsSet('DATABASE_URL', { DATABASE_URL_FILE: url })).toBe(true);
    expect(envSecretIsSet('DATABASE_URL', {})).toBe(false);
  });

  it('refuses both at once, an unreadable file and an empty one, naming the setting and never the value', () => {
    const url = file('url2', 'postgres://ovop:s3cret@db/ovop');
    expect(() => envSecret('DATABASE_URL', { DATABASE_URL: 'postgres://x', DATABASE_URL_FILE: url })).toThrow(
      'set DATABASE_URL or DATABASE_URL_FILE, not both',
    );
    const missing = join(dir, 'missing');
    expect(() => envSecret('SMTP_URL', { SMTP_URL_FILE: missing })).toThrow(
      `SMTP_URL_FILE: cannot read ${missing} (ENOENT)`,
    );
    const empty = file('empty', '\n');
    expect(() => envSecret('OVOP_API_SECRET', { OVOP_API_SECRET_FILE: empty })).toThrow(
      `OVOP_API_SECRET_FILE: ${empty} is empty`,
    );
  });
});
