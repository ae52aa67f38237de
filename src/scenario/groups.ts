import type { ProtocolVersion } from '../brokers/types.js';
import type { GroupPlan, ReconnectPlan } from './plan.js';
import { joinOr } from './describe.js';
import type { Report } from './problems.js';
import { DEFAULTS } from './defaults.js';
import type { GroupSpec } from './schema.js';
import { nameToken } from './topic-names.js';
import { parseDuration, parseRate } from './units.js';

/** The run a group is resolved for: its id fills {run}, its protocol decides the session. */
export interface RunContext {
  id: string;
  protocol: ProtocolVersion;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;
const PLACEHOLDERS = ['i', 'group', 'run'];
/** Client ids also take {invocation}, filled by the workers: unique per `mqtt-chaos run`. */
const CLIENT_ID_PLACEHOLDERS = [...PLACEHOLDERS, 'invocation'];
const NEVER = 0xffffffff;
const MAX_KEEPALIVE_SEC = 65535;

/** A group with every default filled, checked beyond what the schema can say. */
export function resolveGroup(name: string, spec: GroupSpec, run: RunContext, report: Report, notes: string[]): GroupPlan {
  const at = (...rest: string[]) => ['groups', name, ...rest];
  const clientId = spec.clientId ?? DEFAULTS.clientId;
  checkPlaceholders(clientId, at('clientId'), report, CLIENT_ID_PLACEHOLDERS);
  if (spec.count > 1 && !clientId.includes('{i}')) {
    report(at('clientId'), `must contain {i} when count > 1: client ids must be distinct`);
  }
  if (spec.role === 'subscriber' && spec.topic === undefined) report(at('topic'), 'is required for a subscriber group');
  if (spec.role === 'publisher' && spec.topic !== undefined) {
    report(at('topic'), 'only subscriber groups take a topic: publishers send to the topics of their publish.to group');
  }
  if (spec.topic !== undefined) checkTopicFilter(spec.topic, at('topic'), report);
  if (spec.share !== undefined) checkShare(spec, at, report);

  const keepAliveMs = parseDuration(spec.keepAlive ?? DEFAULTS.keepAlive) ?? 0;
  if (keepAliveMs % 1000 !== 0 || keepAliveMs > MAX_KEEPALIVE_SEC * 1000) {
    report(at('keepAlive'), `must be whole seconds from 0s to ${MAX_KEEPALIVE_SEC}s (MQTT keep-alive is an integer of seconds)`);
  }
  const reconnect = reconnectPlan(spec.reconnect ?? {}, (field, message) => report(at('reconnect', field), message));

  const clean = spec.session?.clean ?? DEFAULTS.clean;
  const receiveMaximum = receiveMaximumFor(name, spec, run.protocol, notes);
  const ackDelayMs = spec.ackDelay === undefined ? 0 : (parseDuration(spec.ackDelay) ?? 0);
  if (ackDelayMs > 0 && spec.role === 'publisher') report(at('ackDelay'), 'applies to subscriber groups only: publishers acknowledge nothing they receive');
  const connectRate = spec.connectRate === undefined ? undefined : parseRate(spec.connectRate);
  const fill = (template: string) => template.replaceAll('{group}', name).replaceAll('{run}', nameToken(run.id));
  return {
    name,
    count: spec.count,
    role: spec.role,
    clientId: fill(clientId),
    clean,
    sessionExpiry: sessionExpiry(name, spec, clean, run.protocol, notes),
    ...(receiveMaximum !== undefined ? { receiveMaximum } : {}),
    ...(ackDelayMs > 0 ? { ackDelayMs } : {}),
    keepAliveSec: keepAliveMs / 1000,
    qos: spec.qos ?? DEFAULTS.qos,
    ...(spec.topic !== undefined ? { topic: fill(spec.topic) } : {}),
    ...(spec.share !== undefined && spec.role === 'subscriber' ? { share: spec.share } : {}),
    via: spec.via ?? DEFAULTS.via,
    ...(connectRate !== undefined ? { connectRatePerSec: connectRate } : {}),
    reconnect,
  };
}

/**
 * Exponential backoff with full jitter unless the group says otherwise: devices retry so,
 * and a cut population retrying every second floods the broker (and the harness) with
 * refused connects. A group that writes `jitter` meant delay ± jitter, so it gets `fixed`.
 */
function reconnectPlan(spec: NonNullable<GroupSpec['reconnect']>, report: (field: string, message: string) => void): ReconnectPlan {
  const backoff = spec.backoff ?? (spec.jitter !== undefined ? 'fixed' : DEFAULTS.reconnectBackoff);
  const delayMs = parseDuration(spec.delay ?? DEFAULTS.reconnectDelay) ?? 0;
  if (backoff === 'fixed') {
    const jitterMs = parseDuration(spec.jitter ?? DEFAULTS.reconnectJitter) ?? 0;
    if (jitterMs > delayMs) report('jitter', 'must not exceed reconnect.delay (a retry cannot come before the loss)');
    if (spec.max !== undefined) report('max', 'applies to backoff: exponential only (fixed waits delay ± jitter every time)');
    return { backoff, delayMs, jitterMs };
  }
  if (spec.jitter !== undefined) report('jitter', 'applies to backoff: fixed only (exponential backoff draws each wait from 0 to its cap)');
  const maxMs = parseDuration(spec.max ?? DEFAULTS.reconnectMax) ?? 0;
  if (maxMs < delayMs) report('max', 'must not be below reconnect.delay (the first cap)');
  if (delayMs === 0) report('delay', 'must be above 0 for backoff: exponential (the caps double from it)');
  return { backoff, delayMs, maxMs };
}

/** The expiry the protocol applies, and a note where it differs from what was written or
 *  where the setting surprises (v5 Clean Start=0 without an expiry keeps nothing). */
function sessionExpiry(name: string, spec: GroupSpec, clean: boolean, protocol: ProtocolVersion, notes: string[]): number {
  const written = spec.session?.expiry;
  const seconds = written === 'never' ? NEVER : (written ?? DEFAULTS.expiry);
  if (protocol === '3.1.1') {
    if (written !== undefined) {
      const why = clean ? 'CleanSession=1 sessions end with the connection' : 'CleanSession=0 sessions do not expire in the protocol';
      notes.push(`group ${name}: session.expiry ignored for MQTT 3.1.1 (${why})`);
    }
    return clean ? 0 : NEVER;
  }
  if (!clean && seconds === 0) {
    notes.push(
      `group ${name}: Clean Start=0 with Session Expiry Interval 0 ends the session when the connection closes (MQTT 5 §3.1.2.11.2); set session.expiry to keep it while offline`,
    );
  }
  return seconds;
}

/** v5 only: 3.1.1 has no Receive Maximum, so the broker's own in-flight limit decides (said in a note). */
function receiveMaximumFor(name: string, spec: GroupSpec, protocol: ProtocolVersion, notes: string[]): number | undefined {
  const written = spec.session?.receiveMaximum;
  if (written === undefined || protocol === '5') return written;
  notes.push(
    `group ${name}: session.receiveMaximum ignored for MQTT 3.1.1 (no such property: the broker alone decides how many messages it has in flight to a client, Mosquitto by max_inflight_messages)`,
  );
  return undefined;
}

/** Only the known placeholders; a typo like {id} would otherwise reach the broker as text. */
function checkPlaceholders(template: string, path: (string | number)[], report: Report, known: readonly string[] = PLACEHOLDERS): void {
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (!known.includes(m[1]!)) {
      report(path, `unknown placeholder {${m[1]}}: use ${joinOr(known.map((p) => `{${p}}`))}`, { column: (m.index ?? 0) + 1 });
    }
  }
}

/** MQTT topic filter rules (v5 §4.7): "#" alone and last, "+" alone in its level. */
function checkTopicFilter(topic: string, path: (string | number)[], report: Report): void {
  checkPlaceholders(topic, path, report);
  if (topic.includes('\u0000')) report(path, 'must not contain the NUL character');
  let offset = 0;
  const levels = topic.split('/');
  levels.forEach((level, index) => {
    const hash = level.indexOf('#');
    if (hash >= 0 && (level !== '#' || index !== levels.length - 1)) {
      report(path, '"#" must be a whole level, and the last one', { column: offset + hash + 1 });
    }
    const plus = level.indexOf('+');
    if (plus >= 0 && level !== '+') report(path, '"+" must be a whole level', { column: offset + plus + 1 });
    offset += level.length + 1;
  });
}

/** A shared group: subscribers only, one common topic (members differ by client id, not by topic). */
function checkShare(spec: GroupSpec, at: (...rest: string[]) => (string | number)[], report: Report): void {
  if (spec.role !== 'subscriber') {
    report(at('share'), 'only subscriber groups share a subscription: a publisher group publishes, it does not subscribe');
    return;
  }
  const topic = spec.topic ?? '';
  const i = topic.indexOf('{i}');
  if (i >= 0) {
    report(at('topic'), 'a shared group has one topic for all its members: remove {i} (the broker splits the messages between them)', { column: i + 1 });
  }
  if (topic.startsWith('$share/')) report(at('topic'), 'write the topic without "$share/<name>/": share: adds it', { column: 1 });
}

/** Why a subscriber group cannot be a publish target, or undefined when it can: each client
 *  must have a topic of its own, so the harness knows who a message was for. */
export function targetProblem(group: GroupPlan): string | undefined {
  const topic = group.topic ?? '';
  if (/[+#]/.test(topic)) return `group ${group.name} subscribes to a wildcard filter ("${topic}"): a publish target needs a plain topic`;
  // A shared group's topic written with its "$share/" prefix is reported at the group.
  if (topic.startsWith('$') && !(group.share !== undefined && topic.startsWith('$share/'))) return `group ${group.name}: topics starting with "$" are the broker's; publish elsewhere`;
  if (group.share === undefined && group.count > 1 && !topic.includes('{i}')) {
    return `group ${group.name} has ${group.count} clients on one topic ("${topic}"): add {i} so each target is a distinct topic`;
  }
  return undefined;
}
