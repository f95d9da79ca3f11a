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
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 5,
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
