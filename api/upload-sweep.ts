/**
 * Deletes uploads that no nomination recorded. An upload is stored first and recorded by the workflow's Update after;
 * an API that stops in between (or an Update whose answer never came) leaves a stored file that nothing refers to. A
 * file is removed only when it is older than `unrecordedUploadHours` and absent from the projection's documents, so an
 * Update still in flight and a projection row still being written keep theirs.
 */
import type { FastifyInstance } from 'fastify';
import type { DocumentStorage } from '../db/document-files';

const HOUR_MS = 3_600_000;

export async function sweepUnrecordedUploads(storage: DocumentStorage, olderThanHours: number, now = new Date()) {
  return storage.removeUnrecorded(new Date(now.getTime() - olderThanHours * HOUR_MS));
}

/** Sweeps when the API is ready and then every hour, while it runs. */
export function scheduleUploadSweep(app: FastifyInstance, storage: DocumentStorage, olderThanHours: number): void {
  let timer: NodeJS.Timeout | undefined;
  const sweep = async () => {
    try {
      const removed = await sweepUnrecordedUploads(storage, olderThanHours);
      if (removed > 0) app.log.warn({ removed, olderThanHours }, 'deleted uploads that no nomination recorded');
    } catch (err) {
      app.log.error({ err }, 'the sweep of unrecorded uploads failed; it runs again in an hour');
    }
  };
  app.addHook('onReady', async () => {
    void sweep();
    timer = setInterval(() => void sweep(), HOUR_MS).unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
}
