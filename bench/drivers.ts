/**
 * What the tests take from the benches, in one place: a test imports bench code from here only, never from a suite's
 * files, so a suite can be rearranged without breaking the tests. The chaos slice (test/chaos) runs the chaos suite's
 * pieces at CI size, the fuzz test a slice of the fuzz suite's cases, and the integration tests start nominations
 * with the same fixtures as the fuzz runner.
 */

// Cycle configs, inputs and waits for nominations started directly (no award cycle in front).
export {
  coordinator,
  dinasOf,
  nominationInput,
  provinsiOf,
  scoresFor,
  sha256,
  startNominationDirectly,
  testConfig,
  withoutOptionalSteps,
  workflowInput,
} from './shared/cycle';
export { settled } from './shared/settled';
export { sampleDocument, type SampleType } from './shared/documents';
export { seededRandom, type Random } from './shared/random';
// An OTLP/HTTP endpoint on loopback that keeps the spans the services send (the tracing test, the topology).
export { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './shared/otlp-receiver';

// The chaos suite: worker child process, faults, workload, progress, checks, replay of a lost nomination.
export { checkChaos, finalLine } from './chaos/check';
export { explainDuplicates } from './chaos/explain';
export { FaultInjector, planFaults } from './chaos/faults';
export { Progress } from './chaos/progress';
export { replayOnCurrentCode } from './chaos/replay';
export { ChildWorker } from './chaos/worker';
export { chaosCycles, finalizeCycle, planItems, runWorkload, startCycle } from './chaos/workload';

// The fuzz suite: the case generators and the runner that sends them.
export { gapOf, generateCsvCases, generateUpdateCases, UNCLEAR_MESSAGE, type UpdateCase } from './fuzz/cases';
export { generateEventLogAttacks, runEventLogAttack } from './fuzz/event-log';
export { editedBundles, type ForgedClaim, forgedClaims, nameSpellings, nearSpellings } from './fuzz/integrity-attacks';
export {
  type CsvRun,
  describeViolation,
  type FuzzEnv,
  openCsvCycle,
  recover,
  runCsvCases,
  runUpdateCase,
  setUpTargets,
  sqlControlRows,
  type UpdateOutcome,
} from './fuzz/runner';

// The SDK 1.24 cache hazard's sequence, for the workflow cache's test and `npm run bench:cache-hazard`.
export { bundleHazardWorkflows, HazardWorker, runHazardTry, type HazardTry } from './shared/cache-hazard';

// The throughput suite's history reading and `--scale` argument split.
export { shapeOfEvents, taskPrefixes, taskTimes } from './shared/history';
export { parseScale } from './throughput/scale';
