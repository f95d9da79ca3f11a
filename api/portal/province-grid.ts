/**
 * Where each of the 38 provinces sits on the coordinator's tile-grid map of Indonesia, and the letters on its tile.
 * Keyed by the Kemendagri province code of domain/regions.ts (the names come from there, not from here); the letters
 * are the ISO 3166-2:ID subdivision codes, the abbreviations maps and statistics tables already use.
 *
 * Placement: one square per province, the column by longitude (about 2.5° each, Aceh at 95°E in column 0, Papua's
 * 140°E in column 15) and the row by latitude (north at the top), then nudged by hand so that no two share a cell
 * and neighbours stay neighbours: Sumatra runs down the left from Aceh, Java along row 5 with Jakarta on its north
 * coast and Yogyakarta on its south, Bali and Nusa Tenggara along the bottom, Kalimantan and Sulawesi in the middle,
 * Maluku, then the six Papua provinces on the right. Boundaries would need a geographic data package; this needs none.
 */

export interface ProvinceTile {
  /** ISO 3166-2:ID code without the country prefix, e.g. `JB` for Jawa Barat. */
  abbr: string;
  col: number;
  row: number;
}

export const PROVINCE_TILES: Readonly<Record<string, ProvinceTile>> = Object.freeze({
  // Sumatra and its islands
  '11': { abbr: 'AC', col: 0, row: 0 },
  '12': { abbr: 'SU', col: 1, row: 1 },
  '14': { abbr: 'RI', col: 2, row: 1 },
  '21': { abbr: 'KR', col: 3, row: 1 },
  '13': { abbr: 'SB', col: 1, row: 2 },
  '15': { abbr: 'JA', col: 2, row: 2 },
  '19': { abbr: 'BB', col: 3, row: 2 },
  '17': { abbr: 'BE', col: 1, row: 3 },
  '16': { abbr: 'SS', col: 2, row: 3 },
  '18': { abbr: 'LA', col: 2, row: 4 },
  // Java
  '31': { abbr: 'JK', col: 4, row: 4 },
  '36': { abbr: 'BT', col: 3, row: 5 },
  '32': { abbr: 'JB', col: 4, row: 5 },
  '33': { abbr: 'JT', col: 5, row: 5 },
  '35': { abbr: 'JI', col: 6, row: 5 },
  '34': { abbr: 'YO', col: 5, row: 6 },
  // Bali and Nusa Tenggara
  '51': { abbr: 'BA', col: 7, row: 6 },
  '52': { abbr: 'NB', col: 8, row: 6 },
  '53': { abbr: 'NT', col: 9, row: 6 },
  // Kalimantan
  '65': { abbr: 'KU', col: 7, row: 1 },
  '61': { abbr: 'KB', col: 5, row: 2 },
  '62': { abbr: 'KT', col: 6, row: 2 },
  '64': { abbr: 'KI', col: 7, row: 2 },
  '63': { abbr: 'KS', col: 7, row: 3 },
  // Sulawesi
  '75': { abbr: 'GO', col: 10, row: 1 },
  '71': { abbr: 'SA', col: 11, row: 1 },
  '72': { abbr: 'ST', col: 9, row: 2 },
  '76': { abbr: 'SR', col: 8, row: 3 },
  '74': { abbr: 'SG', col: 9, row: 3 },
  '73': { abbr: 'SN', col: 8, row: 4 },
  // Maluku
  '82': { abbr: 'MU', col: 12, row: 1 },
  '81': { abbr: 'MA', col: 12, row: 3 },
  // Papua
  '96': { abbr: 'PD', col: 13, row: 2 },
  '92': { abbr: 'PB', col: 14, row: 2 },
  '91': { abbr: 'PA', col: 15, row: 2 },
  '94': { abbr: 'PT', col: 14, row: 3 },
  '95': { abbr: 'PE', col: 15, row: 3 },
  '93': { abbr: 'PS', col: 15, row: 4 },
});

/** The grid's size in tiles. */
export const GRID_COLUMNS = 16;
export const GRID_ROWS = 7;
