import type { ConnectAttempt } from '../metrics/ledger.js';
import type { GroupPlan } from '../scenario/plan.js';
import { breaksConnections, faultAt, isSilent, type FaultWindow } from './faults.js';

/**
 * What the MQTT spec says one subscriber's session did over the run, from its connection
 * history: for every moment, would a QoS>=1 message sent then have to reach it?
 *
 * - Session lifetime: it ends `sessionExpiry` seconds after the broker learns the
 *   connection closed (0 = at once, 0xFFFFFFFF = never); the plan already holds 3.1.1's
 *   equivalent (CleanSession=1: 0, CleanSession=0: never). Clean Start=1 discards it at connect.
 * - When the broker learns of a close: at once for a DISCONNECT, a closed socket, a cut or a
 *   reset; for a silent partition only when keep-alive runs out (1.5 x, swept about every
 *   6 s by Mosquitto), so that moment is a window.
 * - Near a boundary whose side decides the outcome (link lost, resubscribe, expiry against
 *   reconnect) a message is indeterminate: either outcome meets the spec.
 */

/** What the spec makes of a QoS>=1 message sent at a given moment. */
export type Fate =
  /** a session with the subscription held it, and lived until the client was back */
  | 'expected'
  /** too close to a boundary to say */
  | 'indeterminate'
  /** no session with the subscription existed when it was sent */
  | 'noSession'
  /** sent into a session that expired before the client came back */
  | 'expiredWithSession'
  /** sent into a session that Clean Start=1 (or CleanSession=1) discarded at reconnect */
  | 'discarded'
  /** sent into a live session whose client never came back before the run ended */
  | 'notReturned';

export interface Window {
  lo: number;
  hi: number;
}

/** A time away: from the loss of the link to the CONNACK that ended it (Infinity: never back). */
export interface Gap {
  from: number;
  to: number;
  /** Session Present the spec calls for at the return; undefined: too close to call. */
  specPresent?: boolean;
  observedPresent?: boolean;
  /** Whether the connection before the gap carried the subscription. */
  subscribed: boolean;
  /** When the broker learned the link was gone, and when the session ends by the spec. */
  learned: Window;
  ends: Window;
  /** takeover: the client's second connection took the session over while the first was still open (no time away for the broker). */
  detectedBy: 'close' | 'keep-alive' | 'takeover';
}

export interface SessionModel {
  /** Each fate holds from `from` until the next entry's `from`; the first starts at -Infinity. */
  spans: { from: number; fate: Fate }[];
  /** Moments too close to a deciding boundary to judge; they override `spans`. */
  fuzzy: Window[];
  gaps: Gap[];
}

export interface ModelOptions {
  /** Margin around a boundary known to the ms (a close, a resubscribe), e.g. 250 ms. */
  marginMs: number;
}

const NEVER = 0xffffffff;
/** Mosquitto's sweep of keep-alives, which delays noticing a silent connection (keepalive.c). */
const KEEPALIVE_SWEEP_MS = 6000;
/** Expiry runs on whole wall-clock seconds checked about every 100 ms: up to 1.1 s late. */
const EXPIRY_GRANULARITY_MS = 1100;

export function modelSession(
  attempts: readonly ConnectAttempt[],
  group: GroupPlan,
  faults: readonly FaultWindow[],
  options: ModelOptions,
): SessionModel {
  const m = options.marginMs;
  const spans: SessionModel['spans'] = [{ from: -Infinity, fate: 'noSession' }];
  const fuzzy: Window[] = [];
  const gaps: Gap[] = [];
  const current = (): Fate => spans.at(-1)!.fate;
  const set = (from: number, fate: Fate): void => {
    if (current() === fate) return;
    spans.push({ from: Math.max(from, spans.at(-1)!.from), fate });
  };
  /** The link is gone and the session does not carry its messages to a live connection. */
  const leave = (gap: Gap, fate: Fate): void => {
    if (!gap.subscribed) return;
    fuzzy.push({ lo: gap.from - m, hi: gap.from + m });
    set(gap.from, fate);
    if (fate === 'expiredWithSession') set(Math.max(gap.ends.lo, gap.from), 'noSession');
  };

  const connections = attempts.filter((a) => a.connackAt !== undefined).sort((a, b) => a.connackAt! - b.connackAt!);
  let open: Omit<Gap, 'to'> | undefined;
  let previous: { c: ConnectAttempt; subscribed: boolean } | undefined;
  for (const c of connections) {
    const connackAt = c.connackAt!;
    let carried = false;
    // A takeover: the first connection, still open for the broker, ends with this CONNECT, not with its own close.
    if (c.takeover && previous && (previous.c.closedAt === undefined || previous.c.closedAt >= c.startedAt)) {
      open = takeoverGap(previous.c, c, previous.subscribed, group, faults, m);
      // Not carried over: what was sent while the old path was silent may have arrived on it, or died with the session.
      if (open.from < c.startedAt && presentBySpec(open.ends, c.startedAt, connackAt, group.clean, m) !== true) {
        fuzzy.push({ lo: open.from, hi: c.startedAt });
        open = { ...open, from: c.startedAt };
      }
    }
    if (open) {
      const specPresent = presentBySpec(open.ends, c.startedAt, connackAt, group.clean, m);
      const gap: Gap = { ...open, to: connackAt, observedPresent: c.sessionPresent ?? false };
      if (specPresent !== undefined) gap.specPresent = specPresent;
      gaps.push(gap);
      carried = specPresent === true && gap.subscribed;
      if (specPresent === undefined) leave(gap, 'indeterminate');
      else if (!specPresent) leave(gap, group.clean && open.ends.lo > connackAt ? 'discarded' : 'expiredWithSession');
    }
    if (!carried) {
      if (current() !== 'indeterminate') set(connackAt, 'noSession');
      // Session Present 1: the broker kept the subscription, so the client does not resubscribe.
      if (c.sessionPresent && (open?.subscribed ?? false)) set(connackAt, 'expected');
      else if (c.subscribedAt !== undefined) {
        // The subscription cannot predate the CONNECT that carried it, and it surely exists
        // once the SUBACK is in (recorded no earlier than it arrived): only before is open.
        fuzzy.push({ lo: Math.max(c.startedAt, c.subscribedAt - m), hi: c.subscribedAt });
        set(c.subscribedAt, 'expected');
      }
    }
    open = c.closedAt === undefined ? undefined : closing(c, current() === 'expected', group, faults, m);
    previous = { c, subscribed: current() === 'expected' };
  }
  if (open) {
    const gap: Gap = { ...open, to: Infinity };
    gaps.push(gap);
    leave(gap, 'notReturned');
  }
  return { spans, fuzzy, gaps };
}

/**
 * Session Present by the spec for a CONNECT the broker got between `sentAt` and `connackAt`:
 * true when the session certainly outlived it, false when it certainly did not (or Clean
 * Start=1), undefined when its end falls within the margin of the reconnect.
 */
function presentBySpec(ends: Window, sentAt: number, connackAt: number, clean: boolean, m: number): boolean | undefined {
  if (clean) return false;
  if (ends.lo > connackAt + m) return true;
  if (ends.hi < sentAt - m) return false;
  return undefined;
}

/** The gap a closed connection opens: when the link went, when the broker knew, when the session ends. */
function closing(
  c: ConnectAttempt,
  subscribed: boolean,
  group: GroupPlan,
  faults: readonly FaultWindow[],
  m: number,
): Omit<Gap, 'to'> {
  const closedAt = c.closedAt!;
  const fault = c.closedBy === 'lost' ? faultAt(faults, closedAt, m) : undefined;
  // A cut or partition took the link at its start, even if the client noticed later; never
  // before this connection existed, though.
  const from = fault && breaksConnections(fault.plan) ? Math.max(c.connackAt!, Math.min(fault.start, closedAt)) : closedAt;
  let learned: Window = { lo: closedAt, hi: closedAt };
  let detectedBy: Gap['detectedBy'] = 'close';
  if (fault && isSilent(fault.plan)) {
    const keepAliveMs = group.keepAliveSec * 1000;
    detectedBy = 'keep-alive';
    // Keep-alive 0: nothing times the connection out; only a takeover by the reconnect ends it.
    learned =
      keepAliveMs > 0
        ? { lo: Math.max(fault.start, closedAt - 1.5 * keepAliveMs), hi: closedAt + 1.5 * keepAliveMs + KEEPALIVE_SWEEP_MS }
        : { lo: closedAt, hi: Infinity };
  }
  return { from, subscribed, learned, ends: sessionEnd(learned, group.sessionExpiry), detectedBy };
}

/**
 * The gap a takeover opens: from the moment the first connection's path went silent (the
 * fault's start; messages sent since may be in flight on it) to the second CONNACK. The
 * broker learns at the second CONNECT, and the session outlives the first connection by
 * its expiry, so one that outlives its connection is carried over (Session Present 1 by
 * the spec); a clean start discards it; MQTT 5 expiry 0 is left undecided, since the
 * takeover itself closes the connection that ends it.
 */
function takeoverGap(first: ConnectAttempt, second: ConnectAttempt, subscribed: boolean, group: GroupPlan, faults: readonly FaultWindow[], m: number): Omit<Gap, 'to'> {
  const silent = faultAt(faults, second.startedAt, m);
  const from = silent ? Math.min(second.startedAt, Math.max(first.connackAt!, silent.start)) : second.startedAt;
  const learned: Window = { lo: second.startedAt, hi: second.connackAt! };
  const ends: Window = group.sessionExpiry > 0 ? sessionEnd(learned, group.sessionExpiry) : group.clean ? { lo: Infinity, hi: Infinity } : learned;
  return { from, subscribed, learned, ends, detectedBy: 'takeover' };
}

function sessionEnd(learned: Window, expirySec: number): Window {
  if (expirySec >= NEVER) return { lo: Infinity, hi: Infinity };
  const late = expirySec > 0 ? EXPIRY_GRANULARITY_MS : 0;
  return { lo: learned.lo + expirySec * 1000, hi: learned.hi + expirySec * 1000 + late };
}

/** The fate of a message sent at `t`. */
export function fateAt(model: SessionModel, t: number): Fate {
  if (model.fuzzy.some((w) => w.lo <= t && t <= w.hi)) return 'indeterminate';
  let lo = 0;
  let hi = model.spans.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (model.spans[mid]!.from <= t) lo = mid;
    else hi = mid - 1;
  }
  return model.spans[lo]!.fate;
}

/** The index of the gap `t` falls in (the subscriber was away), or -1. */
export function gapAt(model: SessionModel, t: number): number {
  return model.gaps.findIndex((g) => g.from <= t && t < g.to);
}
