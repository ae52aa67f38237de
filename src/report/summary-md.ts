import { LOSS_REASONS } from '../result/loss.js';
import type { Percentiles } from '../result/latency.js';
import { count, duration } from '../checks/words.js';
import { EXPIRY_ROWS, expirySection } from '../checks/expiry-summary.js';
import { anyMeasured, type Row } from './measured.js';
import { memorySection } from './memory-md.js';
import { agentsSection } from './agents-md.js';
import { rampSection } from './ramp-md.js';
import type { Result, RunResult } from '../result/result.js';
import { DRAIN_ROWS } from './drain-md.js';
import { MESSAGE_EXPIRY_ROWS } from './message-expiry-md.js';
import { brokerSaidBlock, grantedWords, shortfallBlock } from './said-md.js';
import { SHARED_ROWS } from './shared-rows.js';

/**
 * summary.md: one table with a column per run, so v3.1.1 and v5 read side by side, then per
 * run the failed checks and what the spec made of its settings. Rendered from result.json
 * alone. Columns are padded, so the same text reads well in a terminal.
 */
export function renderSummary(result: Result): string {
  const lines = [`# mqtt-chaos: ${result.scenario.name}`, ''];
  if (result.scenario.description) lines.push(result.scenario.description, '');
  const broker = result.runs[0]?.broker.description;
  lines.push(`${broker ? `${broker} · ` : ''}started ${result.startedAt} · seed ${result.seed}`, '');
  lines.push(...rampSection(result));
  lines.push(...table(result.runs), '');
  lines.push(...memorySection(result.runs));
  lines.push(...agentsSection(result.runs));
  for (const run of result.runs) lines.push(...runSection(run));
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The same for a terminal: headings as plain lines, the table as it is. */
export function renderConsole(result: Result): string {
  return renderSummary(result).replace(/^#+ /gm, '');
}

export type { Row };

/** The rows these runs show; report.html shows the same. */
export function rowsFor(runs: readonly RunResult[]): Row[] {
  return ROWS.filter(([, , shown]) => shown === undefined || shown(runs));
}

const redelivery = anyMeasured('redelivery');

/**
 * The session first (what each column is), then what the runs' phases measured: expiry
 * figures, then redelivery; rows about what no phase measured are left out.
 */
export const ROWS: Row[] = [
  ['session', sessionCell],
  ...EXPIRY_ROWS,
  ['offline messages sent', (r) => count(r.redelivery.offline), redelivery],
  ['expected', (r) => count(r.redelivery.expected), redelivery],
  ['delivered', (r) => count(r.redelivery.delivered), redelivery],
  ['lost', lostCell, redelivery],
  ['duplicates', (r) => count(r.redelivery.duplicates) + (r.redelivery.qos2Duplicates > 0 ? ` (${count(r.redelivery.qos2Duplicates)} QoS 2)` : ''), redelivery],
  ['out of order', (r) => count(r.redelivery.outOfOrder), redelivery],
  ['unexpected', (r) => count(r.redelivery.unexpected), redelivery],
  ['not judged', (r) => count(r.redelivery.indeterminate), redelivery],
  ...MESSAGE_EXPIRY_ROWS,
  ['expired with their session', (r) => count(r.redelivery.expiredWithSession), (runs) => redelivery(runs) && runs.some((r) => r.redelivery.expiredWithSession > 0)],
  ['left over from an earlier run', (r) => count(r.redelivery.leftover ?? 0), (runs) => runs.some((r) => (r.redelivery.leftover ?? 0) > 0)],
  ['refused by the broker', refusedCell, (runs) => runs.some((r) => (r.redelivery.refused ?? 0) + (r.redelivery.unacknowledged ?? 0) > 0)],
  ['redelivery p50 / p99', (r) => pair(r.redelivery.latency), redelivery],
  ['reconnect p50 / p99', (r) => pair(r.reconnect.time), redelivery],
  ...DRAIN_ROWS,
  ...SHARED_ROWS,
];

function table(runs: readonly RunResult[]): string[] {
  const rows: string[][] = [['', ...runs.map((r) => r.label)], ['verdict', ...runs.map((r) => r.verdict.toUpperCase())]];
  for (const [name, cell] of rowsFor(runs)) rows.push([name, ...runs.map((r) => (r.verdict === 'unsupported' ? '–' : cell(r)))]);
  const escaped = rows.map((row) => row.map((c) => c.replaceAll('|', '\\|')));
  const widths = escaped[0]!.map((_, i) => Math.max(3, ...escaped.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 2)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(escaped[0]!), rule, ...escaped.slice(1).map(line)];
}

function sessionCell(run: RunResult): string {
  const subscribers = run.groups.filter((g) => g.role === 'subscriber');
  return subscribers
    .map((g) => {
      const session =
        run.protocol === '3.1.1'
          ? `CleanSession=${g.clean ? 1 : 0}`
          : `Clean Start=${g.clean ? 1 : 0}, expiry ${expiryWords(g.sessionExpiry)}`;
      return `${subscribers.length > 1 ? `${g.name}: ` : ''}${session}, QoS ${g.qos}${grantedWords(run, g.name)}`;
    })
    .join('; ');
}

/** As the scenario would write it: 0, 3600 s, never. */
function expiryWords(seconds: number): string {
  if (seconds >= 0xffffffff) return 'never';
  return seconds === 0 ? '0' : `${seconds} s`;
}

/** "40 (queue-limit)": the count and the reason behind most of it. */
function lostCell(run: RunResult): string {
  const { lost, lostBy } = run.redelivery;
  if (lost === 0) return '0';
  const main = [...LOSS_REASONS].sort((a, b) => (lostBy[b] ?? 0) - (lostBy[a] ?? 0))[0]!;
  return `${count(lost)} (${main})`;
}

/** "40" or "40, 20 never acknowledged": publishes that were never the broker's to deliver. */
function refusedCell(run: RunResult): string {
  const { refused = 0, unacknowledged = 0 } = run.redelivery;
  return unacknowledged > 0 ? `${count(refused)}, ${count(unacknowledged)} never acknowledged` : count(refused);
}

function pair(p: Percentiles | null): string {
  return p ? `${duration(p.p50)} / ${duration(p.p99)}` : '–';
}

function runSection(run: RunResult): string[] {
  const lines = [`## ${run.label}: ${run.verdict.toUpperCase()}`, ''];
  lines.push(...shortfallBlock(run), ...brokerSaidBlock(run));
  const failed = run.checks.filter((c) => !c.passed);
  if (failed.length > 0) {
    lines.push('Failed checks:', '', ...failed.map((c) => `- ${c.name}: ${c.explanation}`), '');
  }
  if (run.explanations.length > 0) lines.push('Why these numbers:', '', ...run.explanations.map((e) => `- ${e}`), '');
  lines.push(...expirySection(run));
  if (run.notes.length > 0) lines.push('Notes:', '', ...run.notes.map((n) => `- ${n}`), '');
  return lines;
}
