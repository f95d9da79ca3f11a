/** An error with its chain of causes (Temporal wraps gRPC and failure details in `cause`), for the bench's logs. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let stack = '';
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 6; depth++) {
    if (e instanceof Error) {
      const extra = e as Error & { code?: unknown; details?: unknown; type?: unknown };
      const tags = [
        extra.code !== undefined ? `code=${String(extra.code)}` : '',
        typeof extra.details === 'string' && !e.message.includes(extra.details) ? `details=${extra.details}` : '',
        extra.type ? `type=${String(extra.type)}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      parts.push(`${e.name}: ${e.message}${tags ? ` [${tags}]` : ''}`);
      if (depth === 0 && e.stack) stack = e.stack.split('\n').slice(1, 6).join('\n');
      e = e.cause;
    } else {
      parts.push(String(e));
      break;
    }
  }
  return parts.join('\n  caused by: ') + (stack ? `\n${stack}` : '');
}
