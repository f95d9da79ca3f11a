/**
 * Temporal connection settings from the environment through @temporalio/envconfig (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE / config file), shared by the worker and CLI,
 * with the payload codec of OVOP_PAYLOAD_KEYS / OVOP_PAYLOAD_KEYS_FILE (common/payload-codec.ts) when one is set.
 */
import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { AesGcmPayloadCodec } from './payload-codec';
import { activeTracing } from './tracing';
import { payloadKeysFromEnv } from './payload-keys';

export const DEFAULT_TASK_QUEUE = 'ovop-nominations';

export interface TemporalSettings {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
  address: string;
  /** Encrypts every payload this process writes and decrypts what it reads; undefined: payloads stay plain JSON. */
  payloadCodec?: PayloadCodec;
}

export function temporalSettings(
  overrides: { address?: string; namespace?: string; env?: NodeJS.ProcessEnv } = {},
): TemporalSettings {
  const loaded = loadClientConnectConfig();
  const address = overrides.address ?? loaded.connectionOptions.address ?? 'localhost:7233';
  const keys = payloadKeysFromEnv(overrides.env);
  return {
    connectionOptions: { ...loaded.connectionOptions, address },
    namespace: overrides.namespace ?? loaded.namespace ?? 'default',
    address,
    payloadCodec: keys ? new AesGcmPayloadCodec(keys) : undefined,
  };
}

/** The failure converter that moves failures' messages into a payload, for the codec (failure-converter.cjs). */
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));

/** The data converter of a client or worker over these settings: failures' messages as payloads, and the codec. */
export function dataConverterOf(settings: Pick<TemporalSettings, 'payloadCodec'>): {
  failureConverterPath: string;
  payloadCodecs?: PayloadCodec[];
} {
  return {
    failureConverterPath: FAILURE_CONVERTER_PATH,
    ...(settings.payloadCodec ? { payloadCodecs: [settings.payloadCodec] } : {}),
  };
}

export async function connectClient(settings: TemporalSettings): Promise<Client> {
  const connection = await Connection.connect({
    ...settings.connectionOptions,
    connectTimeout: '5 seconds',
  } as Parameters<typeof Connection.connect>[0]);
  return new Client({
    connection,
    namespace: settings.namespace,
    dataConverter: dataConverterOf(settings),
    // Traced: each Start and Update carries the caller's trace context to the workflow (common/tracing.ts).
    interceptors: { workflow: activeTracing()?.clientInterceptors() ?? [] },
  });
}
