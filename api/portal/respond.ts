/** How every portal route answers and reads a posted form. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidRequest } from '../errors';
import type { SafeHtml } from './html';

export const send = (reply: FastifyReply, body: SafeHtml, status = 200) =>
  reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body.text);

export const formOf = (req: FastifyRequest) => (req.body ?? {}) as Record<string, string | undefined>;
/** One field of a posted form; a field the page sends once that arrives twice is a forged or broken form (400). */
export function field(req: FastifyRequest, name: string): string {
  const value: unknown = formOf(req)[name];
  if (Array.isArray(value)) throw invalidRequest(`the form sent ${name} more than once; reload the page and try again`);
  return typeof value === 'string' ? value.trim() : '';
}
