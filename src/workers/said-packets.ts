/**
 * Reading what a broker said out of packets, for SimClient: the v5 CONNACK properties
 * worth keeping (each limits or changes what the scenario asked), and a packet the client
 * sent, named for "the broker closed the connection after ...".
 */
import type { IConnackPacket, Packet } from 'mqtt';
import type { ConnectAttempt } from '../metrics/ledger.js';
import type { Said } from './said-tally.js';
import { propertyName } from '../protocol/connack-properties.js';

type ConnackProperties = NonNullable<IConnackPacket['properties']>;

/** Properties whose value is the same for a whole population: counted by value. */
const BY_VALUE = [
  'sessionExpiryInterval',
  'serverKeepAlive',
  'receiveMaximum',
  'maximumQoS',
  'retainAvailable',
  'maximumPacketSize',
  'topicAliasMaximum',
  'wildcardSubscriptionAvailable',
  'sharedSubscriptionAvailable',
  'subscriptionIdentifiersAvailable',
] as const satisfies readonly (keyof ConnackProperties)[];

/** Properties that differ per client: counted once, their text kept in the examples. */
const BY_TEXT = ['assignedClientIdentifier', 'reasonString', 'serverReference', 'responseInformation'] as const satisfies readonly (keyof ConnackProperties)[];

export interface Speaker {
  readonly spec: { clientId: string };
  say(said: Said, example: () => string): void;
}

export function noteConnackProperties(client: Speaker, attempt: ConnectAttempt, props: ConnackProperties): void {
  if (props.sessionExpiryInterval !== undefined) attempt.assignedExpiry = props.sessionExpiryInterval;
  if (props.serverKeepAlive !== undefined) attempt.serverKeepAlive = props.serverKeepAlive;
  for (const property of BY_VALUE) {
    const value = props[property];
    if (value !== undefined) client.say({ packet: 'CONNACK', property, value }, () => `${client.spec.clientId}: ${propertyName(property)} ${String(value)}`);
  }
  for (const property of BY_TEXT) {
    const text = props[property];
    if (text !== undefined) client.say({ packet: 'CONNACK', property }, () => `${client.spec.clientId}: ${propertyName(property)} "${text}"`);
  }
}

/** "PUBLISH fleet/3/cmd (QoS 2)", "SUBSCRIBE", "PINGREQ". */
export function describeSent(packet: Packet): string {
  if (packet.cmd === 'publish') return `PUBLISH ${packet.topic} (QoS ${packet.qos})`;
  return packet.cmd.toUpperCase();
}
