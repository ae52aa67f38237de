import assert from 'node:assert/strict';
import type { ProtocolVersion } from '../../../src/brokers/types.js';
import { isExpressionError, parseExpression } from '../../../src/checks/expression.js';
import type { BrokerInfo, TimelineEvent } from '../../../src/result/timeline.js';
import type { RunRecord } from '../../../src/engine/run-record.js';
import type { ClientLog, ConnectAttempt, ReceivedRun, SentRun } from '../../../src/metrics/ledger.js';
import { encodeHistogram, newLatencyHistogram, recordMs } from '../../../src/metrics/histograms.js';
import type { ExpectationPlan, FaultPlan, GroupPlan, Qos } from '../../../src/scenario/plan.js';

/**
 * RunRecords built by hand. `cutCycle` is the motivating scenario: subscribers connect and
 * subscribe, a fault cuts them off at 1000 ms, a publisher sends `offline` messages to each
 * (evenly over 1500..4500 ms), the fault heals at 5000 ms, they reconnect (CONNACK 5110 ms) and the
 * backlog arrives from 5130 ms; everything closes at 9000 ms.
 */
export const NEVER = 0xffffffff;
export const T = { connack: 20, subscribed: 30, cut: 1000, firstOffline: 1500, heal: 5000, back: 5110, resubscribed: 5120, end: 9000 };

export function groupPlan(over: Partial<GroupPlan> & Pick<GroupPlan, 'name' | 'role'>): GroupPlan {
  return {
    count: 2,
    clientId: `${over.name}-{i}`,
    clean: false,
    sessionExpiry: NEVER,
    keepAliveSec: 10,
    qos: 1,
    via: over.role === 'subscriber' ? 'proxy' : 'direct',
    reconnect: { backoff: 'fixed', delayMs: 100, jitterMs: 0 },
    ...(over.role === 'subscriber' ? { topic: `${over.name}/{i}` } : {}),
    ...over,
  };
}

export function expectation(text: string, origin: ExpectationPlan['origin'] = 'scenario'): ExpectationPlan {
  const parsed = parseExpression(text);
  assert.ok(!isExpressionError(parsed), text);
  return { ...parsed, origin };
}

export function histogram(valuesMs: number[]): string {
  const h = newLatencyHistogram();
  for (const v of valuesMs) recordMs(h, v);
  return encodeHistogram(h);
}

export interface RecordParts {
  protocol: ProtocolVersion;
  groups: GroupPlan[];
  timeline?: TimelineEvent[];
  clients: ClientLog[];
  sent?: SentRun[];
  received?: ReceivedRun[];
  broker?: Partial<BrokerInfo>;
  expect?: ExpectationPlan[];
  label?: string;
  redeliveryMs?: number[];
  unsupported?: string;
  incomplete?: string;
}

export function makeRecord(p: RecordParts): RunRecord {
  return {
    run: { id: p.label ?? p.protocol, label: p.label ?? p.protocol, protocol: p.protocol, groups: p.groups, phases: [], expect: p.expect ?? [], notes: [] },
    broker: { kind: 'external', url: 'mqtt://127.0.0.1:1883', description: 'test broker', options: {}, ...p.broker },
    startedAt: 0,
    endedAt: 10_000,
    startedAtIso: '2025-01-01T00:00:00.000Z',
    timeline: p.timeline ?? [],
    ledgers: [
      {
        shard: 0,
        clients: p.clients,
        sent: p.sent ?? [],
        received: p.received ?? [],
        malformed: 0,
        histograms: { e2e: '', redelivery: p.redeliveryMs ? histogram(p.redeliveryMs) : '' },
      },
    ],
    ...(p.unsupported ? { unsupported: p.unsupported } : {}),
    ...(p.incomplete ? { incomplete: p.incomplete } : {}),
  };
}

export function faultEvents(fault: FaultPlan, start = T.cut, stop = T.heal, groups = ['devices']): TimelineEvent[] {
  return [
    { at: start, kind: 'fault-start', phase: 2, groups, fault, label: fault.kind },
    { at: stop, kind: 'fault-stop', phase: 4, groups, label: 'heal' },
  ];
}

/** The phase starts of a cut-and-drain cycle, labelled as the engine labels them. */
export function cycleEvents(): TimelineEvent[] {
  return [
    { at: T.firstOffline, kind: 'phase-start', phase: 3, label: 'publish backend → devices, 50 each at QoS 1' },
    { at: T.heal + 1, kind: 'phase-start', phase: 5, label: 'drain (up to 20s)' },
  ];
}

export function sent(publisher: string, target: string, times: number[], qos: Qos = 1, firstSeq = 0): SentRun {
  return { publisher, target, qos, firstSeq, sentAt: times, ackedAt: times.map((t) => t + 1) };
}

/** First copies in the order given; `dups` maps seq to extra copies. */
export function received(subscriber: string, publisher: string, arrivals: [seq: number, at: number][], qos: Qos = 1, dups: Record<number, number> = {}): ReceivedRun {
  return { subscriber, publisher, seqs: arrivals.map((a) => a[0]), firstAt: arrivals.map((a) => a[1]), qos: arrivals.map(() => qos), duplicates: dups };
}

export interface CycleOptions {
  protocol: ProtocolVersion;
  clean?: boolean;
  /** Seconds; defaults to what the protocol makes of `clean` (3.1.1) or 0 (5). */
  expiry?: number;
  clients?: number;
  offline?: number;
  qos?: Qos;
  subscriptionQos?: Qos;
  /** Session Present on the return; default true when the spec keeps the session. */
  present?: boolean;
  /** Which offline seqs arrive; default all when present, none otherwise. */
  arrives?: (seq: number) => boolean;
  fault?: FaultPlan;
  broker?: Partial<BrokerInfo>;
  expect?: ExpectationPlan[];
  label?: string;
  redeliveryMs?: number[];
}

export function cutCycle(o: CycleOptions): RunRecord {
  const clean = o.clean ?? false;
  const expiry = o.expiry ?? (o.protocol === '3.1.1' && !clean ? NEVER : 0);
  const clients = o.clients ?? 2;
  const present = o.present ?? (!clean && expiry > 0);
  const arrives = o.arrives ?? (() => present);
  const devices = groupPlan({ name: 'devices', role: 'subscriber', count: clients, clean, sessionExpiry: expiry, qos: o.subscriptionQos ?? 1 });
  const backend = groupPlan({ name: 'backend', role: 'publisher', count: 1 });
  const offline = o.offline ?? 50;
  const times = Array.from({ length: offline }, (_, i) => T.firstOffline + (3000 * i) / offline);
  const logs: ClientLog[] = [{ ref: 'backend/0', clientId: 'backend-0', attempts: [{ startedAt: 5, connackAt: 15 }] }];
  const sentRuns: SentRun[] = [];
  const receivedRuns: ReceivedRun[] = [];
  for (let i = 0; i < clients; i++) {
    const ref = `devices/${i}`;
    const back: ConnectAttempt = { startedAt: 5100, connackAt: T.back, sessionPresent: present, closedAt: T.end, closedBy: 'graceful' };
    if (!present) back.subscribedAt = T.resubscribed;
    logs.push({
      ref,
      clientId: `devices-${i}`,
      attempts: [
        { startedAt: 10, connackAt: T.connack, sessionPresent: false, subscribedAt: T.subscribed, closedAt: T.cut, closedBy: 'lost' },
        { startedAt: 2000, error: 'ECONNREFUSED' },
        back,
      ],
    });
    sentRuns.push(sent('backend/0', ref, times, o.qos ?? 1));
    const arrivals = times.map((_, seq) => seq).filter(arrives).map((seq, k): [number, number] => [seq, T.back + 20 + k]);
    receivedRuns.push(received(ref, 'backend/0', arrivals, Math.min(o.qos ?? 1, o.subscriptionQos ?? 1) as Qos));
  }
  return makeRecord({
    protocol: o.protocol,
    groups: [devices, backend],
    // The publish and the drain that make it a redelivery measurement (report/measured.ts).
    timeline: [...faultEvents(o.fault ?? { kind: 'cut' }), ...cycleEvents()],
    clients: logs,
    sent: sentRuns,
    received: receivedRuns,
    ...(o.broker ? { broker: o.broker } : {}),
    ...(o.expect ? { expect: o.expect } : {}),
    ...(o.label ? { label: o.label } : {}),
    ...(o.redeliveryMs ? { redeliveryMs: o.redeliveryMs } : {}),
  });
}
