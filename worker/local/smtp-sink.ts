/**
 * The embedded SMTP default: nodemailer's smtp-server on loopback, storing every message it receives as an .eml file,
 * so a person can open the mail the engine sent and tests can parse it with mailparser.
 */
import { SMTPServer } from 'smtp-server';
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { MissingPrerequisiteError } from './temporal-cli';
import { portInUse } from './ports';

export interface SmtpSink {
  url: string;
  mailDir: string;
  /** Messages accepted since start. */
  received(): number;
  stop(): Promise<void>;
}

export async function startSmtpSink(opts: { port: number; mailDir: string }): Promise<SmtpSink> {
  if (await portInUse(opts.port)) {
    throw new MissingPrerequisiteError(`Port ${opts.port} (embedded SMTP server) is already in use: free it or set OVOP_SMTP_PORT.`);
  }
  mkdirSync(opts.mailDir, { recursive: true });
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`;
        // Write then rename, so a reader never sees half a message.
        const tmp = join(opts.mailDir, `.${name}.tmp`);
        writeFileSync(tmp, Buffer.concat(chunks));
        renameSync(tmp, join(opts.mailDir, name));
        count += 1;
        callback(null, `queued as ${name}`);
      });
      stream.on('error', callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  // smtp-server reports a client's dropped connection (a worker killed mid-message, ECONNRESET) as an 'error' event;
  // unheard, Node would end the whole process over it. The message in flight is simply not stored.
  server.on('error', (err: Error) => {
    if (!/ECONNRESET|EPIPE|socket hang up/i.test(err.message)) console.error(`embedded SMTP server: ${err.message}`);
  });
  return {
    url: `smtp://127.0.0.1:${opts.port}`,
    mailDir: opts.mailDir,
    received: () => count,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
