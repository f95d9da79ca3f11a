/**
 * Replaying recorded histories against workflow code: by default the current `workflows/index.ts`, bundled on the
 * spot; an auditor (or a test) may point at another workflows index or a prebuilt bundle. A replay that takes another
 * path than the history is non-deterministic: the change needs `patched()` before it may be deployed.
 */
import { encodedFailureMessage } from './core-failure';
import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  type ReplayWorkerOptions,
} from '@temporalio/worker';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataConverterOf } from '../common/temporal-connection';
import { prebuiltWorkflowBundle, WORKFLOW_INTERCEPTOR_MODULES } from '../common/workflow-bundle';
import { workflowTracingSinks } from '../common/tracing';
import { AesGcmPayloadCodec } from '../common/payload-codec';
import { payloadKeysFromEnv } from '../common/payload-keys';
import { usage } from './errors';
import { isIsolateTimeout, ReplayTimeoutError } from './replay-pool';
import { describeEvent, type History } from './history';

export interface WorkflowCodeOptions {
  /** Another workflows index (`.ts` or `.js`) or a directory holding `index.ts`. */
  workflows?: string;
  /** A bundle built with `bundleWorkflowCode`. */
  workflowBundle?: string;
}

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const CURRENT_WORKFLOWS = join(REPO_ROOT, 'workflows', 'index.ts');

let runtimeInstalled = false;

/** The SDK logs every replay worker's life to stderr; the CLI reports results itself (OVOP_DEBUG=1 shows the logs). */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const debug = !!process.env.OVOP_DEBUG;
  // Core (Rust) logs go to the console unless forwarded; forwarded, they end in the same silent logger.
  Runtime.install({
    logger: debug ? new DefaultLogger('DEBUG') : new DefaultLogger('ERROR', () => {}),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: debug ? 'DEBUG' : 'ERROR' }), forward: {} },
    },
  });
}

/** The workflow code to replay against, with the payload codec of OVOP_PAYLOAD_KEYS for encrypted histories. */
export function replayOptions(code: WorkflowCodeOptions): { options: ReplayWorkerOptions; source: string } {
  const chosen = workflowCode(code);
  let keys;
  try {
    keys = payloadKeysFromEnv();
  } catch (err) {
    throw usage((err as Error).message);
  }
  const payloadCodec = keys ? new AesGcmPayloadCodec(keys) : undefined;
  return {
    ...chosen,
    options: {
      ...chosen.options,
      dataConverter: dataConverterOf({ payloadCodec }),
      // A traced history's spans are handed to this sink, which drops them: a replay exports nothing.
      sinks: workflowTracingSinks(null),
    },
  };
}

function workflowCode(code: WorkflowCodeOptions): { options: ReplayWorkerOptions; source: string } {
  if (code.workflows && code.workflowBundle) throw usage('give --workflows or --workflow-bundle, not both');
  if (code.workflowBundle) {
    const path = resolve(code.workflowBundle);
    if (!existsSync(path)) throw usage(`workflow bundle ${code.workflowBundle} does not exist`);
    return { options: { workflowBundle: { codePath: path }, replayName: 'ovop-audit' }, source: path };
  }
  // The compiled CLI (dist/) has no workflows/index.ts beside it: its current workflow code is the build's bundle.
  const built = code.workflows ? undefined : prebuiltWorkflowBundle();
  if (built) {
    return {
      options: { workflowBundle: { codePath: built }, replayName: 'ovop-audit' },
      source: `the built workflows (${built})`,
    };
  }
  let path = code.workflows ? resolve(code.workflows) : CURRENT_WORKFLOWS;
  if (code.workflows) {
    if (!existsSync(path)) throw usage(`workflows ${code.workflows} do not exist`);
    if (statSync(path).isDirectory()) path = join(path, 'index.ts');
    if (!existsSync(path)) throw usage(`${code.workflows} has no index.ts`);
  }
  return {
    options: {
      workflowsPath: path,
      replayName: 'ovop-audit',
      interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
      bundlerOptions: {
        // Workflows kept outside this checkout (an auditor's copy, a test's modified copy) still resolve
        // @temporalio/workflow and the other packages from this installation.
        webpackConfigHook: (config) => ({
          ...config,
          resolve: {
            ...config.resolve,
            modules: [...(config.resolve?.modules ?? ['node_modules']), join(REPO_ROOT, 'node_modules')],
          },
        }),
      },
    },
    source: path === CURRENT_WORKFLOWS ? 'the current workflows (workflows/index.ts)' : path,
  };
}

/**
 * The same options with the workflow code bundled once, so that several replay workers (replay-pool.ts) share one
 * bundle instead of each building its own.
 */
export async function withPrebuiltBundle(options: ReplayWorkerOptions, source: string): Promise<ReplayWorkerOptions> {
  if (options.workflowBundle || !options.workflowsPath) return options;
  const { workflowsPath, bundlerOptions, interceptors, ...rest } = options;
  const { workflowModules, ...otherInterceptors } = interceptors ?? {};
  try {
    const { code } = await bundleWorkflowCode({
      workflowsPath,
      workflowInterceptorModules: workflowModules,
      ...bundlerOptions,
      logger: new DefaultLogger('ERROR', () => {}),
    });
    return { ...rest, interceptors: otherInterceptors, workflowBundle: { code } };
  } catch (err) {
    throw bundleError(err, source);
  }
}

/** The SHA-256 of the bundled workflow code a replay runs (the release a stored verdict is for). */
export async function bundleSha256(options: ReplayWorkerOptions): Promise<string> {
  const bundle = options.workflowBundle;
  if (!bundle) throw new Error('the workflow code is not bundled yet (withPrebuiltBundle)');
  const code = 'code' in bundle ? bundle.code : await readFile(bundle.codePath, 'utf8');
  return createHash('sha256').update(code).digest('hex');
}

export interface ReplayVerdict {
  ok: boolean;
  /** `timed out`: the replay did not finish within its deadline; not a verdict on the code (never stored). */
  kind?: 'non-deterministic' | 'replay failed' | 'timed out' | 'missing' | 'archive changed';
  message?: string;
  /** The first history event the code does not agree with, when the SDK names it. */
  divergesAt?: { eventId: number; event?: string };
}

/** The verdict of one replay, from the error the SDK threw or reported (none: it replayed). */
export function verdictOf(error: unknown, history?: History): ReplayVerdict {
  if (!error) return { ok: true };
  if (error instanceof ReplayTimeoutError) return { ok: false, kind: 'timed out', message: error.message };
  if (isIsolateTimeout(error))
    return {
      ok: false,
      kind: 'timed out',
      message:
        "a workflow activation ran past the replay worker's isolateExecutionTimeout (a busy machine, or code that never yields); the code was not judged on this history",
    };
  const err = error as Error;
  const full = (err.message ?? String(error)).replace(/\s+/g, ' ').trim();
  // Core wraps its finding in a long debug rendering; its own message is the readable part.
  const inner = /message: "((?:[^"\\]|\\.)+)"/.exec(full)?.[1];
  // A workflow task failure written by the engine's failure converter carries its message encoded (core-failure.ts).
  const decoded = inner === 'Encoded failure' ? encodedFailureMessage(full) : undefined;
  const message = decoded ?? (inner ? inner.replace(/^\[TMPRL\d+\]\s*/, '') : full);
  const kind =
    err.name === 'DeterminismViolationError' || /nondetermin/i.test(full) ? 'non-deterministic' : 'replay failed';
  const m = /HistoryEvent\(\s*id:\s*(\d+)/i.exec(full) ?? /event(?:[ _]id)?[ :#]+(\d+)/i.exec(full);
  const eventId = m ? Number(m[1]) : undefined;
  return {
    ok: false,
    kind,
    message,
    ...(eventId !== undefined
      ? { divergesAt: { eventId, event: history ? describeEvent(history, eventId) : undefined } }
      : {}),
  };
}

export function verdictText(v: ReplayVerdict): string {
  if (v.ok) return 'OK';
  const at = v.divergesAt
    ? ` at event ${v.divergesAt.eventId}${v.divergesAt.event ? ` (${v.divergesAt.event})` : ''}`
    : '';
  return `${v.kind}${at}: ${v.message}`;
}

/** Turns a bundling failure (a broken alternative workflows index) into a usage error. */
export function bundleError(err: unknown, source: string): Error {
  const text = (err as Error)?.message ?? String(err);
  if (/webpack|bundl|Module not found|Can't resolve/i.test(text))
    return usage(`cannot build the workflow code from ${source}: ${text.split('\n')[0]}`);
  return err as Error;
}
