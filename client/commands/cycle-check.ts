/**
 * `ovop cycle check --config cycle.yaml`: validates a cycle config offline, with no server, and reports which sessions
 * cover each province and which provinces none covers, by island group. An invalid file is refused (exit 1) with every
 * problem and its path; uncovered provinces are a warning unless the config sets `requireFullCoverage`. It also lists
 * the assessor pool and every covered province and commodity group with too few eligible assessors for a panel (a
 * warning unless `assessment.requireFullPanels` is set).
 */
import { describeShortfalls, panelShortfalls, type PanelShortfall } from '../../domain/panel';
import { describeGaps, sessionCoverage, type SessionCoverage } from '../../domain/session-coverage';
import type { CycleConfig } from '../../domain/types';
import { readCycleConfig } from '../config-file';
import type { Context, Outcome } from '../context';
import { table } from '../output';

export async function cycleCheck(_ctx: Context, opts: { config: string }): Promise<Outcome> {
  const config = readCycleConfig(opts.config);
  const coverage = sessionCoverage(config);
  const gaps = describeGaps(coverage);
  const shortfalls = panelShortfalls(config);
  const short = panelWarnings(config);
  const needed = config.assessment.assessorsPerNomination;
  return {
    json: {
      cycleId: config.id,
      valid: true,
      sessions: config.sessions.map((s) => s.id),
      coverage,
      panels: { assessorsPerNomination: needed, shortfalls },
    },
    text: [render(config.id, opts.config, coverage, gaps), renderPanels(config, shortfalls)].join('\n'),
    warnings: [...(gaps ? [gaps] : []), ...short],
  };
}

/** The short-panel warning `cycle start` gives too: covered provinces and commodities with too few eligible assessors. */
export function panelWarnings(config: CycleConfig): string[] {
  const needed = config.assessment.assessorsPerNomination;
  const text = describeShortfalls(panelShortfalls(config), needed, (code) => config.provinces[code] ?? code);
  return text ? [`${text}; their panels go ahead short, and with nobody eligible the nomination is held`] : [];
}

function renderPanels(config: CycleConfig, shortfalls: PanelShortfall[]): string {
  const needed = config.assessment.assessorsPerNomination;
  const pool = config.assessment.assessors;
  const lines = [
    '',
    `Assessor pool (${pool.length}; ${needed} per nomination, matching its commodity, never of its own province):`,
    table(
      ['assessor', 'province', 'affiliation', 'commodities'],
      pool.map((a) => [
        a.id,
        `${a.province} ${config.provinces[a.province] ?? ''}`.trim(),
        a.affiliation ?? '-',
        a.commodities === undefined || a.commodities === 'all' ? 'all' : a.commodities.join(', '),
      ]),
    ),
  ];
  if (shortfalls.length === 0) {
    lines.push('', 'Every covered province has a full panel for every commodity group.');
    return lines.join('\n');
  }
  lines.push('', `Panels short of ${needed} eligible assessors:`);
  for (const s of shortfalls) {
    const where = s.provinces.map((p) => `${p.code} ${config.provinces[p.code] ?? ''} (${p.eligible})`.trim());
    lines.push(`  ${s.commodity}: ${where.join(', ')}`);
  }
  return lines.join('\n');
}

/** The coverage warning `cycle start` gives beside its answer; none when every province has a session. */
export function coverageWarnings(config: Parameters<typeof sessionCoverage>[0]): string[] {
  const gaps = describeGaps(sessionCoverage(config));
  return gaps ? [`${gaps}; their dinas cannot nominate in this cycle`] : [];
}

function render(cycleId: string, file: string, coverage: SessionCoverage, gaps: string | null): string {
  const covered = coverage.provinces.filter((p) => p.sessions.length > 0);
  const lines = [
    `Cycle config ${file} (${cycleId}) is valid.`,
    '',
    `Sessions by province (${covered.length} of ${coverage.provinces.length} covered):`,
    table(
      ['province', 'island group', 'sessions'],
      coverage.provinces.map((p) => [`${p.code} ${p.name}`, p.islandGroup, p.sessions.join(', ') || '(none)']),
    ),
  ];
  if (gaps) {
    lines.push('', 'Provinces no session covers:');
    for (const g of coverage.uncovered) {
      lines.push(`  ${g.islandGroup}: ${g.provinces.map((p) => `${p.code} ${p.name}`).join(', ')}`);
    }
  }
  return lines.join('\n');
}
