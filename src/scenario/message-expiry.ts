import type { ProtocolVersion } from '../brokers/types.js';
import type { Path, Report } from './problems.js';
import type { PhaseSpec } from './schema.js';
import { parseDuration } from './units.js';

/** The Message Expiry Interval is a four-byte integer of seconds (v5 §3.3.2.3.3). */
const MAX_MESSAGE_EXPIRY_SEC = 0xffffffff;

/**
 * A publish phase's `messageExpiry` in whole seconds; undefined when absent, invalid
 * (reported) or under MQTT 3.1.1, which has no Message Expiry Interval (see messageExpiryNotes).
 */
export function messageExpiryOf(path: Path, text: string | undefined, protocol: ProtocolVersion | undefined, report: Report): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) return undefined;
  const sec = ms / 1000;
  if (!Number.isInteger(sec) || sec < 1 || sec > MAX_MESSAGE_EXPIRY_SEC) {
    report(path, 'must be whole seconds, at least 1s (the Message Expiry Interval is an integer of seconds; 0 would mean none)');
    return undefined;
  }
  return protocol === '3.1.1' ? undefined : sec;
}

const IGNORED = 'publish.messageExpiry ignored for MQTT 3.1.1';

/** Whether a run's notes say a 3.1.1 run left out the messageExpiry its scenario asked for. */
export function messageExpiryIgnored(notes: readonly string[]): boolean {
  return notes.some((n) => n.includes(IGNORED));
}

/** One note per publish phase whose messageExpiry a 3.1.1 run cannot send. */
export function messageExpiryNotes(phases: readonly (PhaseSpec | undefined)[], protocol: ProtocolVersion): string[] {
  if (protocol !== '3.1.1') return [];
  return phases.flatMap((p, i) =>
    p?.publish?.messageExpiry !== undefined
      ? [`phases[${i}].${IGNORED} (it has no Message Expiry Interval: the broker keeps a queued message until it is delivered, however old)`]
      : [],
  );
}
