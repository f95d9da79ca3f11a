/**
 * The worker's log: the SDK's logger, which the workflows' and activities' `log` reaches with the ids the SDK knows
 * (workflowId, runId, workflowType, taskQueue, namespace; activityId and activityType in an activity). With
 * OVOP_LOG_FORMAT=json each entry is one JSON object a line on standard output, for a log collector; otherwise the
 * SDK's own human-readable lines on standard error, what a newcomer reads in a terminal.
 */
import { DefaultLogger, type LogEntry } from '@temporalio/worker';

export type LogFormat = 'text' | 'json';

/** OVOP_LOG_FORMAT: text (the default) or json; anything else stops the process (exit 2) before it connects. */
export function logFormatOf(env: NodeJS.ProcessEnv = process.env): LogFormat {
  const value = env.OVOP_LOG_FORMAT?.trim() || 'text';
  if (value === 'text' || value === 'json') return value;
  console.error(`OVOP_LOG_FORMAT is text or json, not "${value}"`);
  process.exit(2);
}

/** One entry as a JSON line: time (ISO 8601, UTC), level, msg, then the SDK's metadata fields. */
export function jsonLogLine(entry: LogEntry): string {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  return `${JSON.stringify({ time, level: entry.level.toLowerCase(), msg: entry.message, ...entry.meta }, jsonSafe)}\n`;
}

/** Errors keep their name, message and stack (JSON.stringify would write `{}`); bigints become strings. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

export function workerLogger(format: LogFormat, write: (line: string) => void = (l) => process.stdout.write(l)) {
  return format === 'json'
    ? new DefaultLogger('INFO', (entry) => write(jsonLogLine(entry)))
    : new DefaultLogger('INFO');
}
