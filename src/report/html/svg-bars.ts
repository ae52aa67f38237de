import { count } from '../../checks/words.js';
import { escapeXml as esc } from './escape.js';

/**
 * Grouped horizontal bars as static SVG (no script needed): one group per category, one bar
 * per run in the run's colour, the number written at the end of each bar. Used for the
 * message outcomes, where the numbers matter more than the shapes and a lost count of 3
 * beside 20,000 delivered must still be readable.
 */
export interface BarChart {
  title: string;
  series: readonly { label: string; color: string }[];
  categories: readonly { name: string; hint?: string; values: readonly (number | null)[] }[];
}

const WIDTH = 760;
const LABEL = 150;
const VALUE = 80;
const BAR = 14;
const GAP = 3;
const GROUP_GAP = 12;

export function svgBars(chart: BarChart): string {
  const max = Math.max(1, ...chart.categories.flatMap((c) => c.values.map((v) => v ?? 0)));
  const span = WIDTH - LABEL - VALUE;
  const groupHeight = chart.series.length * (BAR + GAP) - GAP;
  const parts: string[] = [];
  let y = 4;
  for (const category of chart.categories) {
    const mid = y + groupHeight / 2;
    parts.push(`<text class="bar-category" x="${LABEL - 8}" y="${mid.toFixed(1)}" text-anchor="end" dominant-baseline="middle">${esc(category.name)}${category.hint ? `<title>${esc(category.hint)}</title>` : ''}</text>`);
    category.values.forEach((value, i) => {
      const s = chart.series[i]!;
      const top = y + i * (BAR + GAP);
      const text = value === null ? 'not run' : count(value);
      const width = value === null ? 0 : Math.max(value > 0 ? 1.5 : 0, (value / max) * span);
      parts.push(
        `<g class="bar" data-category="${esc(category.name)}" data-run="${esc(s.label)}" data-value="${value ?? ''}">` +
          `<title>${esc(`${s.label} · ${category.name}: ${text}`)}</title>` +
          `<rect x="${LABEL}" y="${top}" width="${width.toFixed(1)}" height="${BAR}" rx="2" fill="${s.color}"/>` +
          `<text class="bar-value" x="${(LABEL + width + 5).toFixed(1)}" y="${(top + BAR / 2).toFixed(1)}" dominant-baseline="middle">${text}</text>` +
          '</g>',
      );
    });
    y += groupHeight + GROUP_GAP;
  }
  const height = Math.ceil(y - GROUP_GAP + 4);
  return `<svg class="chart bars" role="img" aria-label="${esc(chart.title)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}">${parts.join('')}</svg>`;
}
