import type { TimelineEvent } from '../result/timeline.js';
import type { FaultPlan } from '../scenario/plan.js';

/** A fault on one group, from its fault-start to the heal that stopped it (absent: never healed). */
export interface FaultWindow {
  plan: FaultPlan;
  start: number;
  stop?: number;
}

/** Every group's faults, in start order, paired with the first later stop naming the group. */
export function faultWindows(timeline: readonly TimelineEvent[]): Map<string, FaultWindow[]> {
  const byGroup = new Map<string, FaultWindow[]>();
  const events = [...timeline].sort((a, b) => a.at - b.at);
  for (const event of events) {
    if (event.kind === 'fault-start') {
      for (const group of event.groups) {
        const list = byGroup.get(group) ?? [];
        list.push({ plan: event.fault, start: event.at });
        byGroup.set(group, list);
      }
    } else if (event.kind === 'fault-stop') {
      for (const group of event.groups) {
        for (const window of byGroup.get(group) ?? []) window.stop ??= event.at;
      }
    }
  }
  return byGroup;
}

/**
 * A black hole: nothing passes and nothing is closed, so the broker learns of the loss only
 * when keep-alive runs out (a custom `timeout` toxic is the same thing as a partition).
 */
export function isSilent(plan: FaultPlan): boolean {
  return plan.kind === 'partition' || (plan.kind === 'toxic' && plan.type === 'timeout');
}

/** Faults that end connections (as opposed to slowing them). */
export function breaksConnections(plan: FaultPlan): boolean {
  return plan.kind !== 'latency' && plan.kind !== 'bandwidth';
}

/**
 * The fault that explains a connection lost at `at`, if any: one that had started (within
 * `slackMs`) and not yet healed, preferring one that ends connections, then the latest.
 */
export function faultAt(windows: readonly FaultWindow[], at: number, slackMs: number): FaultWindow | undefined {
  const active = windows.filter((w) => w.start - slackMs <= at && at <= (w.stop ?? Infinity) + slackMs);
  const breaking = active.filter((w) => breaksConnections(w.plan));
  return (breaking.length > 0 ? breaking : active).at(-1);
}
