/**
 * An activity interceptor that records, per activity type, the execution time and the schedule-to-start latency (how
 * long a task waited for a worker slot), so the report can say where a nomination's time goes.
 */
import { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Recorder } from '../shared/stats';

export function activityTiming(rec: Recorder): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        const type = ctx.info.activityType;
        rec.add(`scheduleToStart:${type}`, Date.now() - ctx.info.currentAttemptScheduledTimestampMs);
        const t0 = performance.now();
        try {
          return await next(input);
        } finally {
          rec.add(`activity:${type}`, performance.now() - t0);
        }
      },
    },
  });
}
