import type { ProtocolVersion } from '../brokers/types.js';
import type { ExpiryClose, GroupPlan, MeasureExpiryPhase, ProbeWindow } from './plan.js';
import type { Path, Report } from './problems.js';
import { DEFAULTS } from './defaults.js';
import type { MeasureExpirySpec } from './schema.js';
import { parseDuration } from './units.js';

/**
 * The `measure-expiry` phase checked and resolved: shares, probe windows, the Will Delay
 * every client gets, and the phase's longest wait. Problems that depend on the protocol are
 * reported for MQTT 5 only (a 3.1.1 run has no protocol expiry: what it can measure is
 * decided when it runs, from the broker's own settings).
 */
export const EXPIRY_CLOSES: readonly ExpiryClose[] = ['graceful', 'abrupt', 'partition'];

const NEVER = 0xffffffff;
/** Mosquitto sweeps keep-alives about every 6 s, in whole seconds: a partition's end comes that much after 1.5 x keep-alive. */
const SWEEP_ALLOWANCE_MS = 8000;
/** The Will Delay outlasts the latest a session may end by this much more. */
const WILL_DELAY_MARGIN_SEC = 60;

export interface ExpiryPhaseInput {
  spec: MeasureExpirySpec;
  /** The groups named that exist (undefined ones were reported by the caller). */
  groups: readonly GroupPlan[];
  path: Path;
  protocol: ProtocolVersion | undefined;
  report: Report;
  /** Index of an earlier measure-expiry phase, if any. */
  earlier: number | undefined;
}

/** Why a group cannot be measured where it stands, or undefined. */
export function expiryGroupProblem(group: GroupPlan, connectedHere: boolean): string | undefined {
  if (group.role !== 'subscriber') {
    return `group ${group.name} is a publisher group: measure-expiry measures subscriber groups (sessions that hold a subscription)`;
  }
  if (connectedHere) {
    return `group ${group.name} is connected here: measure-expiry connects the sessions itself (each with a Will), so measure a group no earlier phase connects`;
  }
  return undefined;
}

/** "50%" -> 0.5; undefined when not a percentage. */
export function parsePercent(text: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)%$/.exec(text);
  return m ? Number(m[1]) / 100 : undefined;
}

/** "-1s" -> -1000; undefined when not a duration. */
export function parseOffset(text: string): number | undefined {
  const negative = text.startsWith('-');
  const ms = parseDuration(negative ? text.slice(1) : text);
  return ms === undefined ? undefined : negative ? -ms : ms;
}

/** The expiry (ms) a session of `group` gets after closing this way: graceful may carry a new one. */
export function expectedExpiryMs(group: GroupPlan, close: ExpiryClose, disconnectExpiry: number | undefined): number {
  if (close === 'graceful' && disconnectExpiry !== undefined) {
    // From 0, a non-zero interval at DISCONNECT is a protocol error: the session ends at the close.
    return group.sessionExpiry === 0 ? 0 : disconnectExpiry * 1000;
  }
  return group.sessionExpiry * 1000;
}

/** Default probe offsets, from the expected end (partition: from the cut + expiry). */
export function defaultWindow(group: GroupPlan, close: ExpiryClose, expectedMs: number, syncKeepAlive: boolean): ProbeWindow {
  if (close !== 'partition') return { fromMs: -Math.min(1000, expectedMs), toMs: 2000 };
  const deadline = group.keepAliveSec * 1500;
  return { fromMs: syncKeepAlive ? Math.max(0, deadline - 1000) : 0, toMs: deadline + SWEEP_ALLOWANCE_MS };
}

/** The latest a session may end, from its close (partition: from the cut), ms, by the spec and Mosquitto's sweep. */
function latestEndMs(group: GroupPlan, close: ExpiryClose, expectedMs: number, neverAfterMs: number, spreadMs: number): number {
  return expectedMs + (close === 'partition' ? group.keepAliveSec * 1500 : spreadMs) + neverAfterMs;
}

export function resolveMeasureExpiry({ spec, groups, path, protocol, report, earlier }: ExpiryPhaseInput): MeasureExpiryPhase {
  if (earlier !== undefined) {
    report(path, `only one measure-expiry phase per scenario (phase ${earlier + 1} is one): name several groups in it instead`);
  }
  const closes = resolveCloses(spec.closes, [...path, 'closes'], report);
  const probeShare = parsePercent(spec.probes?.share ?? DEFAULTS.expiryProbeShare) ?? 0;
  if (probeShare > 1) report([...path, 'probes', 'share'], 'must be at most 100%');
  const neverAfterMs = parseDuration(spec.neverAfter ?? DEFAULTS.expiryNeverAfter) ?? 0;
  const spreadMs = parseDuration(spec.spread ?? DEFAULTS.expirySpread) ?? 0;
  const maxWaitMs = parseDuration(spec.maxWait ?? DEFAULTS.expiryMaxWait) ?? 0;
  const syncKeepAlive = spec.syncKeepAlive ?? true;
  const brokerExpiryMs = spec.brokerExpiry === undefined ? undefined : parseDuration(spec.brokerExpiry);
  const used = EXPIRY_CLOSES.filter((c) => closes[c] > 0);

  const written: Partial<Record<ExpiryClose, ProbeWindow>> = {};
  for (const close of EXPIRY_CLOSES) {
    const w = spec.probes?.[close];
    if (!w) continue;
    const window = { fromMs: parseOffset(w.from) ?? 0, toMs: parseOffset(w.to) ?? 0 };
    if (window.fromMs >= window.toMs) report([...path, 'probes', close, 'to'], `must come after from (${w.from})`);
    if (!used.includes(close)) report([...path, 'probes', close], `no session closes by ${close} here (see closes)`, { key: true });
    written[close] = window;
  }
  if (spec.disconnectExpiry !== undefined && closes.graceful === 0) {
    report([...path, 'disconnectExpiry'], 'applies to graceful closes (DISCONNECT), and closes has none', { key: true });
  }

  const v5 = protocol !== '3.1.1';
  let longestSec = 0;
  const windows: MeasureExpiryPhase['windows'] = {};
  const zeroExpiry: string[] = [];
  const someExpiry: string[] = [];
  groups.forEach((group) => {
    const at = [...path, 'groups', spec.groups.indexOf(group.name)];
    if (closes.partition > 0 && group.via === 'direct') {
      report(at, `group ${group.name} connects with via: direct, and a partition acts on the fault proxy`);
    }
    if (closes.partition > 0 && group.keepAliveSec === 0) {
      report(at, `group ${group.name} has keepAlive 0s: the broker would never notice a silent partition, so its sessions would never end; set keepAlive (e.g. 5s)`);
    }
    const never = v5 && group.sessionExpiry >= NEVER;
    if (never) {
      report(at, `group ${group.name} has session.expiry never: a session that never expires has nothing to measure; set session.expiry (e.g. 5)`);
    } else {
      (group.sessionExpiry === 0 ? zeroExpiry : someExpiry).push(group.name);
    }
    windows[group.name] = Object.fromEntries(
      EXPIRY_CLOSES.map((close) => {
        const expectedMs = v5 ? expectedExpiryMs(group, close, spec.disconnectExpiry) : (brokerExpiryMs ?? 0);
        if (used.includes(close) && v5 && !never) longestSec = Math.max(longestSec, Math.ceil(latestEndMs(group, close, expectedMs, neverAfterMs, spreadMs) / 1000));
        return [close, written[close] ?? defaultWindow(group, close, expectedMs, syncKeepAlive)];
      }),
    ) as Record<ExpiryClose, ProbeWindow>;
  });

  let willDelay = spec.willDelay ?? (someExpiry.length === 0 ? 0 : longestSec + WILL_DELAY_MARGIN_SEC);
  if (v5) {
    if (zeroExpiry.length > 0 && someExpiry.length > 0) {
      report(
        [...path, 'groups'],
        `${zeroExpiry.join(', ')} (session.expiry 0) and ${someExpiry.join(', ')} (an expiry) cannot share a measure-expiry phase: every client needs the same Will Delay, ` +
          'and with expiry 0 it must be 0 (Mosquitto holds a will its full delay even when the session ends at once); measure them in separate scenarios',
      );
    } else if (spec.willDelay !== undefined && someExpiry.length === 0 && spec.willDelay > 0) {
      report(
        [...path, 'willDelay'],
        'must be 0 here: with session.expiry 0 a session ends with its connection, and a Will Delay would only hold the will back (Mosquitto holds it its full delay)',
      );
    } else if (spec.willDelay !== undefined && someExpiry.length > 0 && spec.willDelay <= longestSec) {
      report(
        [...path, 'willDelay'],
        `must be longer than ${longestSec} s, the latest a session may end here (expiry, keep-alive for a partition, neverAfter), so a will marks the session's end, not its delay`,
      );
    }
    const waitMs = longestSec * 1000;
    if (maxWaitMs > 0 && waitMs > maxWaitMs) {
      report(
        path,
        `the measurement would wait up to ${waitMs / 1000} s (the longest expiry, keep-alive and neverAfter), more than maxWait (${maxWaitMs / 1000} s): raise maxWait or shorten session.expiry`,
        { key: true },
      );
    }
  } else {
    willDelay = 0;
  }

  return {
    kind: 'measure-expiry',
    groups: groups.map((g) => g.name),
    closes,
    probeShare: Math.min(1, probeShare),
    windows,
    ...(spec.disconnectExpiry !== undefined ? { disconnectExpiry: spec.disconnectExpiry } : {}),
    willDelay,
    neverAfterMs,
    spreadMs,
    syncKeepAlive,
    ...(brokerExpiryMs !== undefined ? { brokerExpiryMs } : {}),
    maxWaitMs,
  };
}

function resolveCloses(spec: MeasureExpirySpec['closes'], path: Path, report: Report): Record<ExpiryClose, number> {
  const closes: Record<ExpiryClose, number> = { graceful: 0, abrupt: 0, partition: 0 };
  if (spec === undefined || typeof spec === 'string') {
    closes[spec ?? 'graceful'] = 1;
    return closes;
  }
  for (const close of EXPIRY_CLOSES) {
    const text = spec[close];
    if (text !== undefined) closes[close] = parsePercent(text) ?? 0;
  }
  const total = EXPIRY_CLOSES.reduce((n, c) => n + closes[c], 0);
  if (Math.abs(total - 1) > 1e-9) {
    report(path, `the shares add up to ${Math.round(total * 1e6) / 1e4}%: they must add up to 100%`);
  }
  return closes;
}
