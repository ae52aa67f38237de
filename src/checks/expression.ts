import { didYouMean } from '../scenario/suggest.js';
import { DURATION_UNITS, SIZE_UNITS } from '../scenario/units.js';
import { isMetricName, METRICS, type MetricKind, type MetricName } from './metric-names.js';

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

export function evaluate(expr: Expression, actual: number): boolean {
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
