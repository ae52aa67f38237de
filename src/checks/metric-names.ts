/**
 * The metrics a scenario's `expect` lines (and later `compare` tolerances) may name. The
 * kind fixes the unit a value is held in: count as is, duration in ms, bytes in bytes,
 * ratio as a fraction (5% = 0.05).
 */
export type MetricKind = 'count' | 'duration' | 'bytes' | 'ratio';

export interface MetricInfo {
  readonly kind: MetricKind;
  readonly description: string;
}

type Stat = 'p50' | 'p90' | 'p99' | 'max';

/** name.p50, .p90, .p99 and .max of one latency histogram. */
function distribution<P extends string>(prefix: P, what: string): Record<`${P}.${Stat}`, MetricInfo> {
  const entry = (stat: string): MetricInfo => ({ kind: 'duration', description: `${what}, ${stat}` });
  return {
    [`${prefix}.p50`]: entry('median'),
    [`${prefix}.p90`]: entry('90th percentile'),
    [`${prefix}.p99`]: entry('99th percentile'),
    [`${prefix}.max`]: entry('maximum'),
  } as Record<`${P}.${Stat}`, MetricInfo>;
}

const count = (description: string): MetricInfo => ({ kind: 'count', description });

export const METRICS = {
  'redelivery.expected': count('QoS>=1 messages the spec says subscribers must get (published while their session was alive)'),
  'redelivery.delivered': count('expected messages that arrived (first copies)'),
  'redelivery.lost': count('expected messages that never arrived'),
  'redelivery.duplicates': count('extra copies of a message (allowed at QoS 1, a violation at QoS 2)'),
  'redelivery.outOfOrder': count('messages first seen after a later one from the same publisher and topic'),
  'redelivery.unexpected': count('messages that arrived though the session should have ended'),
  'redelivery.qos0Kept': count('QoS 0 messages the broker queued for an offline session (optional in the spec)'),
  'redelivery.qos2Duplicates': count('extra copies of QoS 2 messages (each one breaks exactly-once)'),
  'redelivery.indeterminate': count('messages sent too close to a disconnect, resubscribe or session end to judge either way'),
  'redelivery.expiredWithSession': count('messages sent into a session that expired before its client came back (not expected)'),
  'redelivery.offline': count('messages (any QoS) sent while their subscriber was offline'),
  'redelivery.offlineDelivered': count('messages sent while their subscriber was offline that arrived'),
  'redelivery.offlineDeliveredRatio': {
    kind: 'ratio',
    description: 'share of the messages sent while subscribers were offline that arrived: what a device sees, whatever the spec allows',
  },
  ...distribution('redelivery.latency', 'reconnect CONNACK to each backlog message'),
  'redelivery.drainTime': { kind: 'duration', description: 'reconnect CONNACK to the last backlog message, slowest subscriber' },
  'redelivery.drainRate': count('backlog messages per second per client while draining (Σ messages / Σ drain time), slowest subscriber group; written without a unit, e.g. redelivery.drainRate > 100'),
  'redelivery.inflight.max': count('most QoS 1/2 messages the broker had in flight to one client (received, not yet acknowledged): capped by a v5 Receive Maximum'),
  'redelivery.inflight.overCap': count("PUBLISH packets that arrived with the client's Receive Maximum already in flight (each breaks MQTT-3.3.4-9)"),
  ...distribution('redelivery.age', 'age at arrival (arrival - send) of each message sent while its subscriber was offline'),
  'messageExpiry.deliveredInTime': count('MQTT 5: messages sent with a Message Expiry Interval that arrived before it passed'),
  'messageExpiry.expiredInQueue': count('MQTT 5: messages whose Message Expiry Interval passed in the queue before their subscriber came back (dropped as the spec says)'),
  'messageExpiry.deliveredExpired': count('MQTT 5: messages that arrived after their Message Expiry Interval had passed (a broker fault)'),
  'messageExpiry.intervalNotReduced': count('MQTT 5: messages delivered with a Message Expiry Interval not reduced by the time they waited (or none)'),
  ...distribution('latency.e2e', 'publish to delivery while the subscriber was online'),
  ...distribution('reconnect.time', 'fault healed to CONNACK'),
  'reconnect.missing': count('clients a fault cut off that had not reconnected when the run ended'),
  'connect.failed': count('connection attempts that failed (refused, timed out or a CONNACK error)'),
  'expiry.errorP50': { kind: 'duration', description: 'session end minus (close + Session Expiry Interval), median over will-timed sessions (measure-expiry)' },
  'expiry.errorP99': { kind: 'duration', description: 'session end minus (close + Session Expiry Interval), 99th percentile (measure-expiry)' },
  'expiry.early': count('sessions that ended before close + their expiry (measure-expiry)'),
  'expiry.never': count('sessions with no end seen within the bound after close + expiry (measure-expiry)'),
  'expiry.detectionP99': { kind: 'duration', description: 'silent partition to the broker learning of it (will - expiry), 99th percentile (measure-expiry)' },
  'memory.peak': { kind: 'bytes', description: 'highest broker memory reading of the run (first probe with readings: $SYS heap, RSS or Prometheus)' },
  'memory.perSession': { kind: 'bytes', description: 'broker memory per connected persistent session: growth over the connect phase / clients' },
  'memory.perQueuedMessage': { kind: 'bytes', description: 'broker memory per message queued for offline sessions: growth over the publish / messages queued' },
  'memory.reclaimedAfterExpiry': {
    kind: 'ratio',
    description: 'share of the memory sessions and queued messages took that came back during a wait while they were offline (v5 expiry)',
  },
  'memory.end': { kind: 'bytes', description: 'broker memory after the last phase' },
  'shared.expected': count('QoS>=1 messages owed once to a shared group (some member held the subscription), over all shared groups'),
  'shared.delivered': count('messages owed to a shared group that came to at least one member'),
  'shared.lost': count('messages owed to a shared group that came to no member'),
  'shared.endedWithMember': count("messages owed to a shared group that came to no member after the session of a member that could hold them ended (§4.8.2: SHOULD re-send at QoS 1)"),
  'shared.crossMember': count('messages that came to more than one member of a shared group (re-sent to another)'),
  'shared.deliveredOnReturn': count("messages held in a cut member's session and delivered when it returned"),
  'shared.qos2Duplicates': count('extra copies of QoS 2 messages in a shared group (each breaks exactly-once to the group)'),
} as const satisfies Record<string, MetricInfo>;

export type MetricName = keyof typeof METRICS;

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}
