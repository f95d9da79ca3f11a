/**
 * The portal's charts, drawn on the server as inline SVG (no chart library, nothing fetched by the browser): a
 * horizontal bar chart whose bars are stacked by part (the star levels), and the colour scales the charts and the
 * provinces' map share. Each SVG is one image to assistive technology (role="img" with a title and a description);
 * the page puts the same figures in a table beside it.
 */
import { html, type SafeHtml } from './html';

/** A fill and the text colour that reads on it at WCAG AA (4.5:1 or more; test/unit/portal-charts.test.ts checks). */
export interface Shade {
  fill: string;
  text: string;
}

/** The map's five shades, from "none" to "the most": a light grey, then a sequential blue scale. */
export const SHADES: readonly Shade[] = [
  { fill: '#eceff3', text: '#1b1b1b' },
  { fill: '#c6dbef', text: '#1b1b1b' },
  { fill: '#6baed6', text: '#1b1b1b' },
  { fill: '#2171b5', text: '#ffffff' },
  { fill: '#08306b', text: '#ffffff' },
];

/** The bars' parts, darkest first (Bintang 5 … Bintang 1). */
export const PART_FILLS = ['#08306b', '#2171b5', '#4292c6', '#6baed6', '#9ecae1'] as const;

/**
 * Which of SHADES a value gets: 0 for none, else one of four equal steps up to the largest value (steps of one when
 * the largest is four or less, so 1 and 2 never look alike).
 */
export function shadeIndex(value: number, largest: number): number {
  if (value <= 0) return 0;
  const top = Math.max(largest, SHADES.length - 1);
  return Math.min(SHADES.length - 1, Math.ceil((value * (SHADES.length - 1)) / top));
}

/** The values each shade stands for, for the legend: `[index, from, to]`, none above the largest value but 1. */
export function shadeRanges(largest: number): [number, number, number][] {
  const steps = SHADES.length - 1;
  const top = Math.max(largest, steps);
  const out: [number, number, number][] = [[0, 0, 0]];
  for (let k = 1; k <= steps; k++) {
    const from = Math.floor(((k - 1) * top) / steps) + 1;
    const to = Math.floor((k * top) / steps);
    if (from <= to && from <= Math.max(largest, 1)) out.push([k, from, to]);
  }
  return out;
}

export interface BarRow {
  label: string;
  /** One number per part, in the order of the chart's `parts`. */
  parts: number[];
}

export interface BarChart {
  /** Unique on the page: the SVG's title and description ids derive from it. */
  id: string;
  title: string;
  desc: string;
  rows: BarRow[];
  /** Formats a bar's total as the page writes numbers (id-ID: 1.234). */
  format: (n: number) => string;
}

// The chart's own coordinate system; the SVG scales to the width of its column (the stylesheet caps it).
const WIDTH = 480;
const LABEL_END = 186;
const BAR_START = 192;
const BAR_SPACE = WIDTH - BAR_START - 44;
const ROW = 28;
const BAR = 18;

export function barChart(c: BarChart): SafeHtml {
  const largest = Math.max(1, ...c.rows.map((r) => r.parts.reduce((a, b) => a + b, 0)));
  const height = c.rows.length * ROW + 8;
  const unit = BAR_SPACE / largest;
  return html`<svg
    class="chart"
    role="img"
    aria-labelledby="${c.id}-judul"
    aria-describedby="${c.id}-uraian"
    viewBox="0 0 ${WIDTH} ${height}"
    width="${WIDTH}"
    height="${height}"
  >
    <title id="${c.id}-judul">${c.title}</title>
    <desc id="${c.id}-uraian">${c.desc}</desc>
    ${c.rows.map((r, i) => {
      const y = 4 + i * ROW;
      let x = BAR_START;
      const total = r.parts.reduce((a, b) => a + b, 0);
      const segments = r.parts.map((n, p) => {
        const w = n * unit;
        const rect = n
          ? html`<rect
              x="${x.toFixed(1)}"
              y="${y + (ROW - BAR) / 2}"
              width="${w.toFixed(1)}"
              height="${BAR}"
              fill="${PART_FILLS[p % PART_FILLS.length]}"
            />`
          : '';
        x += w;
        return rect;
      });
      return html`<g>
        <text x="${LABEL_END}" y="${y + ROW / 2}" text-anchor="end" dominant-baseline="central">${r.label}</text>
        <line x1="${BAR_START}" x2="${BAR_START}" y1="${y}" y2="${y + ROW}" stroke="#4b5563" />
        ${segments}
        <text x="${(x + 6).toFixed(1)}" y="${y + ROW / 2}" dominant-baseline="central" font-weight="600">
          ${c.format(total)}
        </text>
      </g>`;
    })}
  </svg>`;
}

/** A legend in the page's own text (so its contrast is the page's): a colour swatch beside each label. */
export function legend(label: string, items: { fill: string; label: string }[]): SafeHtml {
  return html`<ul class="legend" aria-label="${label}">
    ${items.map(
      (i) =>
        html`<li>
          <svg class="swatch" aria-hidden="true" viewBox="0 0 14 14" width="14" height="14">
            <rect width="14" height="14" fill="${i.fill}" stroke="#4b5563" stroke-width="0.5" />
          </svg>
          ${i.label}
        </li>`,
    )}
  </ul>`;
}
