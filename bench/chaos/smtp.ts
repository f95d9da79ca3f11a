/**
 * The SMTP server of the chaos run, in this process: the embedded sink's server and mail store (embedded/
 * smtp-sink.ts, mail-store.ts), taken down for a while and brought back on the same port and store. While it is down
 * the port refuses connections, and the worker's pooled connections get "421 Server shutting down" on their next
 * command. Client connection errors (ECONNRESET from a SIGKILLed worker, mostly) are counted.
 */
import type { SMTPServer } from 'smtp-server';
import { freePort } from '../../embedded/ports';
import { MailStore } from '../../embedded/mail-store';
import { createSinkServer, listenOn } from '../../embedded/smtp-sink';

export class ChaosSmtp {
  private server: SMTPServer | null = null;
  /** Client connections that ended in an error (ECONNRESET from killed workers, mostly). */
  connectionErrors = 0;

  private readonly store: MailStore;

  private constructor(
    readonly port: number,
    readonly mailDir: string,
  ) {
    this.store = new MailStore(mailDir);
  }

  static async start(mailDir: string): Promise<ChaosSmtp> {
    const s = new ChaosSmtp(await freePort(), mailDir);
    await s.listen();
    return s;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  get up(): boolean {
    return this.server !== null;
  }

  /** Messages stored over all the server's lives. */
  get messages(): number {
    return this.store.messages;
  }

  /** Re-deliveries of a stored Message-ID (not stored again) over all the server's lives. */
  get redeliveries(): number {
    return this.store.redeliveries;
  }

  private async listen(): Promise<void> {
    const server = createSinkServer(this.store);
    await listenOn(server, this.port, () => {
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
