/**
 * Every live patch id: a rule change shipped while nominations were running. Code behind `patched(id)` takes the new
 * path in new histories and the old one in histories recorded before it (test/fixtures/histories). Never reuse or
 * remove an id while such histories may still be replayed; docs/versioning.md says how a patch retires.
 */

/** The dinas hears by mail when its IKM's assessment starts (rule added after release r1). */
export const DINAS_TOLD_OF_ASSESSMENT = 'dinas-told-of-assessment';

/** With normalization on, an assessor's statistics include the nomination's own last score sheet: its row is written
 * before the statistics are read (they raced before). */
export const STATS_AFTER_LAST_SHEET = 'stats-after-last-sheet';

/** The panel is drawn from assessors matching the nomination's commodity, mixing affiliations; a panel short of its
 * size is escalated to the coordinators, and an empty one holds the nomination instead of failing its tasks (r4). */
export const PANELS_BY_COMMODITY = 'panels-by-commodity';

/** With `fieldVisit` in the config, the field verification is a scheduled visit whose on-site evidence against the
 * checklist decides it (r4); before, a coordinator recorded a pass or a fail. */
export const FIELD_VISITS = 'field-visits';

/** The provincial pre-screen between the kabupaten/kota proposal and the national administrative selection, for cycles
 * whose config turns it on (`prescreen.enabled`). */
export const PROVINCIAL_PRESCREEN = 'provincial-prescreen';

/** The receipt of product samples before the administrative selection, for cycles whose config asks for them
 * (`samples.required`). */
export const PRODUCT_SAMPLES = 'product-samples';

/** The award as determined and followed up (issue #17, r4): a recommendation above the cycle's star cap is capped at
 * it; a determination records the coaching level, tells the coaching office by mail, says in the announcement whether
 * the star may go on packaging, and may wait for the certificate hand-over. Only nominations whose config has an
 * `award` block reach it. */
export const AWARD_FOLLOW_UP = 'award-follow-up';

/** A cycle whose stars are determined by decree finalizes only once no nomination still waits for one (r4). */
export const DETERMINATION_BY_DECREE = 'determination-by-decree';

/** A nomination checks its input at start, in shape and against the intake record its cycle wrote, and takes no
 * action until it has passed: one started around its cycle ends before it writes a row or sends a mail. */
export const NOMINATION_START_CHECKED = 'nomination-start-checked';

/** A `cycleDeadline` signal is applied only when the cycle recorded that change, under the actor of the record;
 * anything else is logged and dropped. */
export const CYCLE_DEADLINE_CHECKED = 'cycle-deadline-checked';

/** An award cycle checks its config at start and ends with a clear failure on one it cannot run. */
export const CYCLE_INPUT_CHECKED = 'cycle-input-checked';

/** Around a deadline: a reminder whose moment has passed is skipped, the grace period has its own notice without
 * reminders or a second escalation, reminders name the sessions or the missing documents, and the timers count from
 * after the reminders' sends. */
export const REMINDERS_ON_TIME = 'reminders-on-time';

/** Blind assessment (#15 item 2): the dinas's field-visit mails name no team member and copy none; the team hears the
 * date in a mail of its own. */
export const BLIND_FIELD_VISIT_MAILS = 'blind-field-visit-mails';

/** A re-evaluation's previous stars must be on record in the claimed earlier cycle; the cycle refuses the nomination
 * its start activity found no record for (#15 item 4). */
export const PREVIOUS_STARS_FROM_RECORD = 'previous-stars-from-record';

/** A nomination continues as new at its stage boundaries (issue #19), carrying its state, so a workflow task rebuilds
 * one stage's events rather than the whole life (workflows/nomination-chain.ts). */
export const NOMINATION_SHORT_RUNS = 'nomination-short-runs';

/** Assessors are drawn at random (the SDK's seeded Math.random, which a replay repeats), never by a hash of the
 * workflow id, which carries the IKM name the nominator types; declared conflicts are excluded (#15 item 1). */
export const RANDOM_PANEL_DRAW = 'random-panel-draw';

/** Four eyes (#15 item 3): stars above the recommendation, over a failed gate's cap, wait for a second coordinator's
 * approval within the cycle's `award.secondApproval.within`, and lapse back to awaiting a determination without it. */
export const FOUR_EYES_DETERMINATION = 'four-eyes-determination';

/** OpenTelemetry spans in workflow code (#16, workflows/tracing-interceptors.ts), for a start, Update or signal that
 * carried a trace context: the tracing interceptors' async wrappers move later promise resolutions, so histories
 * recorded without them must replay without them. */
export const OTEL_TRACING = 'otel-tracing';

/* Rules by reference (#16 item 4) has no id: the input decides, from a history's first event. A nomination started
 * with `rulesRef` loads its rules (stripped of names and addresses) in its start check and carries them in its
 * continued runs; one started with `rules` runs on them exactly as before (docs/versioning.md). */
