/**
 * The API's settings: where it is reached, how long a sign-in link, a session and a token live, and the rate limits.
 * Defaults suit the embedded stack; `npm run api` reads the OVOP_API_* and OVOP_SIGNIN_* variables (docs/api.md), and
 * where documents are stored from OVOP_DOCUMENT_STORAGE and OVOP_S3_* (db/document-storage.ts).
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { DEFAULT_REPLAY_TIMEOUT_SECONDS } from '../client/replay-deadline';
import { envNumber, positive } from '../common/env-number';
import { envSecret } from '../common/env-secret';
import { documentStorageFromEnv, type DocumentStorageSettings } from '../db/document-storage';

export interface ApiOptions {
  /** The URL people reach the API at (links in mails point here); https makes the session cookie Secure. */
  publicUrl: string;
  /** A sign-in link expires this many minutes after it is mailed. */
  linkTtlMinutes: number;
  sessionTtlHours: number;
  /** An API token's default and longest life. */
  tokenTtlDays: number;
  maxTokenTtlDays: number;
  /** Key of the CSRF tokens (HMAC of the session id); random per process when not set, so a restart asks clients to
   * fetch their token again from GET /api/session. */
  secret: string;
  rateLimits: {
    /** Sign-in requests (asking for a link, using one) per minute from one address. */
    signInPerMinute: number;
    /** Actions (Updates) per minute by one user. */
    actionsPerMinute: number;
  };
  /** Where uploaded documents are stored: PostgreSQL, or an S3-compatible bucket (OVOP_DOCUMENT_STORAGE, OVOP_S3_*). */
  documentStorage: DocumentStorageSettings;
  /** Where an upload is received in full before it is stored (a temporary folder per upload, deleted after). */
  uploadDir: string;
  /** A stored file that no nomination recorded this many hours after its upload is deleted (an API that stopped
   * between storing a file and its Update); long enough for the projection to record the files that were taken. */
  unrecordedUploadHours: number;
  /**
   * How long an action waits for its workflow to take it up (a worker runs its validator), answering 503 after that,
   * and then for its result, answering 202 (accepted, being applied) after that.
   */
  actionWaits: { acceptSeconds: number; resultSeconds: number };
  /** Log every request (pino) to stdout; the tests and the demo keep it quiet. */
  logRequests: boolean;
  /** OVOP_API_LOG=debug: debug lines too (each replay's start, api/replayer.ts), besides the requests. */
  logDebug?: boolean;
  /** Single sign-on by OpenID Connect (routes/oidc.ts), when OVOP_OIDC_ISSUER is set. */
  oidc?: OidcOptions;
  /** Origins whose pages may call the payload codec endpoint (the Temporal Web UI's); OVOP_CODEC_CORS_ORIGINS. */
  codecCorsOrigins?: string[];
  /** The workflow bundle the auditor's replays run on (OVOP_WORKFLOW_BUNDLE); the build's, else bundled from source. */
  workflowBundlePath?: string;
  /** One replay's deadline for a history of up to 1,000 events, longer ones in proportion (OVOP_REPLAY_TIMEOUT_SECONDS):
   * past it the run is left undecided and the replay worker replaced (client/replay-deadline.ts). */
  replayTimeoutSeconds: number;
}

export interface OidcOptions {
  /** The provider's issuer URL; its discovery document is read at the first sign-in. */
  issuer: string;
  clientId: string;
  /** Absent for a public client (PKCE alone). */
  clientSecret?: string;
  /** Where the provider sends the browser back; `<publicUrl>/api/sign-in/oidc/callback` when not set. */
  redirectUrl?: string;
  scope: string;
  /**
   * How a sign-in finds its user: `subject` (default) by the provider's subject, stored when the user first signs in by
   * its verified address; `email` by the verified address at every sign-in (for a provider whose subjects change).
   */
  match?: 'subject' | 'email';
}

function oidcFromEnv(env: NodeJS.ProcessEnv): OidcOptions | undefined {
  const issuer = env.OVOP_OIDC_ISSUER?.trim();
  if (!issuer) return undefined;
  const clientId = env.OVOP_OIDC_CLIENT_ID?.trim();
  if (!clientId) throw new Error('OVOP_OIDC_CLIENT_ID must be set with OVOP_OIDC_ISSUER');
  return {
    issuer,
    clientId,
    clientSecret: envSecret('OVOP_OIDC_CLIENT_SECRET', env),
    redirectUrl: env.OVOP_OIDC_REDIRECT_URL || undefined,
    scope: env.OVOP_OIDC_SCOPE || 'openid email',
    match: oidcMatchFrom(env.OVOP_OIDC_MATCH),
  };
}

function oidcMatchFrom(text: string | undefined): 'subject' | 'email' {
  const value = text?.trim() || 'subject';
  if (value !== 'subject' && value !== 'email')
    throw new Error(`OVOP_OIDC_MATCH must be subject or email, not "${text}"`);
  return value;
}

const numberFrom = (env: NodeJS.ProcessEnv, name: string, fallback: number) =>
  envNumber(env, name, fallback, positive());

export function apiOptionsFromEnv(env: NodeJS.ProcessEnv, defaults: Partial<ApiOptions> = {}): ApiOptions {
  const port = env.OVOP_API_PORT ?? '8080';
  return {
    publicUrl: (env.OVOP_API_URL ?? defaults.publicUrl ?? `http://127.0.0.1:${port}`).replace(/\/$/, ''),
    linkTtlMinutes: numberFrom(env, 'OVOP_SIGNIN_LINK_MINUTES', defaults.linkTtlMinutes ?? 15),
    sessionTtlHours: numberFrom(env, 'OVOP_SESSION_HOURS', defaults.sessionTtlHours ?? 12),
    tokenTtlDays: numberFrom(env, 'OVOP_TOKEN_DAYS', defaults.tokenTtlDays ?? 90),
    maxTokenTtlDays: numberFrom(env, 'OVOP_TOKEN_MAX_DAYS', defaults.maxTokenTtlDays ?? 365),
    secret: envSecret('OVOP_API_SECRET', env) ?? defaults.secret ?? randomBytes(32).toString('hex'),
    rateLimits: {
      signInPerMinute: numberFrom(env, 'OVOP_SIGNIN_PER_MINUTE', defaults.rateLimits?.signInPerMinute ?? 10),
      actionsPerMinute: numberFrom(env, 'OVOP_ACTIONS_PER_MINUTE', defaults.rateLimits?.actionsPerMinute ?? 120),
    },
    documentStorage: documentStorageFromEnv(env, defaults.documentStorage),
    uploadDir: env.OVOP_UPLOAD_DIR ?? defaults.uploadDir ?? tmpdir(),
    unrecordedUploadHours: numberFrom(env, 'OVOP_UNRECORDED_UPLOAD_HOURS', defaults.unrecordedUploadHours ?? 24),
    actionWaits: {
      acceptSeconds: numberFrom(env, 'OVOP_ACTION_ACCEPT_SECONDS', defaults.actionWaits?.acceptSeconds ?? 60),
      resultSeconds: numberFrom(env, 'OVOP_ACTION_RESULT_SECONDS', defaults.actionWaits?.resultSeconds ?? 10),
    },
    logRequests: defaults.logRequests ?? env.OVOP_API_LOG !== 'off',
    logDebug: defaults.logDebug ?? env.OVOP_API_LOG === 'debug',
    oidc: oidcFromEnv(env) ?? defaults.oidc,
    workflowBundlePath: env.OVOP_WORKFLOW_BUNDLE?.trim() || defaults.workflowBundlePath,
    replayTimeoutSeconds: numberFrom(
      env,
      'OVOP_REPLAY_TIMEOUT_SECONDS',
      defaults.replayTimeoutSeconds ?? DEFAULT_REPLAY_TIMEOUT_SECONDS,
    ),
  };
}
