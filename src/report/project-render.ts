import { count, size } from '../checks/words.js';
import type { Projection, Range } from './project-model.js';

/** Seconds as a person reads a planning figure: "45 s", "12.5 min", "3.2 h". */
function span(seconds: number): string {
  if (seconds < 120) return `${count(Number(seconds.toPrecision(3)))} s`;
  if (seconds < 7200) return `${count(Number((seconds / 60).toPrecision(3)))} min`;
  return `${count(Number((seconds / 3600).toPrecision(3)))} h`;
}

const rate = (n: number): string => count(Number(n.toPrecision(3)));

function range(r: Range, format: (n: number) => string): string {
  const low = format(r.low);
  const high = format(r.high);
  return low === high ? `${low} (one value: no spread measured)` : `${low} to ${high}`;
}

/** The projection as plain text: the answers, the figures they came from, the model and its assumptions. */
export function renderProjection(p: Projection): string {
  const { devices, queued, outageMs } = p.input;
  const f = p.figures;
  const runs = (n: number): string => `${n} run${n === 1 ? '' : 's'}`;
  const lines = [
    `Projection for ${count(devices)} devices, ${count(queued)} messages queued per device over a ${span(outageMs / 1000)} outage (one broker node):`,
    '',
    `  broker memory needed     ${range(p.memoryBytes, (n) => size(n))}`,
    `  backlog drain time       ${range(p.drainSeconds, span)}   (${count(devices * p.queuedPerDevice)} messages, after the devices are back)`,
    `  reconnect storm length   ${range(p.stormSeconds, span)}`,
    `  queued during the outage ${rate(p.queueRate)} messages/s accepted and stored, on average`,
    '',
    'From the measured figures (their range over the runs):',
    `  baseline memory          ${range(f.baseline, (n) => size(n))}   ${runs(f.baseline.runs)}: ${f.baseline.from.join('; ')}`,
    `  memory per session       ${range(f.perSession, (n) => size(n, Infinity))}   ${runs(f.perSession.runs)}: ${f.perSession.from.join('; ')}`,
    `  memory per queued msg    ${range(f.perQueuedMessage, (n) => size(n, Infinity))}   ${runs(f.perQueuedMessage.runs)}: ${f.perQueuedMessage.from.join('; ')}`,
    `  backlog drain rate       ${range(f.drainRate, rate)} messages/s   ${runs(f.drainRate.runs)}: ${f.drainRate.from.join('; ')}`,
    `  reconnect rate           ${range(f.reconnectRate, rate)} clients/s   ${runs(f.reconnectRate.runs)}: ${f.reconnectRate.from.join('; ')}`,
    '',
    'Model (docs/capacity-projection.md):',
    `  queued per device = min(queued, the broker's queue limit) = ${count(p.queuedPerDevice)}`,
    '  memory needed     = baseline + devices × per session + devices × queued per device × per queued message',
    '  drain time        = devices × queued per device / drain rate',
    '  storm length      = devices / reconnect rate',
    '',
    'Assumptions:',
    ...p.assumptions.map((a) => `  - ${a}`),
  ];
  return `${lines.join('\n')}\n`;
}
