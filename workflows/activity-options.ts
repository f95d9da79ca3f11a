/**
 * Timeouts and retry policies of every activity the workflows call, in one place. Retries never give up on their
 * own: losing a row or a mail breaks the audit trail, while an outage only delays the workflow.
 */
import type { ActivityOptions } from '@temporalio/workflow';

/** PostgreSQL writes and reads: short, and retried without limit; a database outage only delays the workflow. */
export const databaseActivity: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** Mail: SMTP servers go down for minutes, so keep retrying, but never a message that cannot be built or addressed. */
export const mailActivity: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    nonRetryableErrorTypes: ['InvalidRecipient', 'TemplateError'],
  },
};

/** The cycle's activities (starting nominations, a broadcast, a census) may take a while over many rows; they
 * heartbeat so a dead worker's attempt is retried well before the minute is up. */
export const cycleActivity: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** Applying a decree sends an Update to every nomination it covers, a few at a time; it heartbeats after each, and a
 * retry resumes with the nominations still pending. */
export const decreeActivity: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
