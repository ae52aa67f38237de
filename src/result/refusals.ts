/**
 * What a run could not do, and what the broker said to it, as result.json holds them. Plain
 * types that import nothing above them, so the checks that produce them and the reports
 * that render them share one definition.
 */

/** A packet in which the broker refused or changed something (`close`: it closed the connection). */
export type SaidPacket = 'CONNACK' | 'SUBACK' | 'PUBACK' | 'PUBREC' | 'PUBCOMP' | 'DISCONNECT' | 'close';

/** Something the scenario asked that the run could not do; any one makes the run INCOMPLETE. */
export interface Shortfall {
  kind: 'connect' | 'subscribe' | 'publish' | 'reconnect' | 'premise' | 'interrupted' | 'stopped' | 'takeover' | 'agent-lost' | 'untested';
  /** 0-based phase index, and its label, when a phase fell short. */
  phase?: number;
  label?: string;
  /** How much of the work was done, of how much asked. */
  done?: number;
  of?: number;
  /** One line, with the counts and the broker's own words where it gave any. */
  text: string;
}

/**
 * What the broker said that refused or changed what the scenario asked, counted per group:
 * `refused` (a failure code, a DISCONNECT, a connection it closed), `changed` (granted less
 * than asked: QoS, Session Expiry Interval, keep-alive), `told` (other v5 CONNACK properties,
 * plain grants).
 */
export interface BrokerSaid {
  group: string;
  packet: SaidPacket;
  kind: 'refused' | 'changed' | 'told';
  code?: number;
  property?: string;
  value?: number | string | boolean;
  /** e.g. "DISCONNECT 0x9B QoS not supported", "Session Expiry Interval 60 s (asked 3600 s)". */
  what: string;
  /** How many times, to how many distinct clients, of the group's clients. */
  count: number;
  clients: number;
  of: number;
  /** Verbatim, the first few. */
  examples: string[];
  /** ms from the run's start. */
  firstAt: number;
}
