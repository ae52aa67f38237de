import type { MemoryPlan, MemoryProbePlan } from './plan.js';
import { isMap } from './runs.js';
import { DEFAULTS } from './defaults.js';
import type { MemorySpec } from './schema.js';
import { parseDuration } from './units.js';

/** The scenario's `memory` section, defaults filled; the schema has checked it. */
export function memoryPlan(spec: MemorySpec | undefined): MemoryPlan {
  const probes = spec?.probes ?? DEFAULTS.memoryProbes;
  return {
    probes: probes === 'auto' ? 'auto' : probes === 'none' ? [] : probes.map(probePlan),
    intervalMs: parseDuration(spec?.interval ?? DEFAULTS.memoryInterval) ?? 500,
    settleMs: parseDuration(spec?.settle ?? DEFAULTS.memorySettle) ?? 3000,
  };
}

/**
 * memory.settle in ms, for the measure phases' default. Also called by the checks on a file
 * the schema rejected, so anything but a valid duration falls back to the default.
 */
export function measureSettleMs(spec: unknown): number {
  const settle = isMap(spec) && typeof spec.settle === 'string' ? parseDuration(spec.settle) : undefined;
  return settle ?? parseDuration(DEFAULTS.memorySettle) ?? 3000;
}

type ProbeSpec = Exclude<NonNullable<MemorySpec['probes']>, string>[number];

function probePlan(spec: ProbeSpec): MemoryProbePlan {
  if (spec === 'rss') return { kind: 'rss' };
  if (spec === 'sys-heap') return { kind: 'sys-heap' };
  if ('rss' in spec) {
    const { pid, process } = spec.rss;
    return { kind: 'rss', ...(pid !== undefined ? { pid } : {}), ...(process !== undefined ? { process } : {}) };
  }
  const { url, metric, labels = {} } = spec.prometheus;
  return { kind: 'prometheus', url, metric, labels };
}
