/**
 * Timeouts and retry policies of every activity the workflows call, in one place. Retries of an outage never give up
 * on their own: losing a row or a mail breaks the audit trail, while an outage only delays the workflow. A programming
 * error is no outage: retrying it would only hide it, so it fails the activity at once, and with it the workflow, which
 * operators then see as Failed with the error as its cause (docs/architecture.md, "When something is wrong").
 */
import type { ActivityOptions } from '@temporalio/workflow';

/** JavaScript's errors of code that is wrong (a missing field read, a bad date formatted), never of an outage. */
export const PROGRAMMING_ERRORS = ['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError'];

/** PostgreSQL writes and reads: short, and retried without limit; a database outage only delays the workflow. */
export const databaseActivity: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: PROGRAMMING_ERRORS,
  },
};

/** Mail: SMTP servers go down for minutes, so keep retrying, but never a message that cannot be built or addressed. */
export const mailActivity: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    nonRetryableErrorTypes: ['InvalidRecipient', 'TemplateError', ...PROGRAMMING_ERRORS],
  },
};

/** The cycle's activities (starting nominations, a broadcast, a census) may take a while over many rows; they
 * heartbeat so a dead worker's attempt is retried well before the minute is up. */
export const cycleActivity: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: PROGRAMMING_ERRORS,
  },
};

/**
 * Starting a nomination, inside the dinas's `nominate` update: the dinas waits for the answer, so after about five
 * minutes of failures (a start the server keeps refusing is a bug, not an outage) the update fails with the cause
 * rather than leaving the caller waiting for ever.
 */
export const nominationStartActivity: ActivityOptions = {
  ...cycleActivity,
  retry: { ...cycleActivity.retry, maximumAttempts: 10 },
};

/** Applying a decree sends an Update to every nomination it covers, a few at a time; it heartbeats after each, and a
 * retry resumes with the nominations still pending. */
export const decreeActivity: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
