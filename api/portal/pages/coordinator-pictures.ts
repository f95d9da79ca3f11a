/**
 * The pictures of a cycle on the coordinator's dashboard, as a ministry shows them: the stars determined per province
 * and per commodity group as bar charts (stacked by star level), and the map of the 38 provinces shaded by their
 * nominations or their starred IKM (`?peta=usulan|bintang`). The figures are the stars report's (api/stars-report.ts,
 * from the PostgreSQL projection), and every picture has its figures in a table beside it.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/database';
import { loadRegions, regionDisplayName } from '../../../domain/regions';
import { COMMODITIES } from '../../../domain/types';
import { starsReport, type StarsGroup } from '../../stars-report';
import { barChart, legend, PART_FILLS, SHADES, shadeRanges, type BarRow } from '../charts';
import type { PageContext } from '../context';
import type { PortalCycle } from '../cycles';
import { formatNumber } from '../format';
import { html, type SafeHtml } from '../html';
import { PROVINCE_TILES } from '../province-grid';
import { provinceMap } from '../province-map';

/** What the map is shaded by: nominations (`usulan`, the default) or starred IKM (`bintang`). */
export type MapMeasure = 'usulan' | 'bintang';
export const mapMeasureOf = (asked: unknown): MapMeasure => (asked === 'bintang' ? 'bintang' : 'usulan');

const LEVELS = [5, 4, 3, 2, 1] as const;
const starredIn = (g: StarsGroup | undefined) => (g ? LEVELS.reduce((sum, s) => sum + g.stars[s], 0) : 0);

export async function cyclePictures(
  db: Kysely<Database>,
  ctx: PageContext,
  cycle: PortalCycle,
  measure: MapMeasure,
): Promise<SafeHtml> {
  const { t } = ctx;
  const p = t.pictures;
  const n = (v: number) => formatNumber(t, v, 0);
  const byProvince = await starsReport(db, cycle, 'province');
  const byCommodity = await starsReport(db, cycle, 'commodity');

  const commodityGroups = new Map(byCommodity.groups.map((g) => [g.code, g]));
  const commodityCodes = [
    ...COMMODITIES,
    ...byCommodity.groups.map((g) => g.code).filter((c) => !(COMMODITIES as readonly string[]).includes(c)),
  ];
  const emptyGroup = (code: string, name: string): StarsGroup => ({
    code,
    name,
    stars: { 5: 0, 4: 0, 3: 0, 2: 0, 1: 0 },
    notClassified: 0,
    inProgress: 0,
    closedWithoutStars: 0,
    total: 0,
  });
  const commodities = commodityCodes.map((code) => commodityGroups.get(code) ?? emptyGroup(code, code));
  const commodityLabel = (g: StarsGroup) => t.commodities[g.code] ?? g.name;

  const provinceGroups = new Map(byProvince.groups.map((g) => [g.code, g]));
  const provinces = Object.keys(loadRegions().provinces)
    .sort()
    .map((code) => ({ code, name: regionDisplayName(code), group: provinceGroups.get(code) }));
  const valueOf = (g: StarsGroup | undefined) => (measure === 'bintang' ? starredIn(g) : (g?.total ?? 0));
  const mapValues = provinces.map((pr) => ({ code: pr.code, name: pr.name, value: valueOf(pr.group) }));
  const largest = Math.max(0, ...mapValues.map((v) => v.value));
  const shaded = mapValues.filter((v) => v.value > 0);
  const here = (m: MapMeasure) => `/koordinator?siklus=${encodeURIComponent(cycle.id)}&peta=${m}#peta`;

  return html`<section aria-labelledby="gambaran">
    <h2 id="gambaran">${p.heading}</h2>
    ${byCommodity.nominations > 0 && byProvince.starred.length === 0 ? html`<p>${p.noneYet}</p>` : ''}
    ${legend(
      p.legend,
      LEVELS.map((s, i) => ({ fill: PART_FILLS[i], label: p.stars(s) })),
    )}
    <div class="pictures">
      <figure id="grafik-provinsi">
        <h3>${p.byProvince}</h3>
        ${
          byProvince.groups.length
            ? starsChart(ctx, 'bintang-provinsi', p.byProvince, p.province, byProvince.groups, (g) => g.name)
            : html`<p>${t.coordinator.none}</p>`
        }
      </figure>
      <figure id="grafik-komoditas">
        <h3>${p.byCommodity}</h3>
        ${starsChart(ctx, 'bintang-komoditas', p.byCommodity, p.commodity, commodities, commodityLabel)}
      </figure>
    </div>

    <h3 id="peta">${p.map}: ${p.measures[measure]}</h3>
    <nav aria-label="${p.measure}" class="toggle">
      ${(['usulan', 'bintang'] as const).map(
        (m) => html`<a href="${here(m)}" ${m === measure ? html`aria-current="true"` : ''}>${p.measures[m]}</a>`,
      )}
    </nav>
    ${provinceMap({
      id: 'peta-provinsi',
      title: `${p.map}: ${p.measures[measure]}`,
      desc: p.mapDesc(
        shaded.map((v) => `${v.name} (${PROVINCE_TILES[v.code]?.abbr ?? v.code}): ${n(v.value)}`).join('; '),
        n(mapValues.length - shaded.length),
      ),
      provinces: mapValues,
      format: n,
    })}
    ${legend(
      p.legend,
      shadeRanges(largest).map(([k, from, to]) => ({
        fill: SHADES[k].fill,
        label: from === to ? n(from) : `${n(from)}–${n(to)}`,
      })),
    )}
    <details>
      <summary>${p.figures}: ${p.map}</summary>
      <table id="peta-angka">
        <thead>
          <tr>
            <th scope="col">${p.code}</th>
            <th scope="col">${p.province}</th>
            <th scope="col" class="num">${p.measures.usulan}</th>
            <th scope="col" class="num">${p.measures.bintang}</th>
          </tr>
        </thead>
        <tbody>
          ${provinces.map(
            (pr) =>
              html`<tr data-province="${pr.code}">
                <td>${PROVINCE_TILES[pr.code]?.abbr ?? pr.code}</td>
                <th scope="row">${pr.name}</th>
                <td class="num">${n(pr.group?.total ?? 0)}</td>
                <td class="num">${n(starredIn(pr.group))}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </details>
  </section>`;
}

/** One bar per group, stacked Bintang 5 … 1, with the same figures in a table (cards on a phone). */
function starsChart(
  ctx: PageContext,
  id: string,
  title: string,
  groupHeading: string,
  groups: StarsGroup[],
  label: (g: StarsGroup) => string,
): SafeHtml {
  const { t } = ctx;
  const p = t.pictures;
  const n = (v: number) => formatNumber(t, v, 0);
  const rows: BarRow[] = groups.map((g) => ({ label: label(g), parts: LEVELS.map((s) => g.stars[s]) }));
  const said = groups.map((g) => {
    const levels = LEVELS.filter((s) => g.stars[s]).map((s) => `${p.stars(s)}: ${n(g.stars[s])}`);
    return `${label(g)}: ${n(starredIn(g))}${levels.length ? ` (${levels.join(', ')})` : ''}`;
  });
  return html`${barChart({ id, title, desc: p.chartDesc(said.join('; ')), rows, format: n })}
    <details>
      <summary>${p.figures}: ${title}</summary>
      <table class="cards" id="${id}-angka">
        <thead>
          <tr>
            <th scope="col">${groupHeading}</th>
            ${LEVELS.map((s) => html`<th scope="col" class="num">${p.stars(s)}</th>`)}
            <th scope="col" class="num">${p.measures.bintang}</th>
            <th scope="col" class="num">${p.measures.usulan}</th>
          </tr>
        </thead>
        <tbody>
          ${groups.map(
            (g) =>
              html`<tr data-group="${g.code}">
                <td data-label="${groupHeading}"><strong>${label(g)}</strong></td>
                ${LEVELS.map((s) => html`<td class="num" data-label="${p.stars(s)}">${n(g.stars[s])}</td>`)}
                <td class="num" data-label="${p.measures.bintang}">${n(starredIn(g))}</td>
                <td class="num" data-label="${p.measures.usulan}">${n(g.total)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </details>`;
}
