import type { ClientRef, SentRun } from '../metrics/ledger.js';
import type { Qos } from '../scenario/plan.js';
import type { PublishOutcomes } from './publish-outcome.js';
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
  fate: Fate | 'qos0' | 'refused' | 'unacknowledged';
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

/** `subscriptionQos` is the QoS the broker granted; `outcomes` says what the broker did with each publish (absent: all acknowledged). */
export function classifyMessages(model: SessionModel, sent: readonly SentRun[], subscriptionQos: Qos, outcomes?: PublishOutcomes): Classified {
  const messages: Message[] = [];
  for (const run of sent) {
    const qos = Math.min(run.qos, subscriptionQos) as Qos;
    run.sentAt.forEach((sentAt, i) => {
      const outcome = outcomes?.of(run, i) ?? 'acked';
      const fate = outcome !== 'acked' ? outcome : qos === 0 ? 'qos0' : fateAt(model, sentAt);
      messages.push({ publisher: run.publisher, seq: run.firstSeq + i, sentAt, payloadBytes: run.payloadBytes ?? 0, qos, fate, gap: gapAt(model, sentAt), queueRank: -1 });
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
