/** The v5 CONNACK properties (MQTT 5 §3.2.2.3) by mqtt-packet's field name, as the spec names them. */
export const CONNACK_PROPERTY_NAMES: Readonly<Record<string, string>> = {
  sessionExpiryInterval: 'Session Expiry Interval',
  serverKeepAlive: 'Server Keep Alive',
  receiveMaximum: 'Receive Maximum',
  maximumQoS: 'Maximum QoS',
  retainAvailable: 'Retain Available',
  maximumPacketSize: 'Maximum Packet Size',
  topicAliasMaximum: 'Topic Alias Maximum',
  wildcardSubscriptionAvailable: 'Wildcard Subscription Available',
  sharedSubscriptionAvailable: 'Shared Subscription Available',
  subscriptionIdentifiersAvailable: 'Subscription Identifiers Available',
  assignedClientIdentifier: 'Assigned Client Identifier',
  reasonString: 'Reason String',
  serverReference: 'Server Reference',
  responseInformation: 'Response Information',
};

export function propertyName(field: string): string {
  return CONNACK_PROPERTY_NAMES[field] ?? field;
}
