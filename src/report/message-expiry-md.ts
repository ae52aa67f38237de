import { count, duration } from '../checks/words.js';
import { anyMeasured, type Row } from './measured.js';
import type { RunResult } from '../result/result.js';

const redelivery = anyMeasured('redelivery');
const withExpiry = (runs: readonly RunResult[]): boolean => runs.some((r) => r.messageExpiry !== undefined);

/**
 * Summary rows for MQTT 5 Message Expiry (only when a run sent messages with an interval; a
 * 3.1.1 column reads "–": it has none) and for the age of offline messages at arrival
 * (every run that measured redelivery).
 */
export const MESSAGE_EXPIRY_ROWS: Row[] = [
  ['expired in the queue (v5)', (r) => (r.messageExpiry ? count(r.messageExpiry.expiredInQueue) : '–'), withExpiry],
  ['delivered after expiry', (r) => (r.messageExpiry ? count(r.messageExpiry.deliveredExpired) : '–'), withExpiry],
  ['expiry interval forwarded', intervalCell, withExpiry],
  ['offline age p50 / oldest', ageCell, (runs) => redelivery(runs) && runs.some((r) => (r.offlineAge ?? null) !== null)],
];

/** "100 reduced" or "100 not reduced, 2 missing": what the broker forwarded with messages delivered in time. */
function intervalCell(run: RunResult): string {
  const e = run.messageExpiry;
  if (!e) return '–';
  const parts = [
    e.interval.reduced > 0 ? `${count(e.interval.reduced)} reduced` : '',
    e.interval.notReduced > 0 ? `${count(e.interval.notReduced)} not reduced` : '',
    e.interval.wrong > 0 ? `${count(e.interval.wrong)} wrong` : '',
    e.interval.missing > 0 ? `${count(e.interval.missing)} missing` : '',
    e.interval.notJudged > 0 ? `${count(e.interval.notJudged)} too soon to tell` : '',
  ].filter((p) => p !== '');
  return parts.length > 0 ? parts.join(', ') : '0';
}

function ageCell(run: RunResult): string {
  const a = run.offlineAge;
  return a ? `${duration(a.p50)} / ${duration(a.max)}` : '–';
}
