/**
 * Kemendagri region codes: 38 provinces (`PP`) and 514 kabupaten/kota (`PP.KK`), read from the CSV files that the
 * `idn-area-data` package ships (data under ODbL), so no list of names is typed by hand.
 *
 * Node-side only (reads files). Workflows never import this: the cycle config loader copies the codes into
 * `CycleConfig.provinces` / `CycleConfig.regencies`, and workflow validators look codes up there. What needs only the
 * code's text (its province, its pattern) is in domain/region-codes.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Regions {
  /** Province code → official name, e.g. `32` → `JAWA BARAT`. */
  provinces: Record<string, string>;
  /** Regency/city code → official name, e.g. `32.05` → `KABUPATEN GARUT`. */
  regencies: Record<string, string>;
  /** The province a regency belongs to, as recorded in the data; throws for an unknown regency code. */
  provinceOfRegency(code: string): string;
}

let memo: Regions | undefined;

/** Loads the region tables once per process; the returned records are frozen because every caller shares them. */
export function loadRegions(): Regions {
  memo ??= readRegions();
  return memo;
}

function readRegions(): Regions {
  // Resolve through the package rather than a fixed node_modules path, so hoisting and workspaces keep working.
  const packageDir = dirname(createRequire(import.meta.url).resolve('idn-area-data/package.json'));
  const provinceRows = readCsv(join(packageDir, 'data', 'provinces.csv'), ['code', 'name']);
  const regencyRows = readCsv(join(packageDir, 'data', 'regencies.csv'), ['code', 'province_code', 'name']);

  const provinces: Record<string, string> = {};
  for (const [code, name] of provinceRows) provinces[code] = name;
  const regencies: Record<string, string> = {};
  const provinceByRegency: Record<string, string> = {};
  for (const [code, provinceCode, name] of regencyRows) {
    regencies[code] = name;
    provinceByRegency[code] = provinceCode;
  }
  Object.freeze(provinces);
  Object.freeze(regencies);

  return Object.freeze({
    provinces,
    regencies,
    provinceOfRegency(code: string): string {
      // hasOwn, not a plain lookup: `provinceByRegency['constructor']` would otherwise find Object's prototype.
      if (!Object.hasOwn(provinceByRegency, code)) {
        throw new Error(`Unknown kabupaten/kota code "${code}" (expected a Kemendagri code such as 32.05)`);
      }
      return provinceByRegency[code];
    },
  });
}

/**
 * A deliberately tiny CSV reader: the package's files are plain `a,b,c` lines without quotes or commas inside names
 * (checked for idn-area-data 3.1.2). It fails loudly if a future version breaks that, instead of mis-splitting a name.
 */
function readCsv(path: string, expectedHeader: string[]): string[][] {
  const lines = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  const header = lines.shift()?.split(',');
  if (header?.join(',') !== expectedHeader.join(',')) {
    throw new Error(`Unexpected header in ${path}: "${header?.join(',')}", expected "${expectedHeader.join(',')}"`);
  }
  return lines.map((line, index) => {
    const cells = line.split(',');
    if (cells.length !== expectedHeader.length || line.includes('"')) {
      throw new Error(
        `${path} line ${index + 2} is not a simple ${expectedHeader.length}-column row; switch to csv-parse`,
      );
    }
    return cells.map((cell) => cell.trim());
  });
}

/** Words kept as written (acronyms) or shortened the way Indonesian lists of regions write them. */
const WORD_FORMS: Record<string, string> = {
  DKI: 'DKI',
  KABUPATEN: 'Kab.',
  ADMINISTRASI: 'Adm.',
};

/**
 * A name fit for mail and reports: `32` → `Jawa Barat`, `32.05` → `Kab. Garut`, `34.71` → `Kota Yogyakarta`,
 * `31.71` → `Kota Adm. Jakarta Pusat`. Throws for an unknown code.
 */
export function regionDisplayName(code: string): string {
  const { provinces, regencies } = loadRegions();
  const table = code.includes('.') ? regencies : provinces;
  if (!Object.hasOwn(table, code)) {
    throw new Error(`Unknown region code "${code}" (expected a Kemendagri code such as 32 or 32.05)`);
  }
  return table[code]
    .split(/\s+/)
    .map((word) => WORD_FORMS[word] ?? word.charAt(0) + word.slice(1).toLowerCase())
    .join(' ');
}
