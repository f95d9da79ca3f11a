/**
 * Exit codes of the `ovop` CLI and the one-sentence messages behind them.
 *
 * 0 done · 1 refused (a validator said no; the message says why) · 2 usage (bad flags, actor, files or config) ·
 * 3 server unreachable (Temporal or PostgreSQL; the message names the address tried).
 */
import { WorkflowUpdateFailedError, isGrpcServiceError } from '@temporalio/client';
import { ApplicationFailure, NamespaceNotFoundError, WorkflowNotFoundError } from '@temporalio/common';

export const ExitCode = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface Issue {
  /** Dotted path in a file, a CSV column, or a flag; empty for the input as a whole. */
  path: string;
  message: string;
}

/** An error the CLI reports as it is: its message is meant for people, and `exitCode` is the process's. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    readonly exitCode: ExitCodeValue,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}

export const refused = (message: string) => new CliError(ExitCode.refused, message);
export const usage = (message: string, issues: Issue[] = []) => new CliError(ExitCode.usage, message, issues);
export const unreachable = (message: string) => new CliError(ExitCode.unreachable, message);

/** gRPC status codes that mean the server could not be reached or did not answer in time. */
const UNREACHABLE_GRPC_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);
/** Socket errors that mean a server (PostgreSQL) is not there. */
const UNREACHABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

/** What a failed call was about, so "not found" can say which nomination or cycle. */
export interface Subject {
  kind: 'nomination' | 'cycle' | 'workflow';
  id: string;
}

/** The message of a refusal: the validator's own words, never the SDK's wrapper text. */
export function refusalMessage(err: WorkflowUpdateFailedError): string {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure || cause instanceof Error) return cause.message;
  return err.message;
}

/**
 * Turns whatever a command threw into a CliError. Anything unexpected keeps its message (one line) and exits 1, so a
 * person never sees a stack trace; OVOP_DEBUG=1 shows the original error on stderr.
 */
export function toCliError(err: unknown, ctx: { temporalAddress?: string; subject?: Subject } = {}): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof WorkflowUpdateFailedError) return refused(refusalMessage(err));
  if (err instanceof WorkflowNotFoundError) {
    const subject = ctx.subject ?? { kind: 'workflow', id: err.workflowId };
    return refused(`no ${subject.kind} ${subject.id}`);
  }
  if (err instanceof NamespaceNotFoundError) {
    return usage(
      `namespace ${err.namespace} does not exist on the Temporal server${ctx.temporalAddress ? ` at ${ctx.temporalAddress}` : ''} (check TEMPORAL_NAMESPACE)`,
    );
  }
  const grpc = grpcCodeOf(err);
  if (grpc !== undefined && UNREACHABLE_GRPC_CODES.has(grpc)) {
    return unreachable(
      `the Temporal server${ctx.temporalAddress ? ` at ${ctx.temporalAddress}` : ''} did not answer (${firstLine(err)})`,
    );
  }
  const socket = socketCodeOf(err);
  if (socket && UNREACHABLE_SOCKET_CODES.has(socket)) {
    return unreachable(`cannot reach PostgreSQL${describeDatabase()} (${socket}); check DATABASE_URL`);
  }
  return refused(firstLine(err));
}

function grpcCodeOf(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e)) return e.code;
  }
  return undefined;
}

function socketCodeOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    // pg and node report several addresses of one host as an AggregateError.
    if (e instanceof AggregateError && e.errors.length > 0) return socketCodeOf(e.errors[0]);
  }
  return undefined;
}

/** ` at host:port/db` from DATABASE_URL, without credentials. */
export function describeDatabase(url = process.env.DATABASE_URL): string {
  if (!url) return '';
  try {
    const u = new URL(url);
    return ` at ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return '';
  }
}

export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].trim() || (err instanceof Error ? err.name : 'unknown error');
}
