import type { MemoryPoint } from '../engine/memory-sampler.js';
import type { MemoryProbeRecord } from '../result/memory.js';
import type { RunRecord } from '../engine/run-record.js';
import type { Check } from '../result/result.js';
import type { ExpectationPlan } from '../scenario/plan.js';
import { perQueued, perSession, phaseStates, reclaimed, round, type Derived, type Stretch } from './memory-basis.js';
import { duration } from './words.js';
import type { MemoryFigure, MemoryFigures, MemoryResult } from '../result/memory.js';

/**
 * Broker memory figures for one run, from the readings at its points: `start` (before the
 * first connect), each `measure` phase, `end`. Which points a figure uses follows from the
 * phases between two consecutive points, and `basis` says it in words:
 * - per session: a stretch of connect (subscribe, wait) phases: delta / clients connected;
 * - per queued message: a stretch whose publishes all go to offline groups (disconnected,
 *   or cut/reset): delta / messages the broker had to queue (persistent sessions, QoS >= 1,
 *   Mosquitto's max_queued_messages applied);
 * - reclaimed after expiry: the first stretch of only `wait` phases while persistent
 *   sessions are offline: (before - after) / (before - baseline). v5 sessions with a short
 *   expiry end during it; v3.1.1 CleanSession=0 sessions never do.
 */


/** A figure of the probe the metrics read; null when it was not derived. */
export function memoryMetric(memory: MemoryResult | undefined, figure: MemoryFigure): number | null {
  if (!memory || memory.metricsFrom === null) return null;
  return memory.figures[memory.metricsFrom]?.[figure] ?? null;
}

export function deriveMemory(record: RunRecord): MemoryResult | undefined {
  const memory = record.memory;
  if (!memory) return undefined;
  const rel = (at: number) => Math.round((at - record.startedAt) * 10) / 10;
  const { run } = record;
  const points = [...memory.points].sort((a, b) => a.at - b.at);
  const start = points.find((p) => p.label === 'start' && p.phase === undefined);
  const end = points.findLast((p) => p.label === 'end' && p.phase === undefined);
  const measured = points.filter((p) => p.phase !== undefined);
  const stretches: Stretch[] = [];
  let previous = start;
  for (const point of measured) {
    if (previous) {
      const after = previous.phase ?? -1;
      const phases = run.phases.map((phase, index) => ({ index, phase })).filter((p) => p.index > after && p.index < point.phase!);
      stretches.push({ from: previous, to: point, phases });
    }
    previous = point;
  }
  const states = phaseStates(run, record.timeline);
  const notes = [...memory.notes];
  const session = perSession(run, stretches);
  const queued = perQueued(record, stretches, states);
  const expiry = reclaimed(run, stretches, states, queued.to ?? session.to);

  const figures: Record<string, MemoryFigures> = {};
  for (const probe of memory.probes) {
    const at = (p: MemoryPoint | undefined) => (p ? (p.values[probe.name] ?? null) : null);
    const both = (d: Derived) => {
      const a = at(d.from);
      const b = at(d.to);
      return a === null || b === null ? null : d.value(a, b);
    };
    const readings = memory.samples.filter((s) => s[2] === probe.name).map((s) => s[1]);
    const baseline = at(start);
    const before = at(expiry.from);
    const after = at(expiry.to);
    figures[probe.name] = {
      baseline,
      peak: readings.length > 0 ? Math.max(...readings) : null,
      perSession: both(session),
      perQueuedMessage: both(queued),
      beforeExpiry: before,
      afterExpiry: after,
      reclaimedAfterExpiry: baseline !== null && before !== null && after !== null && before > baseline ? round((before - after) / (before - baseline), 4) : null,
      end: at(end),
    };
  }
  for (const probe of memory.probes) {
    if (probe.samples > 0 && figures[probe.name]?.baseline === null) notes.push(`${probe.name}: no reading before the first phase, so no baseline`);
  }
  notes.push(...freshnessNotes(measured));
  const probes = memory.probes.map((p) => ({ ...p, available: p.samples > 0 }));
  return {
    intervalMs: memory.intervalMs,
    probes,
    metricsFrom: probes.find((p) => p.available)?.name ?? null,
    samples: memory.samples.map(([at, bytes, probe]) => [rel(at), bytes, probe]),
    points: points.map((p) => ({ label: p.label, t: rel(p.at), ...(p.phase !== undefined ? { phase: p.phase } : {}), values: p.values, ...(p.freshness ? { freshness: p.freshness } : {}) })),
    figures,
    basis: { perSession: session.basis, perQueuedMessage: queued.basis, reclaimedAfterExpiry: expiry.basis },
    sessions: session.count ?? null,
    queuedMessages: queued.count ?? null,
    notes,
  };
}

/**
 * Expectations on memory.* that had no value pass vacuously, as every metric without samples
 * does; their explanation says why there was no value (no probe, or the figure's basis).
 */
export function explainMissingMemory(checks: Check[], expect: readonly ExpectationPlan[], memory: MemoryResult | undefined): void {
  for (const e of expect) {
    if (!e.metric.startsWith('memory.')) continue;
    const check = checks.find((c) => c.name === e.source && c.actual === null);
    if (!check) continue;
    const figure = e.metric.slice('memory.'.length) as MemoryFigure;
    let why: string;
    if (!memory) why = 'no memory sampling in this run';
    else if (memory.metricsFrom === null) {
      const reasons = memory.probes.map((p) => `${p.name}: ${p.reason ?? 'no value'}`);
      why = reasons.length > 0 ? `no probe had a reading (${reasons.join('; ')})` : `no memory probe (${memory.notes.join('; ') || 'memory.probes is none'})`;
    } else if (figure in memory.basis) why = memory.basis[figure as keyof MemoryResult['basis']];
    else why = `${memory.metricsFrom} had no value for it`;
    check.explanation = `${e.metric} has no value in this run: ${why}; nothing to hold against ${check.threshold ?? ''}`.trim();
  }
}

/**
 * What each `measure` point read from a probe that publishes on its own: a value newer than
 * the phase start (and how long it waited for one), or an older one, with its age.
 */
export function freshnessNotes(measured: readonly MemoryPoint[]): string[] {
  const byProbe = new Map<string, string[]>();
  for (const point of measured) {
    for (const [probe, f] of Object.entries(point.freshness ?? {})) {
      const said = f.unchanged
        ? `"${point.label}" waited ${duration(f.waitedMs)} for the broker's next $SYS publication, which found the heap unchanged (value ${duration(f.ageMs)} old)`
        : f.newer
        ? `"${point.label}" waited ${duration(f.waitedMs)} (value ${duration(f.ageMs)} old)`
        : `"${point.label}" got none within ${duration(f.waitedMs)} and read one ${duration(f.ageMs)} old, from before the phase`;
      byProbe.set(probe, [...(byProbe.get(probe) ?? []), said]);
    }
  }
  return [...byProbe].map(([probe, said]) => `${probe}: each measure point waits for a value newer than its phase start — ${said.join(', ')}`);
}
