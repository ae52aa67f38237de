/**
 * The receive path: what each subscriber got from each publisher, and the shard's latency
 * histograms. Runs once per incoming message, so it is O(1) and allocation-light: one
 * reused header, a Map per subscriber keyed by a number, a bitmap per publisher.
 */
import type { Histogram } from 'hdr-histogram-js';
import type { ClientRef, ReceivedRun } from '../metrics/ledger.js';
import { newLatencyHistogram, recordMs } from '../metrics/histograms.js';
import type { Qos } from '../scenario/plan.js';
import type { MessageSink } from './client.js';
import { decodeHeader, type PayloadHeader } from './payload.js';
import { MAX_SEQ, SeenSet } from './seen-set.js';

/** Counters and histograms shared by every subscriber of one shard. */
export class ReceiveTotals {
  /** First copies. */
  received = 0;
  malformed = 0;
  /** Messages an earlier invocation sent (a broker's leftover queue): never received, never timed. */
  leftover = 0;
  /** 0 until the first message. */
  lastReceiveAt = 0;
  /** Send → arrival, for messages sent while the subscriber was connected. */
  readonly e2e: Histogram = newLatencyHistogram();
  /** Reconnect CONNACK → arrival, for the backlog (messages sent before that CONNACK). */
  readonly redelivery: Histogram = newLatencyHistogram();

  /** `groupNames[i]` is the group a header's publisher group index i names; `invocation` is this invocation's nonce. */
  constructor(
    readonly groupNames: readonly string[],
    readonly invocation: number,
  ) {}
}

interface FromPublisher {
  run: ReceivedRun;
  seen: SeenSet;
}

/** One thread decodes one message at a time: a single reused header suffices. */
const header: PayloadHeader = { group: 0, invocation: 0, publisher: 0, seq: 0, sentAt: 0 };

/** Group index and publisher index fit in 2^16 × 2^32 < 2^53: an exact number key. */
const GROUP_STRIDE = 2 ** 32;

/** A QoS 2 message the client holds until the broker's PUBREL. */
interface Held {
  group: number;
  publisher: number;
  seq: number;
}

export class Inbox implements MessageSink {
  /** Made on the first message: an idle subscriber's empty Map would cost ~0.2 KB. */
  #from: Map<number, FromPublisher> | undefined;
  /** By packet id; made on the first QoS 2 PUBLISH. */
  #held: Map<number, Held> | undefined;
  /** Messages from an earlier invocation this subscriber got (each copy). */
  leftover = 0;
  /** First copies this subscriber got (live metrics sum them per group). */
  received = 0;

  constructor(
    readonly subscriber: ClientRef,
    readonly totals: ReceiveTotals,
  ) {}

  /**
   * Latencies count first copies only. `connackAt` is the CONNACK of the connection the
   * message came on: a message sent before it waited in the session while we were away.
   */
  receive(payload: Buffer, qos: Qos, connackAt: number | undefined, expiry?: number): void {
    const at = performance.now();
    const totals = this.totals;
    const origin = decodeHeader(payload, header, totals.invocation);
    if (origin === 'earlier-run') {
      // Counted apart: taken for ours, it would be "delivered" and would end a drain early.
      this.leftover++;
      totals.leftover++;
      return;
    }
    if (origin === 'not-ours' || header.group >= totals.groupNames.length || header.seq > MAX_SEQ) {
      totals.malformed++;
      return;
    }
    const key = header.group * GROUP_STRIDE + header.publisher;
    const fromAll = (this.#from ??= new Map());
    let from = fromAll.get(key);
    if (from === undefined) {
      from = { run: this.#newRun(header), seen: new SeenSet() };
      fromAll.set(key, from);
    }
    const { run } = from;
    if (!from.seen.add(header.seq)) {
      run.duplicates[header.seq] = (run.duplicates[header.seq] ?? 0) + 1;
      return;
    }
    run.seqs.push(header.seq);
    run.firstAt.push(at);
    run.qos.push(qos);
    // Made only when a copy carries an interval, so a 3.1.1 run or one without expiry pays nothing.
    if (expiry !== undefined && run.expiry === undefined) run.expiry = new Array<number>(run.seqs.length - 1).fill(-1);
    run.expiry?.push(expiry ?? -1);
    totals.received++;
    this.received++;
    totals.lastReceiveAt = at;
    if (connackAt === undefined || header.sentAt >= connackAt) recordMs(totals.e2e, at - header.sentAt);
    else recordMs(totals.redelivery, at - connackAt);
  }

  held(messageId: number, payload: Buffer): void {
    if (decodeHeader(payload, header, this.totals.invocation) !== 'this-run' || header.group >= this.totals.groupNames.length || header.seq > MAX_SEQ) return;
    (this.#held ??= new Map()).set(messageId, { group: header.group, publisher: header.publisher, seq: header.seq });
  }

  released(messageId: number): void {
    this.#held?.delete(messageId);
  }

  sessionLost(): void {
    this.#held?.clear();
  }

  /** What arrived; messages still held (no PUBREL came) are named in their run's `unreleased`. */
  runs(): ReceivedRun[] {
    for (const held of this.#held?.values() ?? []) {
      const key = held.group * GROUP_STRIDE + held.publisher;
      const fromAll = (this.#from ??= new Map());
      let from = fromAll.get(key);
      if (from === undefined) {
        from = { run: this.#newRun(held), seen: new SeenSet() };
        fromAll.set(key, from);
      }
      (from.run.unreleased ??= []).push(held.seq);
    }
    this.#held = undefined;
    return this.#from ? [...this.#from.values()].map((f) => f.run) : [];
  }

  #newRun(h: Pick<PayloadHeader, 'group' | 'publisher'>): ReceivedRun {
    const publisher = `${this.totals.groupNames[h.group] ?? '?'}/${h.publisher}`;
    return { subscriber: this.subscriber, publisher, seqs: [], firstAt: [], qos: [], duplicates: {} };
  }
}
