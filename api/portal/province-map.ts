/**
 * Indonesia's 38 provinces as a tile-grid map (one square each, placed as api/portal/province-grid.ts says), every
 * tile shaded by a value and labelled with its letters and the value, as one inline SVG image. Boundaries were not to
 * be had offline as an openly licensed package; a tile grid also gives small provinces (DKI Jakarta, DI Yogyakarta,
 * Bali) the same weight on the screen as Papua, which suits counts of nominations.
 */
import { SHADES, shadeIndex } from './charts';
import { html, type SafeHtml } from './html';
import { GRID_COLUMNS, GRID_ROWS, PROVINCE_TILES } from './province-grid';

export interface ProvinceValue {
  code: string;
  name: string;
  value: number;
}

export interface ProvinceMap {
  id: string;
  title: string;
  desc: string;
  provinces: ProvinceValue[];
  format: (n: number) => string;
}

const TILE = 40;
const GAP = 2;

export function provinceMap(m: ProvinceMap): SafeHtml {
  const largest = Math.max(0, ...m.provinces.map((p) => p.value));
  const width = GRID_COLUMNS * TILE;
  const height = GRID_ROWS * TILE;
  return html`<svg
    class="tile-map"
    role="img"
    aria-labelledby="${m.id}-judul"
    aria-describedby="${m.id}-uraian"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
  >
    <title id="${m.id}-judul">${m.title}</title>
    <desc id="${m.id}-uraian">${m.desc}</desc>
    ${m.provinces.map((p) => {
      const tile = PROVINCE_TILES[p.code];
      if (!tile) return '';
      const shade = SHADES[shadeIndex(p.value, largest)];
      const x = tile.col * TILE;
      const y = tile.row * TILE;
      const middle = x + TILE / 2;
      return html`<g class="tile" data-province="${p.code}" data-shade="${shadeIndex(p.value, largest)}">
        <title>${p.name} (${tile.abbr}): ${m.format(p.value)}</title>
        <rect
          x="${x + GAP / 2}"
          y="${y + GAP / 2}"
          width="${TILE - GAP}"
          height="${TILE - GAP}"
          rx="3"
          fill="${shade.fill}"
        />
        <text x="${middle}" y="${y + 15}" text-anchor="middle" font-size="13" font-weight="700" fill="${shade.text}">
          ${tile.abbr}
        </text>
        <text x="${middle}" y="${y + 31}" text-anchor="middle" font-size="12" fill="${shade.text}">
          ${m.format(p.value)}
        </text>
      </g>`;
    })}
  </svg>`;
}
