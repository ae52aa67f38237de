import type { RunPlan } from '../scenario/plan.js';
import { messageExpiryIgnored } from '../scenario/message-expiry.js';
import type { Percentiles } from '../result/latency.js';
import { duration } from './words.js';

/**
 * For a run whose scenario gave messages a lifetime, how old the messages sent while their
 * subscriber was away were when they arrived: the figure that shows what 3.1.1 does without
 * one. (Every run has the figures; only these get the sentence.)
 */
export function offlineAgeExplanation(run: Pick<RunPlan, 'protocol' | 'phases' | 'notes'>, age: Percentiles | null): string[] {
  const v5 = run.phases.some((p) => p.kind === 'publish' && p.messageExpirySec !== undefined);
  if (!v5 && !messageExpiryIgnored(run.notes)) return [];
  if (!age) return ['No message sent while its subscriber was away arrived, so no age at arrival was measured.'];
  const figures = `the oldest was ${duration(age.max)} old when it arrived (median ${duration(age.p50)}, ${age.count} messages)`;
  return run.protocol === '3.1.1'
    ? [`MQTT 3.1.1 has no Message Expiry Interval: the broker delivers a queued message however old; of the messages sent while their subscriber was away, ${figures}.`]
    : [`Of the messages sent while their subscriber was away, ${figures}: none may outlive its Message Expiry Interval.`];
}
