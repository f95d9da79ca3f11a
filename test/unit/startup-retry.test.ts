import { describe, expect, it } from 'vitest';
import { MigrationError } from '../../db/migrate';
import { isUnreachable, whileUnreachable } from '../../worker/startup-retry';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('waiting for services at worker start', () => {
  it('knows "not listening yet" from other failures, also behind a migration error', () => {
    expect(isUnreachable(refused())).toBe(true);
    expect(isUnreachable(new MigrationError('Database migration failed', { cause: refused() }))).toBe(true);
    expect(isUnreachable(new Error('the database system is starting up'))).toBe(true);
    expect(isUnreachable(new Error('Failed to connect before the deadline'))).toBe(true);
    expect(isUnreachable(new MigrationError('Database migration 003 failed: relation "x" already exists'))).toBe(false);
    expect(isUnreachable(new Error('password authentication failed for user "ovop"'))).toBe(false);
  });

  it('tries again while unreachable, saying so, and stops at once on anything else', async () => {
    const lines: string[] = [];
    let calls = 0;
    const value = await whileUnreachable(
      'PostgreSQL',
      async () => {
        calls += 1;
        if (calls < 3) throw refused();
        return 'up';
      },
      { firstDelayMs: 5, log: (l) => lines.push(l) },
    );
    expect({ value, calls }).toEqual({ value: 'up', calls: 3 });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^PostgreSQL not reachable yet \(connect ECONNREFUSED 127\.0\.0\.1:5432\); trying again in \d+ s$/,
    );

    let failures = 0;
    await expect(
      whileUnreachable('PostgreSQL', async () => {
        failures += 1;
        throw new Error('password authentication failed');
      }),
    ).rejects.toThrow('password authentication failed');
    expect(failures).toBe(1);
  });

  it('gives up with the last error once the services stayed unreachable too long', async () => {
    let calls = 0;
    await expect(
      whileUnreachable(
        'Temporal',
        async () => {
          calls += 1;
          throw refused();
        },
        { firstDelayMs: 10, giveUpAfterMs: 50, log: () => {} },
      ),
    ).rejects.toThrow('ECONNREFUSED');
    expect(calls).toBeGreaterThan(1);
  });
});
