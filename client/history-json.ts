/**
 * Workflow histories to and from Temporal's JSON history format.
 *
 * `historyToJSON` / `historyFromJSON` of `@temporalio/common/lib/proto-utils` are used first. In this installation they
 * throw "type must be a Type": npm placed a separate protobufjs copy under @temporalio/common and under
 * @temporalio/proto, and protojson refuses a message type built by the other copy. The fallback does the same
 * conversion with the protobufjs copy that @temporalio/proto itself loads (so a deduplicated install never needs it).
 */
import {
  historyFromJSON as sdkHistoryFromJSON,
  historyToJSON as sdkHistoryToJSON,
} from '@temporalio/common/lib/proto-utils.js';
import { createRequire } from 'node:module';
import type { History } from './history';

const require = createRequire(import.meta.url);

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): History | null;
}

let local: { historyType: { fromObject(o: unknown): unknown }; protojson: ProtoJson } | undefined;

function localProtoJson() {
  if (!local) {
    const protoEntry = require.resolve('@temporalio/proto');
    const protojson = createRequire(protoEntry)('protobufjs/ext/protojson') as ProtoJson;
    const proto = require('@temporalio/proto');
    const { patchProtobufRoot } = require('@temporalio/proto/lib/patch-protobuf-root') as {
      patchProtobufRoot(root: unknown): { lookupType(name: string): never };
    };
    local = { historyType: patchProtobufRoot(proto).lookupType('temporal.api.history.v1.History'), protojson };
  }
  return local;
}

const isTypeMismatch = (err: unknown) => err instanceof TypeError && /must be a Type/.test(err.message);

export function historyToJSON(history: History): string {
  try {
    return sdkHistoryToJSON(history);
  } catch (err) {
    if (!isTypeMismatch(err)) throw err;
    const { historyType, protojson } = localProtoJson();
    return JSON.stringify(protojson.toJson(historyType, historyType.fromObject(history)), null, 2);
  }
}

export function historyFromJSON(json: unknown): History {
  try {
    return sdkHistoryFromJSON(json);
  } catch (err) {
    if (!isTypeMismatch(err)) throw err;
    const { historyType, protojson } = localProtoJson();
    const loaded = protojson.fromJson(historyType, fixEnums(json), { ignoreUnknownFields: true });
    if (!loaded) throw new TypeError('Invalid history', { cause: err });
    return loaded;
  }
}

/**
 * The SDK's tolerance for histories written by older tools, which spelled enum values in PascalCase
 * (`WorkflowExecutionStarted` for `EVENT_TYPE_WORKFLOW_EXECUTION_STARTED`).
 */
function fixEnums(history: unknown): unknown {
  const h = history as { events?: unknown };
  if (typeof history !== 'object' || history === null || !Array.isArray(h.events)) {
    throw new TypeError('Invalid history, expected an object with an array of events');
  }
  const constantCase = (s: string) => s.replace(/[^\b][A-Z]/g, (m) => `${m[0]}_${m[1]}`).toUpperCase();
  const fix = (obj: Record<string, unknown> | undefined, attr: string, prefix: string) => {
    const value = obj?.[attr];
    return typeof value === 'string' && !value.startsWith(prefix) ? { [attr]: `${prefix}_${constantCase(value)}` } : {};
  };
  return {
    events: (h.events as Record<string, unknown>[]).map((e) => {
      const key = Object.keys(e).find((k) => k.endsWith('EventAttributes'));
      if (!key) throw new TypeError(`Missing attributes in history event: ${JSON.stringify(e).slice(0, 200)}`);
      const a = (e[key] ?? {}) as Record<string, unknown> & { taskQueue?: Record<string, unknown> };
      return {
        ...e,
        ...fix(e, 'eventType', 'EVENT_TYPE'),
        [key]: {
          ...a,
          ...(a.taskQueue ? { taskQueue: { ...a.taskQueue, ...fix(a.taskQueue, 'kind', 'TASK_QUEUE_KIND') } } : {}),
          ...fix(a, 'parentClosePolicy', 'PARENT_CLOSE_POLICY'),
          ...fix(a, 'workflowIdReusePolicy', 'WORKFLOW_ID_REUSE_POLICY'),
          ...fix(a, 'initiator', 'CONTINUE_AS_NEW_INITIATOR'),
          ...fix(a, 'retryState', 'RETRY_STATE'),
        },
      };
    }),
  };
}
