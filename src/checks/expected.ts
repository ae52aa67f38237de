import type { ClientRef, SentRun } from '../metrics/ledger.js';
import type { Qos } from '../scenario/plan.js';
import type { PublishOutcomes } from './publish-outcome.js';
import { DEFAULT_MARGIN_MS, lifetimeAtReturn, lifetimeOf, type Lifetime } from './message-expiry.js';
import { fateAt, gapAt, type Fate, type SessionModel } from './session-model.js';

/**
 * Every message sent to one subscriber, judged by the spec: its fate (what the session
 * model says of its send time), whether the subscriber was away, and its place in the
 * broker's offline queue for that time away.
 */
export interface Message {
  publisher: ClientRef;
  seq: number;
  sentAt: number;
  payloadBytes: number;
  /** min(publish QoS, subscription QoS): what the broker owes the subscriber. */
  qos: Qos;
  /**
   * QoS 0 is never owed (the broker may drop it at any time), so it has no fate; nor has a
   * message the broker refused, or never acknowledged: it was never the broker's to deliver.
   */
  fate: Fate | 'qos0' | 'refused' | 'unacknowledged' | 'expiredInQueue';
  /** v5: its Message Expiry Interval, as a lifetime on the run clock; absent: it never expires. */
  lifetime?: Lifetime;
  /** Index into the model's gaps when sent while the subscriber was away, else -1. */
  gap: number;
  /** Among QoS>=1 messages sent in the same gap, in send order (the broker's queue order); -1 online. */
  queueRank: number;
}

export interface Classified {
  /** In send order. */
  messages: Message[];
  /** QoS>=1 messages sent during each gap: the offline backlog the broker had to hold. */
  backlog: number[];
}

/**
 * `subscriptionQos` is the QoS the broker granted; `outcomes` says what the broker did with
 * each publish (absent: all acknowledged). A message with a lifetime that the session held
 * while its subscriber was away is owed only if it was still alive when the subscriber came
 * back: one whose lifetime had ended is `expiredInQueue` (the broker must drop it), one too
 * near that moment `indeterminate`.
 */
export function classifyMessages(model: SessionModel, sent: readonly SentRun[], subscriptionQos: Qos, outcomes?: PublishOutcomes, marginMs = DEFAULT_MARGIN_MS): Classified {
  const messages: Message[] = [];
  for (const run of sent) {
    const qos = Math.min(run.qos, subscriptionQos) as Qos;
    run.sentAt.forEach((sentAt, i) => {
      const outcome = outcomes?.of(run, i) ?? 'acked';
      let fate: Message['fate'] = outcome !== 'acked' ? outcome : qos === 0 ? 'qos0' : fateAt(model, sentAt);
      const gap = gapAt(model, sentAt);
      const lifetime = run.messageExpirySec !== undefined ? lifetimeOf(sentAt, run.messageExpirySec) : undefined;
      if (lifetime && fate === 'expected' && gap >= 0) {
        lifetime.atReturn = lifetimeAtReturn(lifetime, model.gaps[gap]!.to, marginMs);
        if (lifetime.atReturn !== 'alive') fate = lifetime.atReturn === 'expired' ? 'expiredInQueue' : 'indeterminate';
      }
      const message: Message = { publisher: run.publisher, seq: run.firstSeq + i, sentAt, payloadBytes: run.payloadBytes ?? 0, qos, fate, gap, queueRank: -1 };
      if (lifetime) message.lifetime = lifetime;
      messages.push(message);
    });
  }
  messages.sort((a, b) => a.sentAt - b.sentAt);
  const backlog = model.gaps.map(() => 0);
  for (const message of messages) {
    if (message.gap >= 0 && message.qos > 0 && message.fate !== 'refused' && message.fate !== 'unacknowledged') message.queueRank = backlog[message.gap]!++;
  }
  return { messages, backlog };
}

export function isExpected(message: Message): boolean {
  return message.fate === 'expected';
}
