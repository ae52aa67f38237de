import type { BrokerSpec, ProtocolVersion } from '../brokers/types.js';
import { expiryGroupProblem, resolveMeasureExpiry } from './expiry-phase.js';
import { messageExpiryOf } from './message-expiry.js';
import { targetProblem } from './groups.js';
import type { FaultPlan, GroupPlan, PhasePlan } from './plan.js';
import type { Path, Report } from './problems.js';
import { DEFAULTS } from './defaults.js';
import type { FaultSpec, PhaseSpec } from './schema.js';
import { didYouMean } from './suggest.js';
import { parseBandwidth, parseDuration, parseRate } from './units.js';

/**
 * Phases in order, with the state each leaves behind (who is connected, subscribed,
 * faulted): that state fills defaults ("heal" heals what is faulted) and catches phases
 * that cannot work where they stand (a subscribe before its connect).
 */
export interface PhaseInput {
  /** A phase the schema rejected is undefined: skipped, and the state after it unknown. */
  phases: readonly (PhaseSpec | undefined)[];
  /** Groups that resolved; file order. */
  groups: ReadonlyMap<string, GroupPlan>;
  /** Every group name written, even one whose settings are broken (no "undefined" for it). */
  known: ReadonlySet<string>;
  report: Report;
  /** A `measure` phase's wait when it gives none (memory.settle); default DEFAULTS.memorySettle. */
  measureSettleMs?: number;
  /** The run's protocol, for checks that depend on it (measure-expiry); absent: MQTT 5. */
  protocol?: ProtocolVersion;
  /** The scenario's broker kind, for faults only a managed broker allows (broker-restart). */
  brokerKind?: BrokerSpec['kind'];
}

type Need = (group: GroupPlan) => string | undefined;

export function resolvePhases({ phases, groups, known, report, measureSettleMs, protocol, brokerKind }: PhaseInput): PhasePlan[] {
  const connected = new Set<string>();
  const subscribed = new Set<string>();
  const faulted = new Set<string>();
  /** Groups in a takeover (their fault's closeWithinMs), and groups a healed takeover moved onto the direct path (phase index). */
  const takeovers = new Map<string, number>();
  const moved = new Map<string, number>();
  let published = false;
  // After a phase the schema rejected, state-based checks would only echo that error.
  let trusted = true;
  const usable = [...groups.values()];
  // With a group's settings broken, an empty default may only mean that group is missing.
  const complete = usable.length === known.size;
  const inOrder = (names: Set<string>) => usable.filter((g) => names.has(g.name)).map((g) => g.name);

  /** Names that exist (undefined ones reported, with a suggestion); `need` checks each. */
  const pick = (path: Path, names: readonly string[] | undefined, fallback: string[], none: string, need: Need) => {
    if (names === undefined) {
      if (fallback.length === 0 && trusted && complete) report(path, none);
      return fallback;
    }
    return names.filter((name, j) => {
      const group = groups.get(name);
      if (!known.has(name)) report([...path, 'groups', j], `undefined group "${name}"${didYouMean(name, known)}`);
      const why = group && need(group);
      if (why) report([...path, 'groups', j], why);
      return known.has(name);
    });
  };
  /** Why a takeover (or a proxy fault after one) cannot act on the group here, if it cannot. */
  const takeoverProblem = (g: GroupPlan, kind: string): string | undefined => {
    if (kind === 'takeover' && g.role !== 'subscriber') {
      return `a takeover moves subscriber groups only: group ${g.name} is a publisher (its unacknowledged publishes would stay behind on the first connection)`;
    }
    if (!trusted) return undefined;
    if (takeovers.has(g.name)) return `group ${g.name} is in a takeover here: heal it first`;
    if (kind === 'takeover' && faulted.has(g.name)) return `group ${g.name} already has a fault here: heal it before a takeover`;
    const at = moved.get(g.name);
    if (at !== undefined) {
      return `group ${g.name} moved straight to the broker in the takeover healed at phases[${at}], so a proxy fault would not reach it: disconnect and connect it again first`;
    }
    return undefined;
  };
  const mustBeConnected: Need = (g) => (trusted && !connected.has(g.name) ? notConnected(g.name) : undefined);

  /** One group named by publish.from or publish.to. */
  const one = (path: Path, name: string, need: Need) => {
    const group = groups.get(name);
    if (!known.has(name)) report(path, `undefined group "${name}"${didYouMean(name, known)}`);
    const why = group && need(group);
    if (why) report(path, why);
    return group;
  };

  const plans: PhasePlan[] = [];
  const measureLabels = new Map<string, number>();
  let expiryPhase: number | undefined;
  phases.forEach((spec, index) => {
    const kind = spec && (Object.keys(spec)[0] as keyof PhaseSpec | undefined);
    if (!spec || !kind) {
      trusted = false;
      return;
    }
    const path: Path = ['phases', index, kind];
    switch (kind) {
      case 'connect': {
        const body = spec.connect ?? {};
        const fallback = usable.filter((g) => !connected.has(g.name)).map((g) => g.name);
        const names = pick(path, body.groups, fallback, 'every group is already connected here', (g) =>
          trusted && connected.has(g.name) ? `group ${g.name} is already connected here` : undefined,
        );
        const rate = body.rate === undefined ? undefined : parseRate(body.rate);
        names.forEach((n) => connected.add(n));
        // A fresh connect goes through the group's proxy again.
        names.forEach((n) => moved.delete(n));
        plans.push({
          kind,
          groups: names.map((name) => {
            const ratePerSec = rate ?? groups.get(name)?.connectRatePerSec;
            return ratePerSec === undefined ? { name } : { name, ratePerSec };
          }),
        });
        return;
      }
      case 'subscribe': {
        const fallback = usable.filter((g) => g.role === 'subscriber' && connected.has(g.name)).map((g) => g.name);
        const names = pick(path, spec.subscribe?.groups, fallback, 'no subscriber group is connected here', (g) =>
          g.role !== 'subscriber' ? `group ${g.name} is a publisher: only subscriber groups subscribe` : mustBeConnected(g),
        );
        names.forEach((n) => subscribed.add(n));
        plans.push({ kind, groups: names });
        return;
      }
      case 'fault': {
        const body = spec.fault!;
        if (body.kind === 'broker-restart') {
          if (brokerKind !== 'managed-mosquitto') {
            report([...path, 'kind'], `broker-restart kills and restarts a broker the harness starts: set broker: managed-mosquitto (or { mosquitto: {...} }), not ${brokerKind ?? 'auto'}`);
          }
          // Every client loses its connection: each group's losses are set against it. Nothing to heal.
          plans.push({ kind, groups: usable.map((g) => g.name), fault: { kind: 'broker-restart', downMs: parseDuration(body.down ?? DEFAULTS.brokerDown) ?? 0 } });
          return;
        }
        const names = pick(path, body.groups, [], 'name the groups to fault', (g) =>
          g.via === 'direct' ? `group ${g.name} connects with via: direct, and faults act on the proxy` : (takeoverProblem(g, body.kind) ?? mustBeConnected(g)),
        );
        const fault = faultPlan(body, path, report);
        names.forEach((n) => faulted.add(n));
        if (fault.kind === 'takeover') names.forEach((n) => takeovers.set(n, fault.closeWithinMs));
        plans.push({ kind, groups: names, fault });
        return;
      }
      case 'heal': {
        const names = pick(path, spec.heal?.groups, inOrder(faulted), 'no fault is active here', (g) =>
          trusted && !faulted.has(g.name) ? `group ${g.name} has no active fault here` : undefined,
        );
        names.forEach((n) => faulted.delete(n));
        const taken = names.filter((n) => takeovers.has(n));
        const closeWithinMs = Math.max(0, ...taken.map((n) => takeovers.get(n)!));
        taken.forEach((n) => {
          takeovers.delete(n);
          moved.set(n, index);
        });
        plans.push({ kind, groups: names, ...(taken.length > 0 ? { takeover: { groups: taken, closeWithinMs } } : {}) });
        return;
      }
      case 'publish': {
        const body = spec.publish!;
        const from = one([...path, 'from'], body.from, (g) =>
          g.role !== 'publisher' ? `group ${g.name} is a subscriber group: publish from a publisher group` : mustBeConnected(g),
        );
        const to = one([...path, 'to'], body.to, (g) => {
          if (g.role !== 'subscriber') return `group ${g.name} is a publisher group: publish to a subscriber group`;
          if (trusted && !subscribed.has(g.name)) return `group ${g.name} has not subscribed before this phase: add a subscribe phase`;
          return targetProblem(g);
        });
        const rate = body.rate === undefined ? undefined : parseRate(body.rate);
        const messageExpirySec = messageExpiryOf([...path, 'messageExpiry'], body.messageExpiry, protocol, report);
        published = true;
        plans.push({
          kind,
          from: body.from,
          to: body.to,
          perTarget: body.perTarget,
          qos: body.qos ?? from?.qos ?? DEFAULTS.qos,
          ...(rate !== undefined ? { ratePerSec: rate } : {}),
          payloadBytes: body.payloadBytes ?? DEFAULTS.payloadBytes,
          ...(to?.share !== undefined ? { shared: true as const } : {}),
          ...(messageExpirySec !== undefined ? { messageExpirySec } : {}),
        });
        return;
      }
      case 'wait':
        plans.push({ kind, durationMs: parseDuration(spec.wait!) ?? 0 });
        return;
      case 'drain':
        if (trusted && !published) report(path, 'nothing to drain: no publish phase comes before it');
        plans.push({ kind, timeoutMs: parseDuration(spec.drain?.timeout ?? DEFAULTS.drainTimeout) ?? 0 });
        return;
      case 'measure': {
        const body = spec.measure;
        const label = (typeof body === 'string' ? body : body?.label) ?? `phase-${index + 1}`;
        if (measureLabels.has(label)) report(path, `the label "${label}" is already used by phases[${measureLabels.get(label)}]: each point needs its own`);
        measureLabels.set(label, index);
        const settle = typeof body === 'object' && body?.settle !== undefined ? parseDuration(body.settle) : undefined;
        plans.push({ kind, label, settleMs: settle ?? measureSettleMs ?? parseDuration(DEFAULTS.memorySettle) ?? 0 });
        return;
      }
      case 'measure-expiry': {
        const body = spec['measure-expiry']!;
        const names = pick(path, body.groups, [], 'name the groups to measure', (g) => expiryGroupProblem(g, trusted && connected.has(g.name)));
        const measured = names.flatMap((n) => groups.get(n) ?? []).filter((g) => g.role === 'subscriber');
        plans.push(resolveMeasureExpiry({ spec: body, groups: measured, path, protocol, report, earlier: expiryPhase }));
        expiryPhase ??= index;
        return;
      }
      case 'disconnect': {
        const names = pick(path, spec.disconnect?.groups, inOrder(connected), 'no group is connected here', mustBeConnected);
        names.forEach((n) => connected.delete(n));
        plans.push({ kind, groups: names, mode: spec.disconnect?.mode ?? DEFAULTS.disconnectMode });
        return;
      }
    }
  });
  return plans;
}

function notConnected(name: string): string {
  return `group ${name} is not connected here: connect it in an earlier phase`;
}

function faultPlan(spec: Exclude<FaultSpec, { kind: 'broker-restart' }>, path: Path, report: Report): FaultPlan {
  switch (spec.kind) {
    case 'cut':
    case 'partition':
    case 'reset':
      return { kind: spec.kind };
    case 'takeover':
      return { kind: spec.kind, closeWithinMs: parseDuration(spec.closeWithin ?? DEFAULTS.takeoverCloseWithin) ?? 0 };
    case 'latency':
      return {
        kind: spec.kind,
        latencyMs: parseDuration(spec.latency) ?? 0,
        jitterMs: parseDuration(spec.jitter ?? '0ms') ?? 0,
        stream: spec.stream ?? DEFAULTS.faultStream,
      };
    case 'bandwidth': {
      const kbPerSec = (parseBandwidth(spec.rate) ?? 0) / 1000;
      if (!Number.isInteger(kbPerSec) || kbPerSec < 1) {
        report([...path, 'rate'], 'must be a whole number of KB/s, at least 1KB/s (Toxiproxy counts in KB/s)');
      }
      return { kind: spec.kind, kbPerSec, stream: spec.stream ?? DEFAULTS.faultStream };
    }
    case 'toxic':
      return {
        kind: spec.kind,
        type: spec.type,
        stream: spec.stream ?? DEFAULTS.toxicStream,
        toxicity: spec.toxicity ?? DEFAULTS.toxicity,
        attributes: spec.attributes ?? {},
      };
  }
}
