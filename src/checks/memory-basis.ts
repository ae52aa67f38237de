import type { MemoryPoint } from '../engine/memory-sampler.js';
import type { RunRecord } from '../engine/run-record.js';
import type { TimelineEvent } from '../result/timeline.js';
import type { GroupPlan, PhasePlan, PublishPhase, RunPlan } from '../scenario/plan.js';
import { count, duration } from './words.js';

/**
 * Which two readings each memory figure compares, and what it divides by: the phases
 * between consecutive points decide (see memory.ts). Each answer carries its basis in
 * words, or why the figure cannot be derived.
 */

/** Mosquitto's per-client queue limit when the broker options do not set one. */
const MOSQUITTO_QUEUE_DEFAULT = 1000;
/** Mosquitto ends a session within about a second after its expiry; $SYS lags up to ~2 s. */
const EXPIRY_SLACK_MS = 3000;

/** Two consecutive readings and the phases between them. */
export interface Stretch {
  from: MemoryPoint;
  to: MemoryPoint;
  phases: { index: number; phase: PhasePlan }[];
}

/** A figure's two readings (absent: not derived), how to combine them, and the words for it. */
export interface Derived {
  value: (from: number, to: number) => number | null;
  basis: string;
  from?: MemoryPoint;
  to?: MemoryPoint;
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const quote = (p: MemoryPoint) => `"${p.label}"`;

/** The first stretch of connect (subscribe, wait) phases: growth / clients connected. */
export function perSession(run: RunPlan, stretches: Stretch[]): Derived & { count?: number } {
  const found = stretches.find(
    (s) => s.phases.some((p) => p.phase.kind === 'connect') && s.phases.every((p) => ['connect', 'subscribe', 'wait'].includes(p.phase.kind)),
  );
  if (!found) {
    return { value: () => null, basis: 'not derived: no measure phase right after the connect phase (only connect, subscribe or wait between them and the point before)' };
  }
  const names = found.phases.flatMap((p) => (p.phase.kind === 'connect' ? p.phase.groups.map((g) => g.name) : []));
  const clients = names.reduce((n, name) => n + (run.groups.find((g) => g.name === name)?.count ?? 0), 0);
  return {
    from: found.from,
    to: found.to,
    count: clients,
    value: (a, b) => Math.round((b - a) / clients),
    basis: `(${quote(found.to)} - ${quote(found.from)}) / ${count(clients)} clients connected (${names.join(', ')})`,
  };
}

/** Per phase index: which groups were offline when it began, since when, and for what reason. */
export interface PhaseState {
  offline: Map<string, { since: number; until?: number; how: 'disconnect' | 'cut' }>;
  startAt: number | undefined;
  endAt: number | undefined;
}

export function phaseStates(run: RunPlan, timeline: readonly TimelineEvent[]): PhaseState[] {
  const at = (kind: 'phase-start' | 'phase-end', index: number) => timeline.find((e) => e.kind === kind && e.phase === index)?.at;
  const offline = new Map<string, { since: number; until?: number; how: 'disconnect' | 'cut' }>();
  const states: PhaseState[] = [];
  run.phases.forEach((phase, index) => {
    const startAt = at('phase-start', index);
    const endAt = at('phase-end', index);
    states.push({ offline: new Map(offline), startAt, endAt });
    const since = startAt ?? 0;
    switch (phase.kind) {
      case 'disconnect':
        for (const g of phase.groups) if (!offline.has(g)) offline.set(g, { since, ...(endAt !== undefined ? { until: endAt } : {}), how: 'disconnect' });
        break;
      case 'fault':
        if (phase.fault.kind === 'cut' || phase.fault.kind === 'reset') {
          for (const g of phase.groups) if (!offline.has(g)) offline.set(g, { since, ...(endAt !== undefined ? { until: endAt } : {}), how: 'cut' });
        }
        break;
      case 'connect':
        for (const g of phase.groups) offline.delete(g.name);
        break;
      case 'heal':
        for (const g of phase.groups) if (offline.get(g)?.how === 'cut') offline.delete(g);
        break;
      default:
        break;
    }
  });
  return states;
}

/** A session that outlives its connection: 3.1.1 CleanSession=0, v5 Clean Start=0 with expiry > 0. */
function persistent(g: GroupPlan): boolean {
  return !g.clean && g.sessionExpiry > 0;
}

function expiryWords(run: RunPlan, g: GroupPlan): string {
  if (run.protocol === '3.1.1') return 'CleanSession=0, never expires';
  return g.sessionExpiry >= 0xffffffff ? 'expiry never' : `expiry ${g.sessionExpiry} s`;
}

/** The first stretch whose publishes all go to offline groups: growth / messages the broker had to queue. */
export function perQueued(record: RunRecord, stretches: Stretch[], states: PhaseState[]): Derived & { count?: number } {
  const { run, broker } = record;
  const allowed = new Set(['publish', 'wait', 'disconnect', 'fault']);
  const found = stretches.find((s) => {
    const publishes = s.phases.filter((p) => p.phase.kind === 'publish');
    if (publishes.length === 0 || !s.phases.every((p) => allowed.has(p.phase.kind))) return false;
    return publishes.every((p) => states[p.index]?.offline.has((p.phase as PublishPhase).to));
  });
  if (!found) {
    return { value: () => null, basis: 'not derived: no measure phase right after a publish to offline (disconnected or cut) subscribers' };
  }
  const mosquitto = broker.software === 'mosquitto';
  const limitOption = broker.options.max_queued_messages;
  const limit = mosquitto ? (typeof limitOption === 'number' ? limitOption : MOSQUITTO_QUEUE_DEFAULT) : 0;
  const qos0 = mosquitto && broker.options.queue_qos0_messages === true;
  const queuedSoFar = new Map<string, number>();
  let messages = 0;
  const parts: string[] = [];
  const problems: string[] = [];
  for (const { index, phase } of found.phases) {
    if (phase.kind !== 'publish') continue;
    const g = run.groups.find((x) => x.name === phase.to);
    if (!g) continue;
    const qos = Math.min(phase.qos, g.qos);
    if (!persistent(g)) {
      parts.push(`0 in phase ${index + 1} (${g.name}: no session outlives the disconnect)`);
      continue;
    }
    if (qos === 0 && !qos0) {
      parts.push(`0 in phase ${index + 1} (QoS 0 is not queued)`);
      continue;
    }
    const offline = states[index]?.offline.get(g.name);
    const expiresMs = run.protocol === '5' && g.sessionExpiry < 0xffffffff ? g.sessionExpiry * 1000 : undefined;
    if (offline && expiresMs !== undefined && found.to.at - offline.since >= expiresMs) {
      problems.push(`${g.name}'s sessions (expiry ${g.sessionExpiry} s) may have expired before "${found.to.label}" (offline up to ${duration(found.to.at - offline.since)}); measure sooner or set a longer expiry`);
    }
    const before = queuedSoFar.get(g.name) ?? 0;
    const each = limit > 0 ? Math.max(0, Math.min(phase.perTarget, limit - before)) : phase.perTarget;
    queuedSoFar.set(g.name, before + each);
    messages += each * g.count;
    const capped = each < phase.perTarget ? `, capped by max_queued_messages ${limit}` : '';
    parts.push(`${count(each)} each for ${count(g.count)} offline ${g.name} in phase ${index + 1}${capped}`);
  }
  const others = found.phases.filter((p) => p.phase.kind === 'disconnect' || p.phase.kind === 'fault').map((p) => p.index + 1);
  const includes = others.length > 0 ? `; the delta includes phase ${others.join(', ')} (disconnect/fault): add a measure phase before the publish to leave it out` : '';
  // A Mosquitto the harness did not start: its config, so its max_queued_messages, is unknown.
  const assumed = !mosquitto
    ? '; assumes the broker queued every message (its queue limit is not known)'
    : broker.kind === 'external' && limitOption === undefined
      ? `; assumes Mosquitto's default max_queued_messages ${MOSQUITTO_QUEUE_DEFAULT} (this broker's config is not known: a lower limit queues fewer, and the figure comes out too low)`
      : '';
  if (problems.length > 0) return { value: () => null, basis: `not derived: ${problems.join('; ')}` };
  if (messages === 0) return { value: () => null, basis: `not derived: nothing was queued (${parts.join('; ')})` };
  return {
    from: found.from,
    to: found.to,
    count: messages,
    value: (a, b) => Math.round((b - a) / messages),
    basis: `(${quote(found.to)} - ${quote(found.from)}) / ${count(messages)} queued messages (${parts.join('; ')})${includes}${assumed}`,
  };
}

/** The first stretch of only waits, after `after`, while persistent sessions are offline. */
export function reclaimed(run: RunPlan, stretches: Stretch[], states: PhaseState[], after: MemoryPoint | undefined): Derived {
  const candidates = stretches.filter(
    (s) => (after === undefined || s.from.at >= after.at) && s.phases.length > 0 && s.phases.every((p) => p.phase.kind === 'wait'),
  );
  for (const s of candidates) {
    const state = states[s.phases[0]!.index];
    const away = run.groups.filter((g) => persistent(g) && state?.offline.has(g.name));
    if (away.length === 0) continue;
    const words = away.map((g) => {
      const offline = state!.offline.get(g.name)!;
      const gone = s.to.at - (offline.until ?? offline.since);
      if (run.protocol === '3.1.1' || g.sessionExpiry >= 0xffffffff) return `${g.name}: ${expiryWords(run, g)}`;
      const done = gone >= g.sessionExpiry * 1000 + EXPIRY_SLACK_MS;
      return `${g.name}: expiry ${g.sessionExpiry} s, offline ${duration(gone)} at "${s.to.label}"${done ? '' : ' (may not have expired yet)'}`;
    });
    return {
      from: s.from,
      to: s.to,
      // The ratio needs the baseline as well: memory.ts computes it from the three readings.
      value: () => null,
      basis: `("${s.from.label}" - "${s.to.label}") / ("${s.from.label}" - "start"), over ${duration(s.to.at - s.from.at)} of waiting; ${words.join('; ')}`,
    };
  }
  return { value: () => null, basis: 'not derived: no measure phase after a wait while persistent sessions were offline' };
}

