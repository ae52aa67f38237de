import type { BrokerTarget } from '../brokers/types.js';
import { HarnessError } from '../errors.js';
import type { FaultPlan, GroupPlan, PhasePlan, RunPlan } from '../scenario/plan.js';
import { sleep, within } from '../clock.js';
import { formatDuration } from '../scenario/units.js';
import type { FaultDriver } from './fault-controller.js';
import { describeExpiryPhase, driveExpiryPhase } from './expiry-phase.js';
import type { Command, ShardStatus } from '../workers/protocol.js';
import { EnvironmentFailure } from './run-record.js';
import type { Shards } from './shards.js';
import type { BrokerInfo, TimelineEvent } from '../result/timeline.js';

/** A drain ends when nothing new has arrived for this long with every subscriber back. */
const drainQuietMs = 1500;
const drainPollMs = 200;

export function describePhase(phase: PhasePlan): string {
  switch (phase.kind) {
    case 'connect':
      return `connect ${phase.groups.map((g) => g.name).join(', ')}`;
    case 'subscribe':
      return `${phase.kind} ${phase.groups.join(', ')}`;
    case 'heal':
      return phase.takeover
        ? `heal ${phase.groups.join(', ')} (takeover: ${phase.takeover.groups.join(', ')} connect again straight to the broker)`
        : `heal ${phase.groups.join(', ')}`;
    case 'fault':
      if (phase.fault.kind === 'broker-restart') return `broker-restart (down ${formatDuration(phase.fault.downMs)})`;
      return `fault ${phase.fault.kind} on ${phase.groups.join(', ')}`;
    case 'publish':
      return `publish ${phase.from} → ${phase.to}, ${phase.perTarget} each at QoS ${phase.qos}${phase.messageExpirySec !== undefined ? `, Message Expiry ${phase.messageExpirySec} s` : ''}`;
    case 'wait':
      return `wait ${formatDuration(phase.durationMs)}`;
    case 'drain':
      return `drain (up to ${formatDuration(phase.timeoutMs)})`;
    case 'disconnect':
      return `disconnect ${phase.groups.join(', ')} (${phase.mode})`;
    case 'measure':
      return `measure memory "${phase.label}" (after ${formatDuration(phase.settleMs)})`;
    case 'measure-expiry':
      return describeExpiryPhase(phase);
  }
}

/** How long a phase that waits on clients may take before the run is declared stuck. */
export function phaseTimeoutMs(phase: PhasePlan, groups: GroupPlan[]): number {
  if (phase.kind !== 'connect' && phase.kind !== 'publish') return 120_000;
  const count = (name: string): number => groups.find((g) => g.name === name)?.count ?? 0;
  if (phase.kind === 'publish') {
    const messages = count(phase.to) * phase.perTarget;
    return 120_000 + (phase.ratePerSec ? (messages / phase.ratePerSec) * 1000 : 0);
  }
  const slowest = Math.max(...phase.groups.map((g) => (g.ratePerSec ? count(g.name) / g.ratePerSec : 0)));
  return 120_000 + slowest * 1000;
}

/** With agents, how far apart they applied the fault, for its timeline entry. */
function skew(faults: FaultDriver | undefined): { skewMs?: number } {
  return faults?.skewMs === undefined ? {} : { skewMs: faults.skewMs };
}

/** Runs one phase to its end, recording it on the timeline. */
export async function drivePhase(
  index: number,
  phase: PhasePlan,
  run: RunPlan,
  shards: Shards,
  faults: FaultDriver | undefined,
  timeline: TimelineEvent[],
  signal: AbortSignal,
  /** The run's broker, for phases whose work depends on it (measure-expiry under 3.1.1). */
  broker?: BrokerInfo,
  /** The broker itself, for a broker-restart fault (a managed broker can be killed and restarted). */
  target?: Pick<BrokerTarget, 'kill' | 'restart' | 'description'>,
): Promise<void> {
  const label = describePhase(phase);
  timeline.push({ at: performance.now(), kind: 'phase-start', phase: index, label });
  const barrier = (command: Command): Promise<void> =>
    within(phaseTimeoutMs(phase, run.groups), `phase ${index + 1} (${label}) timed out`, shards.run(command));
  switch (phase.kind) {
    case 'connect':
      await barrier({ kind: 'connect', groups: phase.groups });
      break;
    case 'subscribe':
      await barrier({ kind: 'subscribe', groups: phase.groups });
      break;
    case 'publish':
      await barrier({ kind: 'publish', phase });
      break;
    case 'disconnect':
      await barrier({ kind: 'disconnect', groups: phase.groups, mode: phase.mode });
      break;
    case 'fault':
      if (phase.fault.kind === 'broker-restart') {
        await restartBroker(index, phase.groups, phase.fault, label, target, timeline, signal);
        break;
      }
      await faults?.start(phase.groups, phase.fault);
      timeline.push({ at: performance.now(), kind: 'fault-start', phase: index, groups: phase.groups, fault: phase.fault, label, ...skew(faults) });
      break;
    case 'heal':
      // A takeover's second connections open while the old path is still silent; only then is it healed.
      if (phase.takeover) await barrier({ kind: 'takeover', groups: phase.takeover.groups, closeWithinMs: phase.takeover.closeWithinMs });
      await faults?.heal(phase.groups);
      timeline.push({ at: performance.now(), kind: 'fault-stop', phase: index, groups: phase.groups, label, ...skew(faults) });
      break;
    case 'wait':
      await sleep(phase.durationMs, signal);
      break;
    case 'measure':
      // The reading itself is the engine's (execute-run.ts), right after this settle.
      await sleep(phase.settleMs, signal);
      break;
    case 'measure-expiry':
      await driveExpiryPhase(phase, { index, label, run, shards, faults, ...(broker ? { broker } : {}) });
      break;
    case 'drain': {
      const reason = await drain(phase.timeoutMs, run, shards, signal);
      timeline.push({ at: performance.now(), kind: 'drain-end', phase: index, label, reason });
      break;
    }
  }
  // Work left running by an interrupt may still end: the phase did not.
  if (!signal.aborted) timeline.push({ at: performance.now(), kind: 'phase-end', phase: index, label });
}

/**
 * kill -9, `downMs` dead, then the same broker on the same port again; on the timeline as a
 * fault from the kill to the moment the broker answers again, so losses in between are
 * set against it. Clients reconnect by themselves.
 */
async function restartBroker(
  index: number,
  groups: string[],
  fault: Extract<FaultPlan, { kind: 'broker-restart' }>,
  label: string,
  target: Pick<BrokerTarget, 'kill' | 'restart' | 'description'> | undefined,
  timeline: TimelineEvent[],
  signal: AbortSignal,
): Promise<void> {
  if (!target?.kill || !target.restart) {
    throw new HarnessError('E_SCENARIO', `phase ${index + 1} (${label}): broker-restart needs a managed Mosquitto; this run's broker is ${target?.description ?? 'unknown'}`);
  }
  await target.kill();
  timeline.push({ at: performance.now(), kind: 'fault-start', phase: index, groups, fault, label });
  await sleep(fault.downMs, signal);
  try {
    await target.restart();
  } catch (err) {
    throw new EnvironmentFailure('broker-restart', `broker-restart: the broker did not come back: ${err instanceof Error ? err.message : String(err)}`);
  }
  timeline.push({ at: performance.now(), kind: 'fault-stop', phase: index, groups, label });
}

/**
 * Waits until every message sent has arrived, or every subscriber is back and nothing new
 * has come for a quiet spell (what a broker that dropped messages looks like), or timeout.
 */
async function drain(timeoutMs: number, run: RunPlan, shards: Shards, signal: AbortSignal): Promise<'delivered' | 'quiet' | 'timeout'> {
  const subscribers = run.groups.filter((g) => g.role === 'subscriber').reduce((n, g) => n + g.count, 0);
  const deadline = performance.now() + timeoutMs;
  let lastReceived = -1;
  let quietSince = performance.now();
  while (performance.now() < deadline) {
    const statuses = await shards.status();
    const sum = (key: 'received' | 'sent' | 'subscribedNow'): number => statuses.reduce((n, s) => n + s[key], 0);
    const received = sum('received');
    if (received >= sum('sent')) return 'delivered';
    if (received !== lastReceived) {
      lastReceived = received;
      quietSince = performance.now();
    } else if (sum('subscribedNow') >= subscribers && performance.now() - quietSince >= drainQuietMs) {
      return 'quiet';
    }
    await sleep(drainPollMs, signal);
  }
  return 'timeout';
}
