import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { CycleConfigError, loadCycleConfig, parseCycleConfig } from '../../domain/cycle-config';
import { provinceOf } from '../../domain/region-codes';
import { loadRegions, regionDisplayName } from '../../domain/regions';
import { DEADLINE_STAGES } from '../../domain/types';

const EXAMPLE = 'config/cycle.example.yaml';
const DEMO = 'config/cycle.demo.yaml';

/** The example config as plain data, changed by `edit` and written back as YAML. */
function exampleWith(edit: (config: any) => void): string {
  const config = YAML.parse(readFileSync(EXAMPLE, 'utf8'));
  edit(config);
  return YAML.stringify(config);
}

/** The issues a config text is refused with; fails the test if it is accepted. */
function issuesOf(text: string): CycleConfigError {
  try {
    parseCycleConfig(text, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(CycleConfigError);
    return error as CycleConfigError;
  }
  throw new Error('expected the config to be refused');
}

const paths = (error: CycleConfigError) => error.issues.map((issue) => issue.path);

describe('the shipped cycle configs', () => {
  it('the national example loads with all regions filled in', () => {
    const config = loadCycleConfig(EXAMPLE);
    expect(config.id).toBe('ovop-2027');
    expect(config.cadence).toBe('biennial');
    expect(config.timezone).toBe('Asia/Jakarta');
    expect(Object.keys(config.provinces)).toHaveLength(38);
    expect(Object.keys(config.regencies)).toHaveLength(514);
    expect(Object.keys(config.deadlines).sort()).toEqual([...DEADLINE_STAGES].sort());
    expect(config.deadlines.documents).toEqual({
      within: '45d',
      remindBefore: ['14d', '7d', '1d'],
      onMissed: 'grace',
      grace: '7d',
    });
    expect(config.stars.thresholds).toEqual({ '5': 85, '4': 70, '3': 55, '2': 40, '1': 25 });
    expect(config.assessment.aspects.map((a) => [a.id, a.weight])).toEqual([
      ['A', 30],
      ['B', 30],
      ['C', 25],
      ['D', 15],
    ]);
  });

  it('the three sessions of the example cover every province exactly once', () => {
    const config = loadCycleConfig(EXAMPLE);
    const covered = config.sessions.flatMap((s) => s.provinces);
    expect(config.sessions).toHaveLength(3);
    expect(covered.sort()).toEqual(Object.keys(config.provinces).sort());
  });

  it('the demo compresses the lifecycle into seconds', () => {
    const config = loadCycleConfig(DEMO);
    expect(config.id).toBe('ovop-demo');
    expect(config.intakeWindow).toBe('20s');
    expect(config.assessment.assessorsPerNomination).toBe(2);
    expect(config.deadlines.attendance).toEqual({ within: '20s', remindBefore: ['15s', '5s'], onMissed: 'disqualify' });
  });

  it('defaults the time zone, the scoring scale and normalization when left out', () => {
    const config = parseCycleConfig(
      exampleWith((c) => {
        delete c.timezone;
        delete c.assessment.scale;
        delete c.assessment.normalization;
      }),
    );
    expect(config.timezone).toBe('Asia/Jakarta');
    expect(config.assessment.scale).toEqual({ min: 1, max: 3 });
    expect(config.assessment.normalization).toBe(false);
  });

  it('accepts province codes written as unquoted YAML numbers', () => {
    const text = readFileSync(EXAMPLE, 'utf8').replace("provinces: ['31', '32',", 'provinces: [31, 32,');
    expect(parseCycleConfig(text).sessions[0].provinces.slice(0, 2)).toEqual(['31', '32']);
  });
});

describe('an invalid cycle config', () => {
  it('is refused with every bad field listed by its path', () => {
    const error = issuesOf(
      exampleWith((c) => {
        c.id = 'OVOP 2027';
        c.phases.intakeCloses = '2027-01-15';
        c.deadlines.documents.remindBefore[1] = '7 days';
        delete c.deadlines.documents.grace;
        c.deadlines.review.onMissed = 'wait';
        c.sessions[1].provinces[0] = '99';
        c.assessment.assessors[2].email = 'andi-at-kemenperin';
        c.stars.thresholds[4] = 90;
        c.stars.gates[0].documents = ['legalitas'];
        c.contacts.coordinator = c.contacts.coordinators;
        delete c.contacts.coordinators;
      }),
    );
    const expected = [
      'id',
      'phases.intakeCloses',
      'deadlines.documents.remindBefore[1]',
      'deadlines.documents.grace',
      'deadlines.review.onMissed',
      'sessions[1].provinces[0]',
      'assessment.assessors[2].email',
      'stars.thresholds.5',
      'stars.gates[0].documents[0]',
      'contacts.coordinators',
      'contacts.coordinator',
    ];
    expect(paths(error).sort()).toEqual([...expected].sort());
    // The message itself names each field, one per line, so a coordinator can fix them all in one go.
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('Cycle config test.yaml is invalid (11 problems):');
    for (const path of expected) expect(lines.some((line) => line.startsWith(`  - ${path}: `))).toBe(true);
    expect(error.message).toContain('deadlines.documents.remindBefore[1]: Invalid duration "7 days"');
    expect(error.message).toContain('contacts.coordinator: unknown key');
    expect(error.message).toContain('contacts.coordinators: is required');
  });

  it('still reports cross-field problems when another field has the wrong type', () => {
    const error = issuesOf(
      exampleWith((c) => {
        c.documents.revisionRounds = 'two';
        c.contacts.coordinators = 'ditjen-ikma@ovop.kemenperin.example';
        c.sessions[2].provinces.push('51');
        c.stars.gates[0].documents = ['legalitas'];
      }),
    );
    expect(paths(error).sort()).toEqual(
      [
        'contacts.coordinators',
        'documents.revisionRounds',
        'sessions[2].provinces[17]',
        'stars.gates[0].documents[0]',
      ].sort(),
    );
    expect(error.message).toContain('documents.revisionRounds: must be a whole number, got "two"');
    expect(error.message).toContain('contacts.coordinators: must be a list, got "ditjen-ikma@ovop.kemenperin.example"');
  });

  it('takes the upload size limit in MB, and refuses one that is not a positive number up to 2000', () => {
    expect(loadCycleConfig(EXAMPLE).documents.maxFileMegabytes).toBe(10);
    const error = issuesOf(exampleWith((c) => (c.documents.maxFileMegabytes = 0)));
    expect(error.message).toContain('documents.maxFileMegabytes: must be more than 0');
    expect(issuesOf(exampleWith((c) => (c.documents.maxFileMegabytes = 5000))).message).toContain(
      'documents.maxFileMegabytes: must be at most 2000 (MB)',
    );
    expect(() => parseCycleConfig(exampleWith((c) => delete c.documents.maxFileMegabytes))).not.toThrow();
  });

  it('refuses an unknown province code in a session and for an assessor', () => {
    const error = issuesOf(
      exampleWith((c) => {
        c.sessions[0].provinces.push('39');
        c.assessment.assessors[0].province = '00';
      }),
    );
    expect(error.issues).toEqual([
      { path: 'sessions[0].provinces[11]', message: '"39" is not a Kemendagri province code (e.g. 32 for Jawa Barat)' },
      {
        path: 'assessment.assessors[0].province',
        message: '"00" is not a Kemendagri province code (e.g. 32 for Jawa Barat)',
      },
    ]);
  });

  it('accepts a province covered by two sessions, and refuses one listed twice in the same session', () => {
    expect(() => parseCycleConfig(exampleWith((c) => c.sessions[2].provinces.unshift('34')))).not.toThrow();
    const error = issuesOf(exampleWith((c) => c.sessions[2].provinces.push('51')));
    expect(error.issues).toEqual([
      { path: 'sessions[2].provinces[17]', message: 'duplicate province "51" (also at position 0)' },
    ]);
  });

  it('refuses a schedule that leaves provinces out only when requireFullCoverage is on, naming them by island group', () => {
    const withoutPapua = (c: Record<string, any>) =>
      (c.sessions[2].provinces = c.sessions[2].provinces.filter((p: string) => !p.startsWith('9')));
    expect(() => parseCycleConfig(exampleWith(withoutPapua))).not.toThrow();
    const error = issuesOf(
      exampleWith((c) => {
        withoutPapua(c);
        c.requireFullCoverage = true;
      }),
    );
    expect(error.issues).toEqual([
      {
        path: 'sessions',
        message:
          'no session covers 6 provinces: Papua: 91 Papua, 92 Papua Barat, 93 Papua Selatan, 94 Papua Tengah, ' +
          '95 Papua Pegunungan, 96 Papua Barat Daya (requireFullCoverage is on)',
      },
    ]);
  });

  it('refuses too few assessors from outside a covered province when requireFullPanels is on', () => {
    const error = issuesOf(
      exampleWith((c) => {
        c.assessment.assessorsPerNomination = 3;
        c.assessment.assessors = c.assessment.assessors.slice(0, 3); // from 32, 34 and 73
        c.assessment.requireFullPanels = true;
      }),
    );
    expect(paths(error)).toEqual(['assessment.assessors']);
    expect(error.message).toMatch(
      /kain_tenun: 32 Jawa Barat \(2 eligible\), 34 Daerah Istimewa Yogyakarta \(2 eligible\)/,
    );
    expect(error.message).toMatch(/anyaman: 11 Aceh \(2 eligible\)/);
    expect(error.message).toMatch(/requireFullPanels is on/);
  });

  it('accepts a short pool without requireFullPanels (the check reports it), and refuses a bad assessor profile', () => {
    const short = exampleWith((c) => {
      c.assessment.assessors = c.assessment.assessors.slice(0, 3);
    });
    expect(parseCycleConfig(short, 'short.yaml').assessment.assessors).toHaveLength(3);
    const error = issuesOf(
      exampleWith((c) => {
        c.assessment.assessors[0].affiliation = 'dinas';
        c.assessment.assessors[1].commodities = ['kain_songket'];
        delete c.assessment.assessors[2].affiliation;
      }),
    );
    expect(error.issues).toEqual([
      {
        path: 'assessment.assessors[0].affiliation',
        message:
          'must be one of: ministry, standardisation_institute, coordinating_ministry, association, academic, got "dinas"',
      },
      {
        path: 'assessment.assessors[1].commodities',
        message:
          'must be "all" or a list of commodity groups the assessor may assess from: makanan_minuman, kain_tenun, ' +
          'kain_batik, anyaman, gerabah, got ["kain_songket"]',
      },
      { path: 'assessment.assessors[2].affiliation', message: 'is required' },
    ]);
  });

  it('refuses a field visit block with a team out of order, a duplicate item and minFound above the checklist', () => {
    const error = issuesOf(
      exampleWith((c) => {
        c.fieldVisit.team = { min: 3, max: 2 };
        c.fieldVisit.checklist.push({ id: 'sop', label: 'SOP lagi' });
        c.fieldVisit.minFound = 9;
        c.fieldVisit.appliesTo = 'some';
      }),
    );
    expect(error.issues).toEqual([
      {
        path: 'fieldVisit.appliesTo',
        message:
          'must be all (every assessed nomination) or threshold (assessment.fieldVerificationThreshold), got "some"',
      },
      { path: 'fieldVisit.team.max', message: 'must be at least team.min (3)' },
      { path: 'fieldVisit.checklist[5].id', message: 'duplicate checklist item "sop" (also at position 1)' },
      { path: 'fieldVisit.minFound', message: 'must be at most the number of checklist items (6)' },
    ]);
  });

  it('refuses duplicate ids, a missing legality document, a bad gate and an unusable scale', () => {
    const error = issuesOf(
      exampleWith((c) => {
        c.sessions[1].id = c.sessions[0].id;
        c.documents.checklist = c.documents.checklist.filter((d: any) => d.kind !== 'legality');
        c.documents.checklist.push({ ...c.documents.checklist[0] });
        c.assessment.aspects[1].criteria[1].id = 'B1';
        c.assessment.scale = { min: 3, max: 3 };
        c.stars.gates[1].minAspectScore = { E: 60 };
        c.stars.gates[0].documents = ['distribution_permit'];
        c.timezone = 'Asia/Bandung';
        c.contacts.dinasKabKota = 'disperin@daerah.example';
        c.deadlines.attendance.at = '2027-03-31 17:00';
      }),
    );
    expect(paths(error).sort()).toEqual(
      [
        'timezone',
        'sessions[1].id',
        'documents.checklist',
        'documents.checklist[4].kind',
        'assessment.aspects[1].criteria[1].id',
        'assessment.scale.max',
        'stars.gates[1].minAspectScore.E',
        'deadlines.attendance.at',
        'contacts.dinasKabKota',
      ].sort(),
    );
  });

  it('refuses a bad award block field by field, and defaults it when left out', () => {
    const error = issuesOf(
      exampleWith((c) => {
        c.award.maxStars = 7;
        c.award.determination = 'sometimes';
        c.award.coaching.byStars['3'] = 'provincial';
        c.award.certificateHandover.within = '0s';
        c.award.secondApproval.within = 'soon';
      }),
    );
    expect(error.issues).toEqual([
      { path: 'award.maxStars', message: 'must be 1 to 5' },
      { path: 'award.determination', message: 'must be decree or per-nomination, got "sometimes"' },
      {
        path: 'award.coaching.byStars.3',
        message: 'must be one of: kementerian, provinsi, kabupaten_kota, got "provincial"',
      },
      { path: 'award.certificateHandover.within', message: 'must be longer than zero' },
      {
        path: 'award.secondApproval.within',
        message:
          'Invalid duration "soon": expected a number followed by a unit (ms, s, m, h, d, w), e.g. "14d", "12h", "1.5h" or "2h 30m"',
      },
    ]);
    const plain = parseCycleConfig(exampleWith((c) => delete c.award));
    expect(plain.award).toEqual({
      maxStars: 5,
      determination: 'per-nomination',
      packagingFromStars: 3,
      coaching: {
        byStars: { 1: 'kabupaten_kota', 2: 'kabupaten_kota', 3: 'provinsi', 4: 'kementerian', 5: 'kementerian' },
      },
      secondApproval: { within: '7d' },
    });
    expect(loadCycleConfig(EXAMPLE).award).toMatchObject({
      maxStars: 3,
      determination: 'decree',
      secondApproval: { within: '7d' },
    });
  });

  it('reports a YAML syntax error as one issue with its line and column', () => {
    const error = issuesOf('id: ovop-2027\nsessions: [sesi-1\nname: x\n');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0].message).toMatch(/invalid YAML: .* at line \d+, column \d+/);
  });

  it('reports a missing file as a config error', () => {
    expect(() => loadCycleConfig('config/no-such-cycle.yaml')).toThrow(CycleConfigError);
  });
});

describe('Kemendagri regions', () => {
  it('has 38 provinces and 514 kabupaten/kota', () => {
    const regions = loadRegions();
    expect(Object.keys(regions.provinces)).toHaveLength(38);
    expect(Object.keys(regions.regencies)).toHaveLength(514);
    expect(loadRegions()).toBe(regions);
  });

  it('gives display names as people write them', () => {
    expect(regionDisplayName('32.05')).toBe('Kab. Garut');
    expect(regionDisplayName('34.71')).toBe('Kota Yogyakarta');
    expect(regionDisplayName('13.04')).toBe('Kab. Tanah Datar');
    expect(regionDisplayName('52.01')).toBe('Kab. Lombok Barat');
    expect(regionDisplayName('32')).toBe('Jawa Barat');
    expect(regionDisplayName('31')).toBe('DKI Jakarta');
    expect(regionDisplayName('31.71')).toBe('Kota Adm. Jakarta Pusat');
    expect(() => regionDisplayName('32.99')).toThrow(/Unknown region code "32.99"/);
    expect(() => regionDisplayName('constructor')).toThrow(/Unknown region code/);
  });

  it('knows the province of a regency', () => {
    expect(provinceOf('32.05')).toBe('32');
    expect(loadRegions().provinceOfRegency('34.71')).toBe('34');
    expect(() => loadRegions().provinceOfRegency('34.99')).toThrow(/Unknown kabupaten\/kota code/);
  });
});

describe('the pre-screen, the sentra and the samples in a cycle config', () => {
  it('needs the deadline of each step it takes, and refuses one for a step it does not', () => {
    const error = issuesOf(
      exampleWith((c) => {
        delete c.deadlines.prescreenCompletion;
        c.samples.required = false;
      }),
    );
    expect(error.issues).toEqual([
      { path: 'deadlines.prescreenCompletion', message: 'is required when prescreen.enabled is true' },
      {
        path: 'deadlines.samples',
        message: 'has no effect unless samples.required is true; remove it or turn the step on',
      },
    ]);
  });
  it('refuses fewer than 5 units, and a decree document missing from the checklist or not required for all', () => {
    expect(
      issuesOf(
        exampleWith((c) => {
          c.sentra.decreeDocument = 'sk_sentra';
          c.sentra.minUnits = 3;
        }),
      ).issues,
    ).toEqual([
      { path: 'sentra.minUnits', message: 'must be at least 5, the units a sentra counts by regulation' },
      {
        path: 'sentra.decreeDocument',
        message:
          '"sk_sentra" is not a kind in documents.checklist (legality, sentra_decree, distribution_permit, halal, lab_test)',
      },
    ]);
    const notForAll = issuesOf(
      exampleWith((c) => {
        c.documents.checklist.find((d: any) => d.kind === 'sentra_decree').commodities = ['gerabah'];
      }),
    );
    expect(notForAll.issues).toEqual([
      {
        path: 'sentra.decreeDocument',
        message: 'the sentra decree sentra_decree must be required for `all` commodities in documents.checklist',
      },
    ]);
  });
  it('leaves the steps out of a cycle without them, and defaults their settings', () => {
    const plain = loadCycleConfig('examples/cycle.yaml');
    expect([plain.prescreen, plain.samples, plain.sentra, plain.deadlines.prescreen]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    const defaults = parseCycleConfig(
      exampleWith((c) => {
        c.prescreen = { enabled: true };
        c.sentra = { decreeDocument: 'sentra_decree' };
      }),
    );
    expect(defaults.prescreen).toEqual({ enabled: true, maxReturns: 2 });
    expect(defaults.sentra).toEqual({ minUnits: 5, decreeDocument: 'sentra_decree' });
  });
});
