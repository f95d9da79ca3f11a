/**
 * The SMTP server of the chaos run, in this process: nodemailer's smtp-server storing every message as an .eml file,
 * exactly as worker/local/smtp-sink.ts does (same file names, written then renamed), taken down for a while and brought
 * back on the same port. While it is down the port refuses connections, and the worker's pooled connections get
 * "421 Server shutting down" on their next command.
 *
 * It is not worker/local/smtp-sink.ts itself because that sink has no 'error' listener on its SMTPServer: a client
 * that dies mid-connection (a SIGKILLed worker, whose kernel answers with a reset) makes the server emit 'error'
 * (ECONNRESET) and the process hosting the sink crashes. Here that error is counted and ignored.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../worker/local/ports';

export class ChaosSmtp {
  private server: SMTPServer | null = null;
  private accepted = 0;
  /** Client connections that ended in an error (ECONNRESET from killed workers, mostly). */
  connectionErrors = 0;

  private constructor(
    readonly port: number,
    readonly mailDir: string,
  ) {}

  static async start(mailDir: string): Promise<ChaosSmtp> {
    const s = new ChaosSmtp(await freePort(), mailDir);
    mkdirSync(mailDir, { recursive: true });
    await s.listen();
    return s;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  get up(): boolean {
    return this.server !== null;
  }

  /** Messages accepted over all the server's lives. */
  get messages(): number {
    return this.accepted;
  }

  private async listen(): Promise<void> {
    const mailDir = this.mailDir;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: 10 * 1024 * 1024,
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`;
          const tmp = join(mailDir, `.${name}.tmp`);
          writeFileSync(tmp, Buffer.concat(chunks));
          renameSync(tmp, join(mailDir, name));
          this.accepted += 1;
          callback(null, `queued as ${name}`);
        });
        stream.on('error', callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => {
      this.connectionErrors += 1;
    });
    this.server = server;
  }

  private close(server: SMTPServer): Promise<void> {
    // close() stops listening at once; open connections are refused from their next command and cut after 30 s.
    return new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Down for `ms`, then back on the same port and folder. */
  async outage(ms: number): Promise<void> {
    const server = this.server!;
    this.server = null;
    const closed = this.close(server);
    await new Promise((r) => setTimeout(r, ms));
    await closed;
    await this.listen();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await this.close(server);
  }
}
