/**
 * `ovop cycle check --config cycle.yaml`: validates a cycle config offline, with no server, and reports which sessions
 * cover each province and which provinces none covers, by island group. An invalid file is refused (exit 1) with every
 * problem and its path; uncovered provinces are a warning unless the config sets `requireFullCoverage`.
 */
import { describeGaps, sessionCoverage, type SessionCoverage } from '../../domain/session-coverage';
import { readCycleConfig } from '../config-file';
import type { Context, Outcome } from '../context';
import { table } from '../output';

export async function cycleCheck(_ctx: Context, opts: { config: string }): Promise<Outcome> {
  const config = readCycleConfig(opts.config);
  const coverage = sessionCoverage(config);
  const gaps = describeGaps(coverage);
  return {
    json: { cycleId: config.id, valid: true, sessions: config.sessions.map((s) => s.id), coverage },
    text: render(config.id, opts.config, coverage, gaps),
    warnings: gaps ? [gaps] : [],
  };
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
