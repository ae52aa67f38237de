/**
 * What a measure-expiry phase can measure on this run's broker and protocol, decided the
 * same way by the engine (before it connects anything) and by the checks (to say why not):
 * MQTT 5 has the Session Expiry Interval; MQTT 3.1.1 has none, so only a broker-side expiry
 * the scenario or the managed Mosquitto's config states can be measured, by probes alone.
 */
import type { ProtocolVersion } from '../brokers/types.js';
import type { BrokerInfo } from '../result/timeline.js';
import type { GroupPlan, MeasureExpiryPhase } from '../scenario/plan.js';
import { lossPolicy } from './attribution.js';
import { duration } from './words.js';

export type ExpiryRunSpec =
  | { measurable: true; /** 3.1.1: the broker's own expiry, ms. */ brokerExpiryMs?: number }
  | { measurable: false; reason: string };

export function expiryRunSpec(protocol: ProtocolVersion, phase: MeasureExpiryPhase, groups: readonly GroupPlan[], broker: BrokerInfo): ExpiryRunSpec {
  if (protocol === '5') return { measurable: true };
  const cap = lossPolicy(broker).sessionCap;
  const mosquitto = broker.software === 'mosquitto' || broker.kind === 'managed-mosquitto';
  const clean = groups.filter((g) => phase.groups.includes(g.name) && g.clean).map((g) => g.name);
  if (clean.length > 0) {
    return {
      measurable: false,
      reason: `MQTT 3.1.1 CleanSession=1 (group ${clean.join(', ')}) ends the session with its connection: there is no expiry to measure; set session.clean: false`,
    };
  }
  const brokerExpiryMs = phase.brokerExpiryMs ?? cap?.ms;
  if (brokerExpiryMs === undefined) {
    const why = mosquitto
      ? 'Mosquitto keeps a CleanSession=0 session forever unless persistent_client_expiration is set (unset here; its unit is hours at least)'
      : broker.software === 'aedes' || broker.kind === 'embedded-aedes'
        ? 'Aedes never expires a session'
        : "the broker's own session expiry is not stated (measure-expiry.brokerExpiry)";
    return { measurable: false, reason: `MQTT 3.1.1 has no Session Expiry Interval, and ${why}: nothing to measure in this run` };
  }
  const longest = brokerExpiryMs + phase.neverAfterMs;
  if (longest > phase.maxWaitMs) {
    const setting = phase.brokerExpiryMs === undefined && cap ? `Mosquitto persistent_client_expiration is ${cap.setting} (hours at least)` : `the broker's expiry is ${duration(brokerExpiryMs)}`;
    return {
      measurable: false,
      reason: `MQTT 3.1.1 has no Session Expiry Interval; ${setting}, so measuring it would take over ${duration(longest)}, more than measure-expiry.maxWait (${duration(phase.maxWaitMs)}): not measured`,
    };
  }
  return { measurable: true, brokerExpiryMs };
}

/**
 * How finely the broker ends sessions, ms: the spread its own clock puts on an end, against
 * which the two methods are compared. Mosquitto stores a session's end as a wall-clock second
 * and checks once per second, its loop waking at least every 100 ms: ends fall in (E, E + 1.1 s].
 */
export function brokerResolution(broker: BrokerInfo): { ms: number; basis: string } {
  if (broker.software === 'mosquitto' || broker.kind === 'managed-mosquitto') {
    return { ms: 1100, basis: 'Mosquitto checks expiry once per wall-clock second, its loop waking at least every 100 ms: ends fall in (E, E + 1.1 s]' };
  }
  return { ms: 1000, basis: "the broker's resolution is not known: 1 s assumed (the protocol counts expiry in whole seconds)" };
}
