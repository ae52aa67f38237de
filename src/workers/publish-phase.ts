/**
 * A `publish` command on one shard: every owned publisher of the phase's `from` group sends
 * `perTarget` messages to each of its targets' topics. Target t of group `to` is served
 * by publisher t % P (P = size of `from`), so the work splits exactly over publishers
 * and shards; to a shared group every publisher sends `perTarget` to the group's one topic.
 * Each publisher keeps a bounded number unacknowledged (mqtt.js would queue without limit,
 * and beyond 65,535 stored QoS>0 messages its ids overwrite each other).
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import type { ProtocolVersion } from '../brokers/types.js';
import type { ClientRef, SentRun } from '../metrics/ledger.js';
import type { PublishPhase, Qos } from '../scenario/plan.js';
import type { Packet } from 'mqtt';
import type { SimClient } from './client.js';
import { encodePayload } from './payload.js';
import { hex } from '../protocol/reason-codes.js';

const MAX_IN_FLIGHT = 100;
/**
 * 3.1.1 has no Receive Maximum, yet Mosquitto drops incoming QoS 2 beyond its
 * max_inflight_messages (20 by default) silently: stay under it so a loss we report is
 * the broker's handling of sessions, not of our own flood.
 */
const V311_QOS2_IN_FLIGHT = 20;
/** A publisher whose acknowledgements stop for this long gives up on them (its connection is likely gone). */
export const ACK_STALL_MS = 10_000;
/** Messages sent between yields when not sleeping (unpaced, or behind schedule), so status and received messages are served. */
const YIELD_EVERY = 64;

export interface Publisher {
  client: SimClient;
  ref: ClientRef;
  /** Index within its group. */
  index: number;
  /** The header's publisher group index. */
  group: number;
  /** Next seq per topic: numbering continues across phases. */
  nextSeq: Map<string, number>;
  /** Messages handed to mqtt.js, all phases. */
  sent: number;
  /** Of those, acknowledged (QoS 0: written), refused or failed: sent - settled are in flight. */
  settled: number;
}

export interface PublishContext {
  protocol: ProtocolVersion;
  /** This invocation's nonce, carried in every header. */
  invocation: number;
  fromSize: number;
  toSize: number;
  /** The target's topic, {i} substituted. */
  topicOf(target: number): string;
  /** For `finish`: every SentRun, late acknowledgements included. */
  runs: SentRun[];
  /** Messages addressed to the target group (live metrics); shared by the shard's publishers. */
  sentTo?: { count: number };
}

interface Outcome {
  unacked: number;
  unsent: number;
  neverConnected: number;
}

/** The targets publisher p serves: p, p + P, p + 2P, ... below T. */
export function targetsOf(publisher: number, publishers: number, targets: number): number[] {
  const mine: number[] = [];
  for (let t = publisher; t < targets; t += publishers) mine.push(t);
  return mine;
}

/** Runs the phase for this shard's publishers; resolves with the `done` detail, if any. */
export async function runPublishPhase(phase: PublishPhase, publishers: Publisher[], ctx: PublishContext): Promise<string | undefined> {
  const outcomes = await Promise.all(publishers.map((p) => publishOne(phase, p, ctx)));
  const total = outcomes.reduce(
    (a, o) => ({ unacked: a.unacked + o.unacked, unsent: a.unsent + o.unsent, neverConnected: a.neverConnected + o.neverConnected }),
    { unacked: 0, unsent: 0, neverConnected: 0 },
  );
  const parts: string[] = [];
  if (total.neverConnected > 0) parts.push(`${total.neverConnected} publisher(s) not connected`);
  if (total.unsent > 0) parts.push(`${total.unsent} message(s) not sent`);
  if (total.unacked > 0) parts.push(`${total.unacked} unacknowledged (gave up after ${ACK_STALL_MS / 1000} s without an ack)`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** Counts messages awaiting their ack (or, for QoS 0, their write) and wakes the sender. */
class Flow {
  inFlight = 0;
  #wake: (() => void) | undefined;

  settled(): void {
    this.inFlight--;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** True when a message settled, false when none did within `ms`. */
  next(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve(false);
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}

function quota(client: SimClient, qos: Qos, protocol: ProtocolVersion): number {
  if (protocol === '5') return Math.min(MAX_IN_FLIGHT, client.mqtt?.serverProperties?.receiveMaximum ?? MAX_IN_FLIGHT);
  return qos === 2 ? V311_QOS2_IN_FLIGHT : MAX_IN_FLIGHT;
}

/** A negative acknowledgement (v5 reason code ≥ 0x80): the message is the broker's refusal, not its loss. */
function refused(client: SimClient, run: SentRun, i: number, err: Error, packet: Packet | undefined, topic: string): void {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'number' || code < 0x80) return;
  (run.refused ??= {})[i] = code;
  const ack = packet?.cmd === 'pubrec' ? 'PUBREC' : packet?.cmd === 'pubcomp' ? 'PUBCOMP' : 'PUBACK';
  client.say({ packet: ack, code }, () => `${client.spec.clientId}: ${ack} ${hex(code)} for PUBLISH ${topic} (QoS ${run.qos})`);
}

/** Target refs of a shared group: one topic, any member ("workers/*"). */
export const SHARED_TARGET = '*';

async function publishOne(phase: PublishPhase, p: Publisher, ctx: PublishContext): Promise<Outcome> {
  // A shared group is one target, served by every publisher: perTarget each to its one topic.
  const targets = phase.shared ? [0] : targetsOf(p.index, ctx.fromSize, ctx.toSize);
  const total = phase.perTarget * targets.length;
  const inst = p.client.mqtt;
  if (total === 0) return { unacked: 0, unsent: 0, neverConnected: 0 };
  if (!inst) return { unacked: 0, unsent: total, neverConnected: 1 };
  const { qos, payloadBytes, messageExpirySec } = phase;
  // v5 only (the plan drops it under 3.1.1); one options object for the whole phase.
  const expiry = ctx.protocol === '5' && messageExpirySec !== undefined ? messageExpirySec : undefined;
  const options = expiry !== undefined ? { qos, properties: { messageExpiryInterval: expiry } } : { qos };
  const lanes = targets.map((t) => {
    const topic = ctx.topicOf(t);
    const run: SentRun = { publisher: p.ref, target: `${phase.to}/${phase.shared ? SHARED_TARGET : t}`, qos, payloadBytes, firstSeq: p.nextSeq.get(topic) ?? 0, sentAt: [], ackedAt: [] };
    if (expiry !== undefined) run.messageExpirySec = expiry;
    return { run, topic };
  });
  // The group's rate splits by message count; this publisher sends targets.length of every T.
  const intervalMs = phase.ratePerSec ? (1000 * (phase.shared ? ctx.fromSize : ctx.toSize)) / (phase.ratePerSec * targets.length) : 0;
  const flow = new Flow();
  const started = performance.now();
  let k = 0;
  let stalled = false;
  sending: for (; k < total; k++) {
    const wait = intervalMs > 0 ? started + k * intervalMs - performance.now() : 0;
    if (wait >= 1) await sleep(wait);
    else if (k % YIELD_EVERY === YIELD_EVERY - 1) await yieldToLoop();
    while (flow.inFlight >= quota(p.client, qos, ctx.protocol)) {
      if (!(await flow.next(ACK_STALL_MS))) {
        stalled = true;
        break sending;
      }
    }
    // Round-robin over targets: every subscriber's stream advances together.
    const lane = lanes[k % lanes.length]!;
    const { run } = lane;
    const i = run.sentAt.length;
    // In the ledger from its first message: a phase cut short (Ctrl-C) still hands in what it sent.
    if (i === 0) ctx.runs.push(run);
    const at = performance.now();
    const payload = encodePayload(payloadBytes, { group: p.group, invocation: ctx.invocation, publisher: p.index, seq: run.firstSeq + i, sentAt: at });
    run.sentAt.push(at);
    run.ackedAt.push(null);
    flow.inFlight++;
    p.sent++;
    if (ctx.sentTo) ctx.sentTo.count++;
    inst.publish(lane.topic, payload, options, (err, packet) => {
      if (!err) run.ackedAt[i] = performance.now();
      else refused(p.client, run, i, err, packet, lane.topic);
      p.settled++;
      flow.settled();
    });
  }
  // After a stall the acknowledgements have already had their ACK_STALL_MS.
  while (!stalled && flow.inFlight > 0 && (await flow.next(ACK_STALL_MS)));
  let unacked = 0;
  for (const { topic, run } of lanes) {
    p.nextSeq.set(topic, run.firstSeq + run.sentAt.length);
    for (const a of run.ackedAt) if (a === null) unacked++;
  }
  return { unacked, unsent: total - k, neverConnected: 0 };
}
