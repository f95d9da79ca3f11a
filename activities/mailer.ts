/** One pooled nodemailer transport per worker process, to SMTP_URL or the embedded sink. */
import nodemailer, { type Transporter } from 'nodemailer';

export interface Mailer {
  from: string;
  transport: Transporter;
  close(): void;
}

export function createMailer(smtpUrl: string, from = 'Penghargaan OVOP <no-reply@ovop.kemenperin.example>'): Mailer {
  const url = new URL(smtpUrl);
  // Pooled: a burst of reminders (one per kabupaten/kota) reuses a few open connections instead of one per message.
  // Ten by default (bench/README.md has the burst figures); `?maxConnections=N` in SMTP_URL for a relay that allows
  // fewer or more per client.
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: maxConnectionsOf(url),
    maxMessages: Infinity,
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // The embedded sink and Mailpit speak plain SMTP on loopback; real servers negotiate STARTTLS when offered.
    ignoreTLS: url.searchParams.get('tls') === 'off',
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return { from, transport, close: () => transport.close() };
}

function maxConnectionsOf(url: URL): number {
  const text = url.searchParams.get('maxConnections');
  if (text === null) return 10;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100)
    throw new Error(`SMTP_URL maxConnections must be a whole number from 1 to 100, not "${text}"`);
  return n;
}
