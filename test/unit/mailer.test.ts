import { describe, expect, it } from 'vitest';
import { createMailer } from '../../activities/mailer';

describe('the pooled mailer', () => {
  it('opens ten connections at most unless SMTP_URL says otherwise', () => {
    const options = (url: string) => {
      const mailer = createMailer(url);
      const o = (mailer.transport as unknown as { options: { maxConnections: number; host: string; port: number } })
        .options;
      mailer.close();
      return { maxConnections: o.maxConnections, host: o.host, port: o.port };
    };
    expect(options('smtp://127.0.0.1:2525')).toEqual({ maxConnections: 10, host: '127.0.0.1', port: 2525 });
    expect(options('smtp://relay.kemenperin.example:587?maxConnections=3')).toEqual({
      maxConnections: 3,
      host: 'relay.kemenperin.example',
      port: 587,
    });
  });

  it('refuses a maxConnections that is not a whole number from 1 to 100', () => {
    for (const bad of ['0', '2.5', 'banyak', '101']) {
      expect(() => createMailer(`smtp://127.0.0.1:2525?maxConnections=${bad}`)).toThrow(
        `SMTP_URL maxConnections must be a whole number from 1 to 100, not "${bad}"`,
      );
    }
  });
});
