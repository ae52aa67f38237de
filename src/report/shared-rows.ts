import type { SharedGroupResult } from '../result/shared.js';
import { count, duration } from '../checks/words.js';
import type { Row } from './measured.js';
import type { RunResult } from '../result/result.js';

/**
 * Rows of the side-by-side table for shared subscriptions (docs/shared-subscriptions.md),
 * shown only when a run had a shared group; figures summed over its shared groups.
 */
const any = (runs: readonly RunResult[]): boolean => runs.some((r) => (r.shared?.length ?? 0) > 0);
const sum = (run: RunResult, pick: (s: SharedGroupResult) => number): number => (run.shared ?? []).reduce((n, s) => n + pick(s), 0);
const cell = (pick: (s: SharedGroupResult) => number) => (run: RunResult) => (run.shared?.length ? count(sum(run, pick)) : '–');

export const SHARED_ROWS: Row[] = [
  ['shared: owed once to the group', cell((s) => s.expected), any],
  ['shared: came to a member', cell((s) => s.delivered), any],
  ['shared: lost', cell((s) => s.lost), any],
  ['shared: dropped with a member\'s session', cell((s) => s.endedWithMember), (runs) => runs.some((r) => (r.shared ?? []).some((s) => s.endedWithMember > 0))],
  ['shared: held for a cut member', heldCell, any],
  ['shared: to more than one member', cell((s) => s.crossMember.messages), any],
  ['shared: split per member', splitCell, any],
];

/** "12 (4 in flight at the cut, 8 chosen while away; ≤ 1.2 s after return)" */
function heldCell(run: RunResult): string {
  if (!run.shared?.length) return '–';
  const held = sum(run, (s) => s.stranded.deliveredOnReturn);
  if (held === 0) return '0';
  const inFlight = sum(run, (s) => s.stranded.inFlightAtCut);
  const away = sum(run, (s) => s.stranded.chosenWhileAway);
  const after = Math.max(...run.shared.map((s) => s.stranded.afterReturnMaxMs ?? 0));
  return `${count(held)} (${count(inFlight)} in flight at the cut, ${count(away)} chosen while away; ≤ ${duration(after)} after return)`;
}

function splitCell(run: RunResult): string {
  if (!run.shared?.length) return '–';
  return run.shared.map((s) => `${run.shared!.length > 1 ? `${s.share}: ` : ''}${count(s.split.min)}–${count(s.split.max)}`).join('; ');
}
