/**
 * Where a sign-in leads back to: a path of this site only (`/n/…`, `/nominasi/…`), never another origin (`//host`,
 * `/\host` or a full URL), so a link cannot make the sign-in an open redirect.
 */
import { z } from 'zod';

const NEXT_PATH = /^\/(?![/\\])[^\s]*$/;

export const NextPath = z.string().regex(NEXT_PATH, 'a path of this site, such as /dinas').max(500);

/** The path when it is one of this site's, else undefined. */
export const safeNext = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length <= 500 && NEXT_PATH.test(value) ? value : undefined;
