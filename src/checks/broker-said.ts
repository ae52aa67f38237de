import type { ProtocolVersion } from '../brokers/types.js';
import type { RunRecord } from '../engine/run-record.js';
import type { SaidEntry } from '../metrics/ledger.js';
import { propertyName } from '../protocol/connack-properties.js';
import { allowedInAck, codeName } from '../protocol/reason-codes.js';
import type { BrokerSaid } from '../result/refusals.js';
import type { GroupPlan, RunPlan } from '../scenario/plan.js';
import { closedByBroker, FAULT_SLACK_MS } from './broker-closes.js';
import { faultWindows, type FaultWindow } from './faults.js';
import { groupOf } from './subscribers.js';

const EXAMPLES = 3;
const KIND_ORDER = { refused: 0, changed: 1, told: 2 } as const;
const ACK_SECTIONS = { PUBACK: '3.4.2.1', PUBREC: '3.5.2.1', PUBCOMP: '3.7.2.1' } as const;

/**
 * Everything the broker said, over all shards, with the connections it closed (told from
 * closes a scenario fault or the client caused), each named and sorted: refusals first.
 * Times are ms from the run's start.
 */
export function brokerSaid(record: RunRecord): BrokerSaid[] {
  const merged = new Map<string, SaidEntry>();
  const add = (e: SaidEntry): void => {
    const key = `${e.group}\u0000${e.packet}\u0000${e.code ?? ''}\u0000${e.property ?? ''}\u0000${String(e.value ?? '')}`;
    const into = merged.get(key);
    if (!into) return void merged.set(key, { ...e, examples: e.examples.slice(0, EXAMPLES) });
    into.count += e.count;
    into.clients += e.clients;
    into.firstAt = Math.min(into.firstAt, e.firstAt);
    for (const x of e.examples) if (into.examples.length < EXAMPLES) into.examples.push(x);
  };
  for (const ledger of record.ledgers) for (const e of ledger.said ?? []) add(e);
  for (const e of closes(record)) add(e);
  const groups = new Map(record.run.groups.map((g) => [g.name, g]));
  return [...merged.values()]
    .filter((e) => groups.has(e.group))
    .map((e) => describe(e, groups.get(e.group)!, record.run, record.startedAt))
    .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || b.count - a.count);
}

/** Connections the broker closed (after a CONNACK) or never answered, outside any scenario fault. */
function closes(record: RunRecord): SaidEntry[] {
  const faults = faultWindows(record.timeline);
  const entries: SaidEntry[] = [];
  const counted = new Set<string>();
  for (const log of record.ledgers.flatMap((l) => l.clients)) {
    const group = groupOf(log.ref);
    const windows = faults.get(group) ?? [];
    for (const a of log.attempts) {
      if (a.disconnectCode !== undefined || a.code !== undefined) continue;
      const at = a.closedAt ?? a.startedAt;
      let what: string | undefined;
      if (closedByBroker(a, windows)) what = `after ${(a.afterPacket ?? 'CONNECT').replace(/^PUBLISH \S+ /, 'PUBLISH ')}`;
      else if (a.connackAt === undefined && (a.error !== undefined || a.closedAt !== undefined) && !closedByFault(a.startedAt, at, windows)) what = 'before CONNACK';
      if (what === undefined) continue;
      const example = `${log.clientId}: ${a.afterPacket ?? a.error ?? 'closed'}`;
      const first = !counted.has(`${log.ref}\u0000${what}`);
      entries.push({ group, packet: 'close', value: what, count: 1, clients: first ? 1 : 0, examples: [example], firstAt: at });
      counted.add(`${log.ref}\u0000${what}`);
    }
  }
  return entries;
}

/** An attempt that overlapped a fault on its group: the fault, not the broker, explains its failure. */
function closedByFault(from: number, to: number, windows: readonly FaultWindow[]): boolean {
  return windows.some((w) => w.start - FAULT_SLACK_MS <= to && from <= (w.stop ?? Infinity) + FAULT_SLACK_MS);
}

function describe(e: SaidEntry, group: GroupPlan, run: RunPlan, startedAt: number): BrokerSaid {
  const { kind, what } = name(e, group, run);
  return {
    group: e.group,
    packet: e.packet,
    kind,
    ...(e.code !== undefined ? { code: e.code } : {}),
    ...(e.property !== undefined ? { property: e.property } : {}),
    ...(e.value !== undefined ? { value: e.value } : {}),
    what,
    count: e.count,
    clients: e.clients,
    of: group.count,
    examples: e.examples,
    firstAt: Math.round((e.firstAt - startedAt) * 10) / 10,
  };
}

/** The highest QoS a group publishes at: what a CONNACK's Maximum QoS limits (a subscription's grant is its SUBACK's). */
function qosPublished(group: GroupPlan, run: RunPlan): number {
  return Math.max(0, ...run.phases.map((p) => (p.kind === 'publish' && p.from === group.name ? p.qos : 0)));
}

function name(e: SaidEntry, group: GroupPlan, run: RunPlan): Pick<BrokerSaid, 'kind' | 'what'> {
  const protocol: ProtocolVersion = run.protocol;
  const code = e.code ?? 0;
  switch (e.packet) {
    case 'close':
      return { kind: 'refused', what: `closed the connection ${String(e.value)}` };
    case 'PUBACK':
    case 'PUBREC':
    case 'PUBCOMP': {
      const illegal = allowedInAck(code, e.packet) ? '' : ` (a code MQTT 5 does not allow in ${e.packet}, §${ACK_SECTIONS[e.packet]})`;
      return { kind: 'refused', what: `${e.packet} ${codeName(code, protocol, e.packet)}${illegal}` };
    }
    case 'DISCONNECT':
      return { kind: 'refused', what: `${e.packet} ${codeName(code, protocol, e.packet)}` };
    case 'SUBACK':
      if (code >= 0x80) return { kind: 'refused', what: `SUBACK ${codeName(code, protocol, 'SUBACK')}` };
      if (code < group.qos) return { kind: 'changed', what: `SUBACK granted QoS ${code} for QoS ${group.qos}` };
      return { kind: 'told', what: `SUBACK granted QoS ${code}` };
    case 'CONNACK':
      if (e.property === undefined) return { kind: 'refused', what: `CONNACK ${codeName(code, protocol, 'CONNACK')}` };
      return property(e.property, e.value, group, run);
  }
}

function property(prop: string, value: SaidEntry['value'], group: GroupPlan, run: RunPlan): Pick<BrokerSaid, 'kind' | 'what'> {
  const v = typeof value === 'boolean' ? Number(value) : value;
  switch (prop) {
    case 'sessionExpiryInterval':
      return value === group.sessionExpiry
        ? { kind: 'told', what: `Session Expiry Interval ${String(v)} s` }
        : { kind: 'changed', what: `Session Expiry Interval ${String(v)} s (asked ${group.sessionExpiry} s)` };
    case 'serverKeepAlive':
      return value === group.keepAliveSec
        ? { kind: 'told', what: `Server Keep Alive ${String(v)} s` }
        : { kind: 'changed', what: `Server Keep Alive ${String(v)} s (asked ${group.keepAliveSec} s)` };
    case 'maximumQoS': {
      const asked = qosPublished(group, run);
      return Number(v) < asked
        ? { kind: 'changed', what: `Maximum QoS ${String(v)} (the scenario uses QoS ${asked})` }
        : { kind: 'told', what: `Maximum QoS ${String(v)}` };
    }
    default:
      return { kind: 'told', what: v === undefined ? propertyName(prop) : `${propertyName(prop)} ${String(v)}` };
  }
}
