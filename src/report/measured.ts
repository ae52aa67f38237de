import type { RunResult } from '../result/result.js';

/**
 * What a run's phases measured, read from result.json alone, so a report shows those figures
 * first and leaves out what no phase measured:
 * - redelivery: a publish phase whose messages a later drain waited for (cut-and-drain); a
 *   publish nobody came back for (capacity's queued messages) measured memory, not delivery;
 * - expiry: a measure-expiry phase (its result is `expiry`);
 * - memory: `measure` phases (their readings carry the phase's index).
 * An incomplete run that published keeps its message figures: they say what went wrong.
 */
export type Measure = 'redelivery' | 'expiry' | 'memory';

export function measures(run: RunResult): Set<Measure> {
  const found = new Set<Measure>();
  // Phase labels begin with the phase's kind (engine/phase-driver.ts describePhase).
  const started = run.timeline.flatMap((e) => (e.kind === 'phase-start' ? [e.label] : []));
  const published = started.findIndex((label) => label.startsWith('publish '));
  const drained = started.findLastIndex((label) => label.startsWith('drain '));
  if (published >= 0 && (drained > published || run.verdict === 'incomplete')) found.add('redelivery');
  if (run.expiry) found.add('expiry');
  if (run.memory?.points.some((p) => p.phase !== undefined)) found.add('memory');
  return found;
}

/** Whether any of these runs measured it. */
export const anyMeasured =
  (what: Measure) =>
  (runs: readonly RunResult[]): boolean =>
    runs.some((r) => measures(r).has(what));

/**
 * A row of the side-by-side table: its name, how a run's cell reads, and (optional) when it
 * is shown at all, so rows nothing measured (or zero in every run) do not crowd the table.
 */
export type Row = [string, (run: RunResult) => string, ((runs: readonly RunResult[]) => boolean)?];
