import { didYouMean } from '../scenario/suggest.js';
import { DURATION_UNITS, SIZE_UNITS } from '../scenario/units.js';
import { isMetricName, METRICS, type MetricInfo, type MetricKind, type MetricName } from './metric-names.js';

/**
 * Threshold expressions, `<metric> <op> <value>[unit]`, e.g. `redelivery.latency.p99 < 2s`.
 * The value is normalised to the metric kind's unit (ms, bytes, fraction), so a check
 * compares it with the measured number directly.
 */
export type Operator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** The unit `value` is held in, by metric kind. */
export type CanonicalUnit = 'count' | 'ms' | 'B' | 'fraction';

export interface Expression {
  metric: MetricName;
  op: Operator;
  value: number;
  unit: CanonicalUnit;
  source: string;
}

/** `column` is 1-based, inside the expression text. */
export interface ExpressionError {
  error: string;
  column: number;
}

const OPERATORS: readonly Operator[] = ['==', '!=', '<=', '>=', '<', '>'];
const CANONICAL: Record<MetricKind, CanonicalUnit> = { count: 'count', duration: 'ms', bytes: 'B', ratio: 'fraction' };
const EXAMPLE: Record<MetricKind, string> = { count: '0', duration: '2s', bytes: '64MB', ratio: '5%' };

const METRIC = /[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*/y;
const OPERATOR = /[=!<>]+/y;
const NUMBER = /-?[0-9]+(\.[0-9]+)?/y;
const UNIT = /[A-Za-z%]+/y;
const SPACE = /\s*/y;

export function isExpressionError(x: Expression | ExpressionError): x is ExpressionError {
  return 'error' in x;
}

export function parseExpression(text: string): Expression | ExpressionError {
  let pos = 0;
  const take = (re: RegExp): string | undefined => {
    pos = skipSpace(text, pos);
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return undefined;
    pos = re.lastIndex;
    return m[0];
  };
  const fail = (error: string, at = pos): ExpressionError => ({ error, column: at + 1 });

  const metric = take(METRIC);
  if (metric === undefined) {
    return fail(text.trim() === '' ? 'empty expression: write e.g. "redelivery.lost == 0"' : 'expected a metric name, e.g. redelivery.lost');
  }
  if (!isMetricName(metric)) {
    return fail(`unknown metric "${metric}"${didYouMean(metric, Object.keys(METRICS))}`, pos - metric.length);
  }
  const opAt = skipSpace(text, pos);
  const op = take(OPERATOR);
  if (op === undefined || !(OPERATORS as readonly string[]).includes(op)) {
    const hint = op === '=' ? ' (use == to compare)' : '';
    return fail(`expected an operator (== != < <= > >=) after ${metric}${hint}`, opAt);
  }
  const valueAt = skipSpace(text, pos);
  if (/^(baseline\b|\+)/.test(text.slice(valueAt))) {
    return fail('a value relative to a baseline (baseline, +10%) belongs in a compare --tolerance: here write a fixed value', valueAt);
  }
  const number = take(NUMBER);
  if (number === undefined) return fail(`expected a number after ${op}`, valueAt);
  UNIT.lastIndex = pos;
  const unit = UNIT.exec(text)?.[0] ?? '';
  pos += unit.length;
  const tailAt = skipSpace(text, pos);
  const tail = text.slice(tailAt).trimEnd();
  if (tail !== '') {
    const spaced = unit === '' && (Object.hasOwn(DURATION_UNITS, tail) || Object.hasOwn(SIZE_UNITS, tail) || tail === '%');
    if (spaced) return fail('no space between a number and its unit', pos);
    return fail(`unexpected "${tail}" after the value`, tailAt);
  }

  const { kind } = METRICS[metric];
  const value = normalise(metric, kind, Number(number), unit);
  if (typeof value === 'string') return fail(value, unit === '' ? valueAt : pos - unit.length);
  return { metric, op: op as Operator, value, unit: CANONICAL[kind], source: text.trim() };
}

function skipSpace(text: string, from: number): number {
  SPACE.lastIndex = from;
  SPACE.exec(text);
  return SPACE.lastIndex;
}

/** The value in the kind's canonical unit, or why the unit does not fit the metric. */
function normalise(metric: string, kind: MetricKind, amount: number, unit: string): number | string {
  const isA = `${metric} is a ${kind === 'bytes' ? 'size' : kind}`;
  if (kind === 'count') return unit === '' ? amount : `${isA}: remove the unit "${unit}"`;
  if (kind === 'ratio') {
    if (unit === '') return amount;
    return unit === '%' ? amount / 100 : `${isA}: write a fraction (0.05) or a percentage (5%), not "${unit}"`;
  }
  const table = kind === 'duration' ? DURATION_UNITS : SIZE_UNITS;
  const units = Object.keys(table).join(', ');
  if (unit === '') return `${isA}: add a unit such as ${EXAMPLE[kind]}`;
  const factor = table[unit];
  if (factor === undefined) return `${isA}: "${unit}" is not one of its units (${units})`;
  return Math.round(amount * factor * 1e6) / 1e6;
}

export function evaluate(expr: Pick<Expression, 'op' | 'value'>, actual: number): boolean {
  switch (expr.op) {
    case '==':
      return actual === expr.value;
    case '!=':
      return actual !== expr.value;
    case '<':
      return actual < expr.value;
    case '<=':
      return actual <= expr.value;
    case '>':
      return actual > expr.value;
    case '>=':
      return actual >= expr.value;
  }
}

/**
 * Compare tolerances: the same syntax, plus the baseline. A tolerance bounds the current
 * run's value of a metric, either by a fixed value (as in `expect`) or relative to the
 * baseline run's value:
 *
 *   redelivery.latency.p99 < 2s                  fixed, exactly as in a scenario's expect
 *   redelivery.latency.p99 <= baseline + 10%     at most 10% above the baseline's
 *   redelivery.lost <= baseline                  no more than the baseline lost
 *   reconnect.time.p50 <= baseline + 200ms       at most 200 ms slower
 *   redelivery.latency.p99 +10%                  shorthand: may get at most 10% worse
 *   redelivery.lost +0                           shorthand: may not get worse at all
 *
 * After `baseline`, `%` is a share of the baseline's value (for every kind, ratios too; a
 * change of a ratio in points is a fraction: `baseline - 0.01`). The shorthand `+amount`
 * is the change allowed in the metric's bad direction: `<= baseline + amount` where lower
 * is better, `>= baseline - amount` where higher is better; a metric that is neither
 * needs the long form.
 */
export interface Tolerance {
  metric: string;
  kind: MetricKind;
  op: Operator;
  /** What the current value is held against: a fixed value, or the baseline's value plus a change. */
  against: 'value' | 'baseline';
  /** The fixed value, or the change, in the kind's canonical unit; with `relative`, a fraction of the baseline. */
  value: number;
  relative: boolean;
  unit: CanonicalUnit;
  source: string;
}

export type Better = 'lower' | 'higher' | 'none';

export interface ToleranceOptions {
  /** Which way a metric gets better, for the shorthand. */
  better: (metric: string) => Better;
  /** Metrics only a comparison has (e.g. distribution distances), besides the catalog. */
  extraMetrics?: Readonly<Record<string, MetricInfo>>;
}

/** A change's size: its sign is read apart. */
const AMOUNT = /[0-9]+(\.[0-9]+)?/y;

export function parseTolerance(text: string, options: ToleranceOptions): Tolerance | ExpressionError {
  const extra = options.extraMetrics ?? {};
  let pos = 0;
  const fail = (error: string, at = pos): ExpressionError => ({ error, column: at + 1 });
  const take = (re: RegExp): string | undefined => {
    pos = skipSpace(text, pos);
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return undefined;
    pos = re.lastIndex;
    return m[0];
  };
  /** The size of a change to the baseline: a number in the metric's unit, or `%` of the baseline's value. */
  const amount = (metric: string, kind: MetricKind): { value: number; relative: boolean } | ExpressionError => {
    const at = skipSpace(text, pos);
    const digits = take(AMOUNT);
    if (digits === undefined) return fail('expected an amount, e.g. 10% or 0', at);
    UNIT.lastIndex = pos;
    const unit = UNIT.exec(text)?.[0] ?? '';
    pos += unit.length;
    if (unit === '%') return { value: Number(digits) / 100, relative: true };
    const value = normalise(metric, kind, Number(digits), unit);
    if (typeof value === 'string') return fail(value, unit === '' ? at : pos - unit.length);
    return { value, relative: false };
  };
  const end = (): ExpressionError | undefined => {
    const tailAt = skipSpace(text, pos);
    const tail = text.slice(tailAt).trimEnd();
    return tail === '' ? undefined : fail(`unexpected "${tail}" after the value`, tailAt);
  };

  const metric = take(METRIC);
  const names = [...Object.keys(METRICS), ...Object.keys(extra)];
  if (metric === undefined) {
    return fail(text.trim() === '' ? 'empty tolerance: write e.g. "redelivery.latency.p99 +10%"' : 'expected a metric name, e.g. redelivery.lost');
  }
  const info = isMetricName(metric) ? METRICS[metric] : Object.hasOwn(extra, metric) ? extra[metric]! : undefined;
  if (!info) return fail(`unknown metric "${metric}"${didYouMean(metric, names)}`, pos - metric.length);
  const { kind } = info;
  const comparative = !isMetricName(metric);
  const source = text.trim();
  const base = { metric, kind, unit: CANONICAL[kind], source };

  const signAt = skipSpace(text, pos);
  const sign = text[signAt];
  if (sign === '+' || sign === '-') {
    if (sign === '-') return fail('write the change allowed in the bad direction with +, e.g. "redelivery.latency.p99 +10%"', signAt);
    if (comparative) return fail(`${metric} compares two runs: give a fixed bound, e.g. "${metric} <= 0.1"`, signAt);
    const better = options.better(metric);
    if (better === 'none') return fail(`${metric} is neither better lower nor higher: write the comparison, e.g. "${metric} == baseline"`, signAt);
    pos = signAt + 1;
    const change = amount(metric, kind);
    if ('error' in change) return change;
    const bad = end();
    if (bad) return bad;
    return { ...base, op: better === 'lower' ? '<=' : '>=', against: 'baseline', value: better === 'lower' ? change.value : -change.value, relative: change.relative };
  }

  const opAt = skipSpace(text, pos);
  const op = take(OPERATOR);
  if (op === undefined || !(OPERATORS as readonly string[]).includes(op)) {
    const hint = op === '=' ? ' (use == to compare)' : '';
    return fail(`expected an operator (== != < <= > >=) or a change (+10%) after ${metric}${hint}`, opAt);
  }
  const valueAt = skipSpace(text, pos);
  if (/^baseline\b/.test(text.slice(valueAt))) {
    if (comparative) return fail(`${metric} compares two runs: it has no baseline value; give a fixed bound, e.g. "${metric} <= 0.1"`, valueAt);
    pos = valueAt + 'baseline'.length;
    const changeAt = skipSpace(text, pos);
    const direction = text[changeAt];
    let change = { value: 0, relative: false };
    if (direction === '+' || direction === '-') {
      pos = changeAt + 1;
      const parsed = amount(metric, kind);
      if ('error' in parsed) return parsed;
      change = direction === '-' ? { value: -parsed.value, relative: parsed.relative } : parsed;
    }
    const bad = end();
    if (bad) return bad;
    return { ...base, op: op as Operator, against: 'baseline', ...change };
  }
  // A fixed bound: exactly the expectation syntax.
  if (!comparative) {
    const parsed = parseExpression(text);
    if (isExpressionError(parsed)) return parsed;
    return { ...base, op: parsed.op, against: 'value', value: parsed.value, relative: false };
  }
  const number = take(NUMBER);
  if (number === undefined) return fail(`expected a number or "baseline" after ${op}`, valueAt);
  UNIT.lastIndex = pos;
  const unit = UNIT.exec(text)?.[0] ?? '';
  pos += unit.length;
  const value = normalise(metric, kind, Number(number), unit);
  if (typeof value === 'string') return fail(value, unit === '' ? valueAt : pos - unit.length);
  const bad = end();
  if (bad) return bad;
  return { ...base, op: op as Operator, against: 'value', value, relative: false };
}

/** The bound a tolerance puts on the current value; null when it needs a baseline value there is none of. */
export function toleranceLimit(t: Tolerance, baseline: number | null): number | null {
  if (t.against === 'value') return t.value;
  if (baseline === null) return null;
  const limit = t.relative ? baseline * (1 + t.value) : baseline + t.value;
  return Math.round(limit * 1e9) / 1e9;
}

/** Whether the current value keeps within the tolerance; null when it cannot be told (no value). */
export function withinTolerance(t: Tolerance, baseline: number | null, current: number | null): boolean | null {
  const limit = toleranceLimit(t, baseline);
  if (limit === null || current === null) return null;
  return evaluate({ op: t.op, value: limit }, current);
}
