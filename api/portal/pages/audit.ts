/**
 * The auditor's pages. The cycle page: the replay status of every workflow of a cycle on the code this API runs (the
 * stored verdicts, a check of the whole cycle started by a button and run in the background), the archived histories
 * found changed, and the cycle's nominations (25 at a time by `?halaman=`, counted by PostgreSQL). The nomination page: its timeline with the Temporal history (every run
 * of its chain) and the PostgreSQL event log side by side, every mismatch flagged as `ovop audit trail` finds it,
 * each run's replay verdict, and the exports (the API's own history and event-log routes).
 */
import type { Stage } from '../../../domain/types';
import { formatTime } from '../../../client/time';
import type { Mismatch } from '../../../client/trail-reconcile';
import type { NominationEventRow } from '../../../db/database';
import type { StoredVerdict } from '../../../db/replay-verdicts';
import { cycleVerdicts, type CycleCheck, type CycleChecks } from '../../cycle-replay';
import { countNominations, listNominations } from '../../nomination-reads';
import type { Replayer } from '../../replayer';
import { auditTimeline, type AuditedRun, type AuditTimeline } from '../audit-reads';
import type { PageContext, PortalDeps } from '../context';
import { apiNominationUrl, nominationUrl, requireSignedIn } from '../context';
import { choicesNote, cycleChoices } from '../cycles';
import { selectField } from '../fields';
import { formatNumber, formatWhen } from '../format';
import { html, type SafeHtml } from '../html';
import { csrfField, page } from '../layout';
import { PAGE_SIZE, pager, pagingOf } from '../paging';

export type AuditDeps = PortalDeps & { replayer: Replayer; checks: CycleChecks };

export const auditUrl = (workflowId: string) => `/audit/usulan/${encodeURIComponent(workflowId)}`;

const short = (sha: string) => `${sha.slice(0, 16)}…`;

export async function auditCyclePage(
  deps: AuditDeps,
  ctx: PageContext,
  notice?: { text: string; kind: 'ok' | 'error' } | null,
): Promise<SafeHtml> {
  const p = requireSignedIn(ctx);
  const { t } = ctx;
  const a = t.audit;
  const asked = (ctx.req.query as { siklus?: string }).siklus;
  const choices = await cycleChoices(deps.db, asked);
  const cycles = choices.cycles;
  const cycle = cycles.find((c) => c.id === asked) ?? cycles[0];
  if (!cycle) return page(ctx, { title: a.heading, main: html`<p>${t.coordinator.none}</p>` });
  const zone = cycle.rules.timezone ?? 'Asia/Jakarta';
  const bundle = deps.replayer.bundleSha256();
  // A cycle not checked since this API started is checked at its first look; the button checks it again.
  const running = deps.checks.latest(cycle.id) ?? deps.checks.start(cycle.id);
  // The page shows one moment of a check that may still be running: its state and the runs it had read then, and the
  // verdicts of exactly those runs (read later, the list could be longer than the verdicts counted for it).
  const check = snapshot(running);
  const verdicts = bundle ? await cycleVerdicts(deps.db, check, bundle, deps.replayer) : undefined;
  const paging = pagingOf(ctx);
  const fetched = await listNominations(deps.db, p, { cycleId: cycle.id, limit: paging.limit, offset: paging.offset });
  const rows = fetched.slice(0, PAGE_SIZE);
  const count = await countNominations(deps.db, p, { cycleId: cycle.id });
  const n = (v: number) => formatNumber(t, v, 0);

  const main = html`
    <form method="get" action="/audit" class="card">
      ${selectField({
        form: { values: { siklus: cycle.id }, errors: {} },
        idPrefix: 'pilih',
        name: 'siklus',
        label: t.dinas.cycle,
        options: cycles.map((c) => ({ value: c.id, label: `${c.name} (${c.id})` })),
      })}
      <button type="submit" class="secondary">OK</button>
      ${choicesNote(t, choices) ? html`<p class="muted">${choicesNote(t, choices)}</p>` : ''}
    </form>
    <p><a href="/koordinator?siklus=${encodeURIComponent(cycle.id)}">${a.dashboard}</a></p>

    <section aria-labelledby="putar" class="card">
      <h2 id="putar">${a.cycleReplay}</h2>
      <p>${a.cycleReplayIntro}</p>
      ${replayerState(ctx, deps.replayer, bundle)}
      ${
        verdicts
          ? html`<table>
              <tbody>
                <tr>
                  <th scope="row">${a.runsListed}</th>
                  <td class="num" data-kunci="run">${n(check.runs.length)}</td>
                </tr>
                <tr>
                  <th scope="row">${a.runsOk}</th>
                  <td class="num" data-kunci="lolos">${n(verdicts.ok)}</td>
                </tr>
                <tr>
                  <th scope="row">${a.runsFailed}</th>
                  <td class="num" data-kunci="gagal">${n(verdicts.failed.length + check.changed.length)}</td>
                </tr>
                <tr>
                  <th scope="row">${a.waiting}</th>
                  <td class="num" data-kunci="antre">${n(verdicts.waiting)}</td>
                </tr>
                <tr>
                  <th scope="row">${a.runsUndecided}</th>
                  <td class="num" data-kunci="tak-terputuskan">${n(verdicts.undecided)}</td>
                </tr>
              </tbody>
            </table>`
          : ''
      }
      ${checkState(ctx, check, deps.replayer, zone)}
      ${
        verdicts?.failed.length
          ? html`<h3>${a.runsFailed}</h3>
              <ul>
                ${verdicts.failed.map(
                  (v) =>
                    html`<li>
                      <a href="${auditUrl(v.workflow_id)}">${v.workflow_id}</a> (${a.run} ${v.run_id}):
                      ${v.kind ?? ''}${v.diverges_at ? ` #${v.diverges_at}` : ''}: ${v.message ?? ''}
                    </li>`,
                )}
              </ul>`
          : ''
      }
      <form method="post" action="/audit/periksa">
        ${csrfField(ctx)}
        <input type="hidden" name="siklus" value="${cycle.id}" />
        <button type="submit">${a.check}</button>
      </form>
    </section>

    <section aria-labelledby="usulan">
      <h2 id="usulan">${a.nominations} (${n(count)})</h2>
      ${
        rows.length
          ? html`<ul>
              ${rows.map(
                (r) =>
                  html`<li>
                    <a href="${auditUrl(r.workflow_id)}">${r.ikm_name}</a>
                    <span class="muted">(${r.regency_code}) — ${t.stages[r.stage as Stage] ?? r.stage}</span>
                  </li>`,
              )}
            </ul>`
          : html`<p>${t.coordinator.none}</p>`
      }
      ${pager(ctx, '/audit', paging, fetched.length, { anchor: 'usulan' })}
    </section>
  `;
  return page(ctx, { title: `${a.heading}: ${cycle.name}`, main, notice });
}

function snapshot(check: CycleCheck): CycleCheck {
  return { ...check, runs: [...check.runs], changed: [...check.changed], missing: [...check.missing] };
}

function replayerState(ctx: PageContext, replayer: Replayer, bundle: string | undefined): SafeHtml {
  const a = ctx.t.audit;
  if (replayer.unavailable)
    return html`<p class="notice error" role="alert">${a.unavailable(replayer.unavailable)}</p>`;
  if (!bundle) return html`<p class="notice" role="status">${a.preparing}</p>`;
  return html`<p class="muted">${a.code(short(bundle))}</p>`;
}

function checkState(ctx: PageContext, check: CycleCheck, replayer: Replayer, zone: string): SafeHtml {
  const { t } = ctx;
  const a = t.audit;
  const n = (v: number) => formatNumber(t, v, 0);
  const line = check.error
    ? html`<p class="notice error" role="alert">${a.checkFailed(check.error)}</p>`
    : check.finishedAt
      ? html`<p role="status">
          ${a.checkDone(formatWhen(t, check.finishedAt.toISOString(), zone), n(check.runs.length), n(check.queued))}
        </p>`
      : html`<p role="status">${a.checkRunning(n(check.runs.length), n(check.queued), n(replayer.queued))}</p>`;
  return html`${line}
  ${
    check.changed.length
      ? html`<h3>${a.archiveChanged}</h3>
          <ul>
            ${check.changed.map((c) => html`<li class="overdue">${c.workflowId} (${a.run} ${c.runId}): ${c.message}</li>`)}
          </ul>`
      : ''
  }
  ${
    check.missing.length
      ? html`<h3>${a.missing}</h3>
          <ul>
            ${check.missing.map((id) => html`<li class="overdue">${id}</li>`)}
          </ul>`
      : ''
  }`;
}

export async function auditNominationPage(deps: AuditDeps, ctx: PageContext, workflowId: string): Promise<SafeHtml> {
  const { t } = ctx;
  const a = t.audit;
  const row = await deps.db
    .selectFrom('nominations')
    .select(['ikm_name', 'regency_code', 'stage'])
    .where('workflow_id', '=', workflowId)
    .executeTakeFirstOrThrow();
  const title = a.nominationHeading(row.ikm_name);
  const exports = html`<section aria-labelledby="ekspor">
    <h2 id="ekspor">${a.export}</h2>
    <ul>
      <li><a href="${apiNominationUrl(workflowId, '/history')}" download>${a.exportHistory}</a></li>
      <li><a href="${apiNominationUrl(workflowId, '/events')}" download>${a.exportEvents}</a></li>
      <li><a href="${nominationUrl(workflowId)}">${t.dinas.details}</a></li>
    </ul>
  </section>`;
  const timeline = await auditTimeline(deps, workflowId);
  if ('changed' in timeline)
    return page(ctx, {
      title,
      notice: { text: a.archiveRefused(timeline.changed.message), kind: 'error' },
      main: exports,
    });
  const n = (v: number) => formatNumber(t, v, 0);
  const events = timeline.runs.reduce((s, r) => s + r.events, 0);
  const verdictLine = timeline.mismatches.length
    ? html`<p class="notice error" role="alert">${a.mismatches(n(timeline.mismatches.length))}</p>`
    : html`<p class="notice ok" role="status">${a.agree}</p>`;
  const main = html`
    <p class="muted">${workflowId} — ${t.stages[row.stage as Stage] ?? row.stage}</p>
    <p>${a.summary(n(events), n(timeline.runs.length), n(timeline.rows.length))}</p>
    ${verdictLine}
    ${timeline.pending.length ? html`<p class="muted">${a.stillWriting(n(timeline.pending.length))}</p>` : ''}

    <section aria-labelledby="run">
      <h2 id="run">${a.runs}</h2>
      ${replayerState(ctx, deps.replayer, timeline.bundleSha256)}
      <table class="cards">
        <thead>
          <tr>
            <th scope="col">${a.run}</th>
            <th scope="col">${a.runId}</th>
            <th scope="col">${a.source}</th>
            <th scope="col" class="num">${a.events}</th>
            <th scope="col">${a.historyHash}</th>
            <th scope="col">${a.replay}</th>
          </tr>
        </thead>
        <tbody>
          ${timeline.runs.map((r) => runRow(ctx, r, timeline.timezone))}
        </tbody>
      </table>
    </section>

    <section aria-labelledby="jejak">
      <h2 id="jejak">${a.timeline}</h2>
      ${timelineTable(ctx, timeline)}
    </section>
    ${exports}
  `;
  return page(ctx, { title, main });
}

function runRow(ctx: PageContext, r: AuditedRun, zone: string): SafeHtml {
  const { t } = ctx;
  const a = t.audit;
  const s = r.status;
  const verdict = (v: StoredVerdict) =>
    v.ok
      ? html`<span class="ok-text">${a.replayOk(formatWhen(t, v.replayed_at.toISOString(), zone))}</span>`
      : html`<span class="overdue"
          >${a.replayFailed(`${v.kind ?? ''}${v.diverges_at ? ` #${v.diverges_at}` : ''}`, v.message ?? '')}</span
        >`;
  const replay =
    s.state === 'verdict'
      ? verdict(s.verdict)
      : s.state === 'unavailable'
        ? a.unavailable(s.why)
        : s.state === 'preparing'
          ? a.preparing
          : s.state === 'undecided'
            ? html`<span class="overdue"
                >${a.replayUndecided(formatNumber(t, s.deadlineMs / 1000, s.deadlineMs < 1000 ? 3 : 0))}</span
              >`
            : s.earlier
              ? html`${verdict(s.earlier)}
                  <span class="muted">${a.earlier(formatNumber(t, s.earlier.event_count, 0))} ${a.queued}</span>`
              : a.queued;
  return html`<tr data-run="${r.runId}">
    <td data-label="${a.run}">${r.index}</td>
    <td data-label="${a.runId}"><code>${r.runId}</code></td>
    <td data-label="${a.source}">${a.sources[r.source] ?? r.source}</td>
    <td data-label="${a.events}" class="num">${formatNumber(t, r.events, 0)}</td>
    <td data-label="${a.historyHash}"><code title="${r.historySha256}">${short(r.historySha256)}</code></td>
    <td data-label="${a.replay}" data-kunci="putar">${replay}</td>
  </tr>`;
}

/**
 * One row per history entry in order, with its event-log row beside it when it is one the workflow asked PostgreSQL
 * to store, then the rows PostgreSQL holds that the history never asked for. Each pair is marked as `reconcile` found it.
 */
function timelineTable(ctx: PageContext, tl: AuditTimeline): SafeHtml {
  const { t } = ctx;
  const a = t.audit;
  const bySeq = new Map(tl.rows.map((r) => [r.seq, r]));
  const problems = new Map(tl.mismatches.map((m) => [m.seq, m]));
  const many = tl.runs.length > 1;
  const when = (iso: string) => formatTime(iso, tl.timezone, { seconds: true });
  const pgCell = (row: NominationEventRow | undefined) =>
    row
      ? html`<strong>${row.seq}. ${row.type}</strong> — ${row.stage}<br />
          ${`${row.actor_role}:${row.actor_id}:${row.actor_region}`}<br />
          <span class="muted">${when(new Date(row.occurred_at).toISOString())}</span>`
      : html`<span class="muted">—</span>`;
  const matchCell = (m: Mismatch | undefined, pending: boolean) =>
    m
      ? html`<span class="overdue"
          >⚠
          ${a.problems[m.problem] ?? m.problem}${
            m.fields?.length ? `: ${m.fields.map((f) => a.fields[f] ?? f).join(', ')}` : ''
          }</span
        >`
      : pending
        ? html`<span class="muted">${a.stillWriting('1')}</span>`
        : html`<span class="ok-text">✓ ${a.matched}</span>`;
  const seen = new Set<number>();
  const lines = tl.entries.map((e) => {
    const seq = e.kind === 'recorded' ? (e.data?.seq as number | undefined) : undefined;
    if (seq !== undefined) seen.add(seq);
    const m = seq !== undefined ? problems.get(seq) : undefined;
    return html`<tr${m ? html` class="mismatch" data-seq="${seq}"` : seq !== undefined ? html` data-seq="${seq}"` : ''}>
      <td data-label="${a.time}" class="deadline">${when(e.at)}</td>
      <td data-label="${a.history}">
        <span class="muted">${many ? `${e.run}#${e.eventId}` : `#${e.eventId}`}</span> ${e.text}
      </td>
      <td data-label="${a.eventLog}">
        ${seq !== undefined ? pgCell(bySeq.get(seq)) : html`<span class="muted">${a.notRecorded}</span>`}
      </td>
      <td data-label="${a.match}">
        ${seq !== undefined ? matchCell(m, tl.pending.includes(seq)) : ''}
      </td>
    </tr>`;
  });
  const orphans = tl.rows
    .filter((r) => !seen.has(r.seq))
    .map(
      (r) =>
        html`<tr class="mismatch" data-seq="${r.seq}">
          <td data-label="${a.time}" class="deadline">${when(new Date(r.occurred_at).toISOString())}</td>
          <td data-label="${a.history}"><span class="muted">—</span></td>
          <td data-label="${a.eventLog}">${pgCell(r)}</td>
          <td data-label="${a.match}">${matchCell(problems.get(r.seq), false)}</td>
        </tr>`,
    );
  return html`<table class="cards timeline">
    <thead>
      <tr>
        <th scope="col">${a.time}</th>
        <th scope="col">${a.history}</th>
        <th scope="col">${a.eventLog}</th>
        <th scope="col">${a.match}</th>
      </tr>
    </thead>
    <tbody>
      ${lines} ${orphans}
    </tbody>
  </table>`;
}
