/**
 * A TCP relay between the chaos slice's worker process and the test run's shared SMTP sink. Mail still lands in the
 * shared sink's folder; what the relay adds is that a SIGKILLed worker's connection reset (ECONNRESET) ends at the
 * relay, which closes its own connection to the sink gracefully. The embedded sink (worker/local/smtp-sink.ts) has no
 * 'error' listener on its SMTPServer, so a reset reaching it would crash the process that hosts it: vitest's
 * globalSetup, i.e. the whole test run.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface SmtpRelay {
  url: string;
  stop(): Promise<void>;
}

export async function startSmtpRelay(targetUrl: string): Promise<SmtpRelay> {
  const target = new URL(targetUrl);
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    open.add(client);
    open.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    // The worker died (reset) or hung up: drain what the sink still sends and hang up on it politely (FIN, not RST).
    const release = () => {
      client.unpipe(upstream);
      upstream.unpipe(client);
      upstream.resume();
      upstream.end();
      client.destroy();
    };
    client.on('error', release);
    client.on('close', release);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    client.on('close', () => open.delete(client));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.end();
        server.close(() => resolve());
        setTimeout(() => {
          for (const s of open) s.destroy();
        }, 2_000).unref();
      }),
  };
}
