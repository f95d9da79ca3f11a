/**
 * The people of the topology run, through the compiled API over HTTP with their API tokens: each dinas nominates its
 * IKM, attends its session and submits the checklist, the coordinator reviews, the assessors on the panel score, the
 * coordinator records the field verification and determines the stars. Each nomination is a loop over the PostgreSQL
 * projection (GET /api/nominations/:id): read the stage, do what it calls for, wait for the stage to move. A call cut
 * off by a killed worker or a restarting Temporal server (a 5xx or a network error) is counted and simply made again
 * after reading the stage anew; a refusal (409) of an action that had gone through before its answer was lost is
 * counted too and needs nothing more.
 */
import { createHash } from 'node:crypto';
import type { Commodity, CycleConfig, Stage } from '../../domain/types';
import { isTerminal } from '../../domain/types';
import { requiredDocumentKinds } from '../../domain/documents';
import { provinceOf } from '../../domain/region-codes';
import { steadyScores } from '../../demo/next-actions';

export interface DriveTotals {
  /** Requests answered 5xx or cut off (every one made again). */
  errors: number;
  /** Actions refused with 409 (a resent action that had gone through). */
  refusals: number;
  /** Stage changes seen, for the run's progress (7 per nomination that ends DETERMINED). */
  steps: number;
  requests: number;
  firstErrors: string[];
}

export interface NominationPlan {
  regencyCode: string;
  ikmName: string;
  commodity: string;
}

export interface DriveResult {
  workflowId: string | null;
  stage: Stage | null;
  stuck?: string;
}

export const STEPS_PER_NOMINATION = 7;

/** The part of GET /api/nominations/:id (the projection) the people read. */
interface NominationRead {
  stage: Stage;
  regencyCode: string;
  commodity: Commodity;
  documents: { kind: string }[];
  assessors: { id: string; scored: boolean }[];
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ApiPeople {
  readonly totals: DriveTotals = { errors: 0, refusals: 0, steps: 0, requests: 0, firstErrors: [] };

  constructor(
    private readonly url: string,
    private readonly config: CycleConfig,
    /** API token by user id (the coordinator `koordinator-ikma`, `disperin-<regency>`, each assessor's id). */
    private readonly tokens: Map<string, string>,
    /** Gives up on a nomination whose stage has not moved for this long. */
    private readonly stuckAfterMs = 300_000,
  ) {}

  private async call(
    user: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of several routes, read by field
  ): Promise<{ status: number; body: any }> {
    const token = this.tokens.get(user);
    if (!token) throw new Error(`no token for ${user}`);
    this.totals.requests++;
    try {
      const res = await fetch(this.url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      const answer = { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
      if (res.status >= 500 || res.status === 429) this.error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
      else if (res.status === 409) this.totals.refusals++;
      return answer;
    } catch (err) {
      this.error(`${method} ${path}: ${(err as Error).message}`);
      return { status: 0, body: null };
    }
  }

  private error(line: string): void {
    this.totals.errors++;
    if (this.totals.firstErrors.length < 5) this.totals.firstErrors.push(line);
  }

  async openCycle(): Promise<void> {
    const { regencies: _r, provinces: _p, ...body } = this.config;
    for (;;) {
      const r = await this.call('koordinator-ikma', 'POST', '/api/cycles', { config: body });
      if (r.status === 201) break;
      if (r.status !== 0 && r.status < 500) throw new Error(`opening the cycle: ${r.status} ${JSON.stringify(r.body)}`);
      await pause(1_000);
    }
    while ((await this.call('koordinator-ikma', 'GET', `/api/cycles/${this.config.id}`)).status !== 200)
      await pause(500);
  }

  async finalizeCycle(): Promise<void> {
    for (;;) {
      const r = await this.call('koordinator-ikma', 'POST', `/api/cycles/${this.config.id}/finalization`, {});
      if (r.status === 200 || r.status === 409) return;
      if (r.status !== 0 && r.status < 500)
        throw new Error(`finalizing the cycle: ${r.status} ${JSON.stringify(r.body)}`);
      await pause(1_000);
    }
  }

  /** Nominates, then acts on what the projection says until the nomination ends or stops moving. */
  async drive(n: NominationPlan): Promise<DriveResult> {
    const dinas = `disperin-${n.regencyCode}`;
    let workflowId: string | null = null;
    const started = Date.now();
    while (!workflowId) {
      const r = await this.call(dinas, 'POST', `/api/cycles/${this.config.id}/nominations`, {
        regencyCode: n.regencyCode,
        ikmName: n.ikmName,
        sentraName: `Sentra ${n.ikmName}`,
        commodity: n.commodity,
        product: `Produk ${n.commodity}`,
        sentraSize: 12,
      });
      if (r.status === 200 || r.status === 201) workflowId = r.body.workflowId;
      else if (r.status !== 0 && r.status < 500 && r.status !== 429)
        return { workflowId: null, stage: null, stuck: `nominate: ${r.status} ${JSON.stringify(r.body)}` };
      else if (Date.now() - started > this.stuckAfterMs)
        return { workflowId: null, stage: null, stuck: 'nominate never answered' };
      else await pause(1_000);
    }
    const path = `/api/nominations/${encodeURIComponent(workflowId)}`;
    let stage: Stage | null = null;
    let movedAt = Date.now();
    for (;;) {
      const read = await this.call('koordinator-ikma', 'GET', path);
      if (read.status === 200 && read.body.stage !== stage) {
        if (stage !== null || read.body.stage !== 'IDENTIFIED') this.totals.steps++;
        stage = read.body.stage as Stage;
        movedAt = Date.now();
      }
      if (stage && isTerminal(stage)) return { workflowId, stage };
      if (Date.now() - movedAt > this.stuckAfterMs)
        return { workflowId, stage, stuck: `stage ${stage} did not move for ${this.stuckAfterMs / 1000} s` };
      if (read.status === 200) await this.act(workflowId, path, read.body as NominationRead, dinas);
      await this.awaitChange(path, stage);
    }
  }

  /** What the stage calls for, by the person it calls for. */
  private async act(workflowId: string, path: string, view: NominationRead, dinas: string): Promise<void> {
    const post = (user: string, action: string, body: unknown) => this.call(user, 'POST', `${path}/${action}`, body);
    switch (view.stage) {
      case 'AWAITING_SOCIALIZATION': {
        const session = this.config.sessions.find((s) => s.provinces.includes(provinceOf(view.regencyCode)))!;
        await post(dinas, 'attendance', { sessionId: session.id });
        return;
      }
      case 'AWAITING_DOCUMENTS':
      case 'REVISION_REQUESTED': {
        const have = new Set(view.documents.map((d) => d.kind));
        for (const kind of requiredDocumentKinds(this.config.documents.checklist, view.commodity)) {
          if (have.has(kind)) continue;
          const checksum = createHash('sha256').update(`${workflowId}/${kind}`).digest('hex');
          await post(dinas, 'documents', { kind, fileName: `${kind}.pdf`, checksum, sizeBytes: 50_000 });
        }
        return;
      }
      case 'UNDER_REVIEW':
        await post('koordinator-ikma', 'review', { decision: 'approve' });
        return;
      case 'IN_ASSESSMENT':
        for (const a of view.assessors) {
          if (a.scored) continue;
          const scores: Record<string, number> = {};
          for (const aspect of this.config.assessment.aspects)
            for (const c of aspect.criteria) scores[c.id] = steadyScores(`${workflowId}|${a.id}|${c.id}`);
          await post(a.id, 'scores', { scores });
        }
        return;
      case 'FIELD_VERIFICATION':
        await post('koordinator-ikma', 'field-verification', { passed: true, notes: 'Sentra dikunjungi' });
        return;
      case 'STAR_RECOMMENDED':
        await post('koordinator-ikma', 'determination', {});
        return;
      default:
        return;
    }
  }

  /** Polls the projection until the stage differs from `stage`, for up to 10 s (then the caller acts again). */
  private async awaitChange(path: string, stage: Stage | null): Promise<void> {
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      await pause(400);
      const r = await this.call('koordinator-ikma', 'GET', path);
      if (r.status === 200 && r.body.stage !== stage) return;
    }
  }
}
