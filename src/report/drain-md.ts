/**
 * Summary rows for the backlog drain and the broker's in-flight window (result.json
 * `drain`), shown when a group set a Receive Maximum or an ackDelay: elsewhere the client
 * acknowledges at once and the window says little.
 */
import { count, duration } from '../checks/words.js';
import type { Row } from './measured.js';
import type { BacklogDrain, RunResult } from '../result/result.js';

const shown = (runs: readonly RunResult[]): boolean => runs.some((r) => r.drain?.some((d) => d.receiveMaximum !== null || d.ackDelay !== undefined));

export const DRAIN_ROWS: Row[] = [
  ['max in flight / Receive Maximum', (r) => perGroup(r, windowCell), shown],
  ['backlog drain time', (r) => perGroup(r, (d) => (d.drainTime === null ? '–' : duration(d.drainTime))), shown],
  ['backlog drain rate', (r) => perGroup(r, (d) => (d.drainRate === null ? '–' : `${count(d.drainRate)} msg/s`)), shown],
];

/** "10 / 10", "20 / none (3.1.1)", "15 / 5, 10 over cap". */
function windowCell(d: BacklogDrain, run: RunResult): string {
  const cap = d.receiveMaximum !== null ? count(d.receiveMaximum) : run.protocol === '3.1.1' ? 'none (3.1.1)' : 'none sent';
  return `${count(d.inflightMax)} / ${cap}${d.overCap > 0 ? `, ${count(d.overCap)} over cap` : ''}`;
}

function perGroup(run: RunResult, cell: (d: BacklogDrain, run: RunResult) => string): string {
  const drains = run.drain ?? [];
  if (drains.length === 0) return '–';
  return drains.map((d) => `${drains.length > 1 ? `${d.group}: ` : ''}${cell(d, run)}`).join('; ');
}
