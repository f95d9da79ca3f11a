/**
 * Temporal connection settings from the environment through @temporalio/envconfig (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE / config file), shared by the worker and CLI.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

export const DEFAULT_TASK_QUEUE = 'ovop-nominations';

export interface TemporalSettings {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
  address: string;
}

export function temporalSettings(overrides: { address?: string; namespace?: string } = {}): TemporalSettings {
  const loaded = loadClientConnectConfig();
  const address = overrides.address ?? loaded.connectionOptions.address ?? 'localhost:7233';
  return {
    connectionOptions: { ...loaded.connectionOptions, address },
    namespace: overrides.namespace ?? loaded.namespace ?? 'default',
    address,
  };
}

export async function connectClient(settings: TemporalSettings): Promise<Client> {
  const connection = await Connection.connect({
    ...settings.connectionOptions,
    connectTimeout: '5 seconds',
  } as Parameters<typeof Connection.connect>[0]);
  return new Client({ connection, namespace: settings.namespace });
}
