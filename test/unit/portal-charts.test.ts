/**
 * The coordinator's pictures without a browser: the tile grid holds each of the region data's 38 provinces once, on a
 * cell of its own inside the grid; every map shade reads at WCAG AA with its text; the shade steps and legend ranges.
 */
import { describe, expect, it } from 'vitest';
import { barChart, SHADES, shadeIndex, shadeRanges } from '../../api/portal/charts';
import { GRID_COLUMNS, GRID_ROWS, PROVINCE_TILES } from '../../api/portal/province-grid';
import { provinceMap } from '../../api/portal/province-map';
import { loadRegions } from '../../domain/regions';

/** WCAG 2 relative luminance and contrast ratio of two `#rrggbb` colours. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

describe('the provinces tile grid', () => {
  const codes = Object.keys(loadRegions().provinces).sort();

  it('has a tile for every one of the 38 provinces of the region data, and for nothing else', () => {
    expect(codes).toHaveLength(38);
    expect(Object.keys(PROVINCE_TILES).sort()).toEqual(codes);
  });

  it('puts no two provinces on the same cell, every cell inside the grid', () => {
    const cells = new Map<string, string>();
    for (const [code, { col, row }] of Object.entries(PROVINCE_TILES)) {
      expect(Number.isInteger(col) && col >= 0 && col < GRID_COLUMNS, `${code} column ${col}`).toBe(true);
      expect(Number.isInteger(row) && row >= 0 && row < GRID_ROWS, `${code} row ${row}`).toBe(true);
      const cell = `${col},${row}`;
      expect(cells.get(cell), `${code} and ${cells.get(cell)} both on ${cell}`).toBeUndefined();
      cells.set(cell, code);
    }
  });

  it('labels each tile with letters of its own, and keeps Aceh top-left and Papua on the right', () => {
    const letters = Object.values(PROVINCE_TILES).map((t) => t.abbr);
    expect(new Set(letters).size).toBe(38);
    for (const l of letters) expect(l).toMatch(/^[A-Z]{2}$/);
    expect(PROVINCE_TILES['11']).toMatchObject({ abbr: 'AC', col: 0, row: 0 });
    const papua = ['91', '92', '93', '94', '95', '96'].map((c) => PROVINCE_TILES[c].col);
    const others = Object.entries(PROVINCE_TILES)
      .filter(([c]) => !c.startsWith('9'))
      .map(([, t]) => t.col);
    expect(Math.min(...papua)).toBeGreaterThan(Math.max(...others));
  });
});

describe('the map shades', () => {
  it('give every tile text a contrast of 4.5:1 or more', () => {
    for (const s of SHADES) expect(contrast(s.fill, s.text), `${s.text} on ${s.fill}`).toBeGreaterThanOrEqual(4.5);
  });

  it('step by one up to four, then in four equal steps of the largest value', () => {
    expect([0, 1, 2, 3].map((v) => shadeIndex(v, 3))).toEqual([0, 1, 2, 3]);
    expect([0, 1, 25, 26, 50, 51, 100].map((v) => shadeIndex(v, 100))).toEqual([0, 1, 1, 2, 2, 3, 4]);
    expect(shadeRanges(0)).toEqual([
      [0, 0, 0],
      [1, 1, 1],
    ]);
    expect(shadeRanges(3)).toEqual([
      [0, 0, 0],
      [1, 1, 1],
      [2, 2, 2],
      [3, 3, 3],
    ]);
    expect(shadeRanges(10)).toEqual([
      [0, 0, 0],
      [1, 1, 2],
      [2, 3, 5],
      [3, 6, 7],
      [4, 8, 10],
    ]);
    // Every value up to the largest falls in the range of the shade it gets.
    for (const v of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const [, from, to] = shadeRanges(10).find(([k]) => k === shadeIndex(v, 10))!;
      expect(v >= from && v <= to, `${v} in ${from}–${to}`).toBe(true);
    }
  });
});

describe('the SVG pictures', () => {
  it('are images with a title and a description, and escape what they are given', () => {
    const chart = barChart({
      id: 'uji',
      title: 'Bintang <per> provinsi',
      desc: 'Jawa Barat: 1',
      rows: [{ label: 'Jawa "Barat"', parts: [0, 1, 0, 0, 0] }],
      format: String,
    }).text;
    expect(chart).toMatch(/^<svg[^>]*role="img"[^>]*aria-labelledby="uji-judul"[^>]*aria-describedby="uji-uraian"/);
    expect(chart).toContain('<title id="uji-judul">Bintang &lt;per&gt; provinsi</title>');
    expect(chart).toContain('<desc id="uji-uraian">Jawa Barat: 1</desc>');
    expect(chart).toContain('Jawa &quot;Barat&quot;');
    expect(chart.match(/<rect\s/g)).toHaveLength(1);

    const map = provinceMap({
      id: 'peta',
      title: 'Peta',
      desc: 'Jawa Barat (JB): 2',
      provinces: [
        { code: '32', name: 'Jawa Barat', value: 2 },
        { code: '11', name: 'Aceh', value: 0 },
      ],
      format: String,
    }).text;
    expect(map).toContain('<title>Jawa Barat (JB): 2</title>');
    expect(map).toMatch(/data-province="32" data-shade="2"/);
    expect(map).toMatch(/data-province="11" data-shade="0"/);
  });
});
