/**
 * The embedded SMTP default: nodemailer's smtp-server on loopback, storing every message it receives as an .eml file
 * (embedded/mail-store.ts), so a person can open the mail the engine sent and tests can parse it with mailparser.
 */
import { SMTPServer } from 'smtp-server';
import { MissingPrerequisiteError } from './temporal-cli';
import { portInUse } from './ports';
import { MailStore } from './mail-store';

export interface SmtpSink {
  url: string;
  port: number;
  mailDir: string;
  /** Messages stored since start (re-deliveries of a stored Message-ID not counted). */
  received(): number;
  /** Re-deliveries of an already stored Message-ID since start. */
  redeliveries(): number;
  /** Down for `ms` (the port refuses connections, open ones get "421"), then back on the same port and folder. */
  outage(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/** An SMTP server that hands every message to `store`. */
export function createSinkServer(store: MailStore): SMTPServer {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    // How long close() lets open connections finish before cutting them (default 30 s): an outage ends only then.
    closeTimeout: 5_000,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        try {
          const { file, redelivery } = store.store(Buffer.concat(chunks));
          callback(null, redelivery ? `already stored as ${file}` : `queued as ${file}`);
        } catch (err) {
          callback(err as Error);
        }
      });
      stream.on('error', callback);
    },
  });
  return server;
}

/**
 * Listens on loopback; rejects if the port cannot be had. Once listening, `onClientError` hears the errors of client
 * connections: smtp-server reports a dropped one (a worker killed mid-message, ECONNRESET) as an 'error' event, and
 * unheard, Node would end the whole process over it. The message in flight is simply not stored.
 */
export function listenOn(server: SMTPServer, port: number, onClientError: (err: Error) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      server.on('error', onClientError);
      resolve();
    });
  });
}

export async function startSmtpSink(opts: { port: number; mailDir: string }): Promise<SmtpSink> {
  if (await portInUse(opts.port)) {
    throw new MissingPrerequisiteError(
      `Port ${opts.port} (embedded SMTP server) is already in use: free it or set OVOP_SMTP_PORT.`,
    );
  }
  const store = new MailStore(opts.mailDir);
  const listen = async () => {
    const server = createSinkServer(store);
    await listenOn(server, opts.port, (err) => {
      if (!/ECONNRESET|EPIPE|socket hang up/i.test(err.message)) console.error(`embedded SMTP server: ${err.message}`);
    });
    return server;
  };
  const close = (s: SMTPServer) => new Promise<void>((resolve) => s.close(() => resolve()));
  let server = await listen();
  return {
    url: `smtp://127.0.0.1:${opts.port}`,
    port: opts.port,
    mailDir: opts.mailDir,
    received: () => store.messages,
    redeliveries: () => store.redeliveries,
    async outage(ms) {
      const closed = close(server);
      await new Promise((r) => setTimeout(r, ms));
      await closed;
      server = await listen();
    },
    stop: () => close(server),
  };
}
