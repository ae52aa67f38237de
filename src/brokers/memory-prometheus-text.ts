/**
 * Just enough of the Prometheus text exposition format (version 0.0.4) to read one metric:
 * `name{label="value",...} value [timestamp]` lines, `#` comments, escapes in label values
 * (\\, \", \n), and the special values NaN, +Inf, -Inf.
 */
export interface PromSeries {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Every sample line of the text; a line that does not parse is skipped, not fatal. */
export function parsePrometheusText(text: string): PromSeries[] {
  const series: PromSeries[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parsed = parseLine(line);
    if (parsed) series.push(parsed);
  }
  return series;
}

function parseLine(line: string): PromSeries | undefined {
  const name = NAME.exec(line)?.[0];
  if (!name) return undefined;
  // Tokens may be separated by any number of blanks.
  let rest = line.slice(name.length).trimStart();
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const end = readLabels(rest, labels);
    if (end < 0) return undefined;
    rest = rest.slice(end);
  }
  const [valueText] = rest.trim().split(/\s+/);
  if (valueText === undefined || valueText === '') return undefined;
  const value = parseValue(valueText);
  return value === undefined ? undefined : { name, labels, value };
}

/** Reads `{a="x",b="y"}` into `labels`; returns the index after `}`, or -1. */
function readLabels(text: string, labels: Record<string, string>): number {
  let i = 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return i + 1;
    const name = LABEL_NAME.exec(text.slice(i))?.[0];
    if (!name) return -1;
    i += name.length;
    while (text[i] === ' ') i++;
    if (text[i] !== '=') return -1;
    i++;
    while (text[i] === ' ') i++;
    if (text[i] !== '"') return -1;
    i++;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) return -1;
      if (c === '"') break;
      if (c === '\\') {
        const next = text[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    labels[name] = value;
    i++;
  }
}

function parseValue(text: string): number | undefined {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : undefined;
}

/** The series named `metric` whose labels include every one of `labels`. */
export function selectSeries(series: readonly PromSeries[], metric: string, labels: Readonly<Record<string, string>> = {}): PromSeries[] {
  return series.filter((s) => s.name === metric && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}
