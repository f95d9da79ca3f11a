/**
 * The API's errors: every refusal is JSON `{ code, message }`, where `code` is stable (clients branch on it) and
 * `message` is one sentence for people, in the style of the CLI and the workflow validators.
 */
export const ERROR_CODES = [
  'invalid_request', // 400: the body, query or path does not match the schema (unknown fields included)
  'signed_out', // 401: no session cookie and no token
  'session_invalid', // 401: the session ended, expired or is unknown
  'token_invalid', // 401: no such API token
  'token_revoked', // 401
  'token_expired', // 401
  'user_disabled', // 401
  'link_invalid', // 401: no such sign-in link
  'link_used', // 401: the link was used already
  'link_expired', // 401
  'oidc_failed', // 401: the single sign-on answer did not check out (state, code, token) or the sign-in was not started here
  'csrf_invalid', // 403: a state-changing request on a session cookie without its CSRF token
  'forbidden', // 403: the signed-in user may not do this (role, region, assignment)
  'not_found', // 404
  'upload_incomplete', // 400: the client stopped sending before the whole file arrived
  'too_large', // 413: an upload over its cycle's size limit
  'unsupported_type', // 415: an upload declared as a type documents may not have (PDF, JPEG, PNG)
  'content_mismatch', // 422: an upload whose content is not the type it was declared as
  'refused', // 409: the workflow's validator refused the action (wrong stage, a second identical action…)
  'nomination_closed', // 409: the nomination's workflow has ended
  'rate_limited', // 429
  'unavailable', // 503: Temporal or PostgreSQL did not answer, or no worker took the action up in time
  'accepted', // 202, not a refusal: the workflow accepted the action and is still applying it; its result shows on the
  //             nomination (or cycle) shortly
  'internal', // 500
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A workflow refusal's stable rule and the values its message names (workflows/validation.ts), for a `refused`. */
export interface RefusalRule {
  rule: string;
  params?: Record<string, string | number>;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    /** Sent beside `code` and `message` as `rule` and `params`, so a client can word it in its reader's language. */
    readonly refusal?: RefusalRule,
  ) {
    super(message);
  }
}

export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const refused = (message: string) => new ApiError(409, 'refused', message);
export const invalidRequest = (message: string) => new ApiError(400, 'invalid_request', message);
