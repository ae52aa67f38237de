/** Shared by the expiry tests: everything worth reading when an assertion fails. */
import type { RunResult } from '../../../src/result/result.js';

export function describeExpiry(run: RunResult, log: readonly string[] = []): string {
  const e = run.expiry;
  return [
    `run ${run.id} (${run.protocol}) verdict ${run.verdict}${run.incomplete ? `, incomplete: ${run.incomplete}` : ''}`,
    `checks: ${run.checks.map((c) => `${c.passed ? 'ok' : 'FAILED'} ${c.name}: ${c.explanation}`).join(' | ')}`,
    `explanations:\n  ${run.explanations.join('\n  ')}`,
    `expiry: ${JSON.stringify(e ? { ...e, histograms: undefined } : null)}`,
    ...(log.length > 0 ? [`log:\n${log.join('\n')}`] : []),
  ].join('\n');
}

/** A group's sessions of one way of closing, or fails. */
export function closeOf(run: RunResult, group: string, close: 'graceful' | 'abrupt' | 'partition') {
  const found = run.expiry?.groups.find((g) => g.group === group)?.closes.find((c) => c.close === close);
  if (!found) throw new Error(`no ${close} sessions of ${group} in run ${run.id}\n${describeExpiry(run)}`);
  return found;
}
