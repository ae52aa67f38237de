import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { DEFAULTS, PATTERNS } from './defaults.js';
import { HEADER_BYTES } from '../workers/payload.js';

/**
 * The scenario file format, defined once: TypeBox gives the TypeScript types (Static) and
 * the JSON Schema that Ajv validates with and that editors read (schema/scenario.schema.json).
 * Rules a schema cannot say (group references, phase order, expressions) are in groups.ts,
 * phases.ts and check.ts. Defaults and patterns live in defaults.ts, so that loading and
 * checking a scenario at run time never loads TypeBox (200 modules: CLI start).
 */

function Pattern(which: keyof typeof PATTERNS, description: string, extra: object = {}) {
  return Type.String({ pattern: PATTERNS[which].source, description, ...extra });
}

/** A JSON Schema `enum` (editors offer the values) typed as the union of the values. */
function OneOf<const T extends readonly (string | number)[]>(values: T, description: string, extra: object = {}) {
  const type = values.every((v) => typeof v === 'string') ? 'string' : values.every(Number.isInteger) ? 'integer' : undefined;
  return Type.Unsafe<T[number]>({ ...(type ? { type } : {}), enum: [...values], description, ...extra });
}

const Strict = { additionalProperties: false } as const;
/** `- heal:` with nothing after it means "all defaults", as `- heal: {}` does. */
const OrEmpty = <T extends TSchema>(schema: T, description?: string) => Type.Union([schema, Type.Null()], description ? { description } : {});

const Protocol = OneOf(['3.1.1', '5', 5] as const, 'MQTT version: "3.1.1" or "5"');
const Qos = (description: string, extra: object = {}) => OneOf([0, 1, 2] as const, description, extra);
const Duration = (description: string, dflt?: string) => Pattern('duration', description, dflt ? { default: dflt } : {});
const GroupRefs = Type.Array(Type.String(), { minItems: 1, uniqueItems: true, description: 'group names' });

const Session = Type.Object(
  {
    clean: Type.Optional(Type.Boolean({ default: DEFAULTS.clean, description: 'CleanSession (3.1.1) / Clean Start (5)' })),
    expiry: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: 4294967295 }), Type.Literal('never')], {
        default: DEFAULTS.expiry,
        description: 'v5 Session Expiry Interval in seconds, or "never"; MQTT 3.1.1 ignores it',
      }),
    ),
    receiveMaximum: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 65535,
        description: 'v5 Receive Maximum: most QoS 1/2 messages the broker may have in flight to each client; default none sent (65535); MQTT 3.1.1 has no such property',
      }),
    ),
  },
  Strict,
);

const GroupSchema = Type.Object(
  {
    // Far beyond what one machine drives (see the README); a typo like 1e9 must not start a run.
    count: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'number of clients' }),
    role: OneOf(['subscriber', 'publisher'] as const, 'subscribers subscribe and receive; publishers send'),
    clientId: Type.Optional(
      Type.String({ minLength: 1, default: DEFAULTS.clientId, description:
          'placeholders: {i} (0-based index), {group}, {run}, {invocation} (unique per `mqtt-chaos run`; leave it out to resume the same sessions on purpose)' }),
    ),
    session: Type.Optional(Session),
    keepAlive: Type.Optional(Duration('keep-alive, whole seconds; 0s = off', DEFAULTS.keepAlive)),
    qos: Type.Optional(Qos('subscription QoS, or the default publish QoS', { default: DEFAULTS.qos })),
    topic: Type.Optional(Type.String({ minLength: 1, description: 'subscribers: the topic filter; placeholders {i}, {group}, {run}' })),
    share: Type.Optional(
      Pattern('shareName', 'subscribers: share one subscription as the group named here: every client subscribes to $share/<share>/<topic>, one common topic (no {i}); groups with the same share and topic form one shared group, judged as one (docs/shared-subscriptions.md)'),
    ),
    via: Type.Optional(OneOf(['proxy', 'direct'] as const, 'through the fault proxy, or straight to the broker', { default: DEFAULTS.via })),
    connectRate: Type.Optional(Pattern('rate', 'connections per second or minute; default unlimited')),
    ackDelay: Type.Optional(
      Duration('subscribers: the time a device takes over each QoS 1/2 message before it acknowledges it (PUBACK / PUBREC); messages overlap, as on a real link; default 0s'),
    ),
    reconnect: Type.Optional(
      Type.Object(
        {
          backoff: Type.Optional(
            OneOf(['exponential', 'fixed'] as const, 'exponential: each wait uniform in [0, min(max, delay × 2^failures)) (full jitter); fixed: delay ± jitter every time. Default exponential, or fixed when jitter is given', {
              default: DEFAULTS.reconnectBackoff,
            }),
          ),
          delay: Type.Optional(Duration('fixed: the wait before retrying; exponential: the first cap, doubled per failed attempt', DEFAULTS.reconnectDelay)),
          jitter: Type.Optional(Duration('fixed only: random spread, +/-, around delay', DEFAULTS.reconnectJitter)),
          max: Type.Optional(Duration('exponential only: the cap the waits grow to (bounds heal-to-reconnect)', DEFAULTS.reconnectMax)),
        },
        Strict,
      ),
    ),
  },
  Strict,
);

const GroupName = Type.String({ pattern: PATTERNS.groupName.source });
export const GroupsSchema = Type.Record(GroupName, GroupSchema, { minProperties: 1, ...Strict, description: 'the clients, by group name' });

const Stream = (dflt: string) =>
  OneOf(['upstream', 'downstream', 'both'] as const, 'upstream = client to broker', { default: dflt });
const Fault = <K extends string, P extends Record<string, TSchema>>(kind: K, description: string, props: P) =>
  Type.Object({ kind: Type.Literal(kind, { description }), groups: GroupRefs, ...props }, Strict);

const FaultPhase = Type.Union([
  Fault('cut', 'proxy disabled: connections close at once and new ones are refused', {}),
  Fault('partition', 'black hole both ways: the broker notices only by keep-alive', {}),
  Fault('reset', 'connections reset (Toxiproxy reset_peer)', {}),
  Fault('takeover', "the device's path goes silent towards the broker (a black hole upstream only); at the heal it connects again over a second path, straight to the broker, with the same client id while the first connection is still open for the broker: a session takeover (subscriber groups)", {
    closeWithin: Type.Optional(Duration('how long after the second CONNACK the broker has to close the first connection', DEFAULTS.takeoverCloseWithin)),
  }),
  Fault('latency', 'delay every chunk', {
    latency: Duration('added delay'),
    jitter: Type.Optional(Duration('random spread, +/-', '0ms')),
    stream: Type.Optional(Stream(DEFAULTS.faultStream)),
  }),
  Fault('bandwidth', 'cap the throughput', {
    rate: Pattern('bandwidth', 'throughput cap'),
    stream: Type.Optional(Stream(DEFAULTS.faultStream)),
  }),
  Fault('toxic', 'a raw Toxiproxy toxic', {
    type: OneOf(['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data'] as const, 'Toxiproxy toxic type'),
    stream: Type.Optional(Stream(DEFAULTS.toxicStream)),
    toxicity: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: DEFAULTS.toxicity, description: 'share of connections it applies to, drawn per connection and direction' })),
    attributes: Type.Optional(Type.Record(Type.String(), Type.Number(), { description: 'as Toxiproxy takes them' })),
  }),
  Type.Object(
    {
      kind: Type.Literal('broker-restart', {
        description: 'kill -9 the managed Mosquitto, then start it again on the same port: what survives is what its persistence saved (managed-mosquitto only)',
      }),
      down: Type.Optional(Duration('how long the broker stays dead before the restart', DEFAULTS.brokerDown)),
    },
    Strict,
  ),
]);

/** measure-expiry: a share of the group's sessions, and probe offsets around a session's expected end. */
const Share = (description: string, dflt?: string) => Pattern('percent', description, dflt ? { default: dflt } : {});
const ProbeWindowSchema = (description: string) =>
  Type.Object(
    {
      from: Pattern('offset', 'first probe, from the expected end (close + expiry), e.g. -1s'),
      to: Pattern('offset', 'last probe, from the expected end, e.g. 2s'),
    },
    { ...Strict, description },
  );
const ExpiryCloseKinds = ['graceful', 'abrupt', 'partition'] as const;
const MeasureExpiry = Type.Object(
  {
    groups: GroupRefs,
    closes: Type.Optional(
      Type.Union(
        [
          OneOf(ExpiryCloseKinds, 'every session closes this way'),
          Type.Object(
            {
              graceful: Type.Optional(Share('DISCONNECT with reason 0x04 (the will kept): the broker learns at once')),
              abrupt: Type.Optional(Share('the client drops its socket: the broker learns at once')),
              partition: Type.Optional(Share('a black hole on the proxy: the broker learns only by keep-alive')),
            },
            { ...Strict, minProperties: 1, description: 'shares of each group, adding up to 100%' },
          ),
        ],
        { default: 'graceful' },
      ),
    ),
    probes: Type.Optional(
      Type.Object(
        {
          share: Type.Optional(Share('sessions of each way of closing probed once (CONNACK Session Present); the rest are timed by their will', DEFAULTS.expiryProbeShare)),
          graceful: Type.Optional(ProbeWindowSchema('default -1s to 2s')),
          abrupt: Type.Optional(ProbeWindowSchema('default -1s to 2s')),
          partition: Type.Optional(ProbeWindowSchema('from the cut + expiry; default 1.5 x keep-alive - 1s to 1.5 x keep-alive + 8s')),
        },
        Strict,
      ),
    ),
    disconnectExpiry: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 4294967295, description: 'v5: graceful DISCONNECTs change the Session Expiry Interval to this (s); from 0 it is a protocol error the broker must reject' }),
    ),
    willDelay: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 4294967295, description: 'Will Delay Interval (s) of every client; default: longer than any session can take to end' }),
    ),
    neverAfter: Type.Optional(Duration('a session with no will this long after its latest expected end never expired', DEFAULTS.expiryNeverAfter)),
    spread: Type.Optional(
      Duration("graceful and abrupt closes are spread evenly over this time, so their ends sample every phase of the broker's one-second clock", DEFAULTS.expirySpread),
    ),
    syncKeepAlive: Type.Optional(
      Type.Boolean({ default: true, description: 'partitioned clients send a PINGREQ just before the cut, so each keep-alive timer starts there' }),
    ),
    brokerExpiry: Type.Optional(Duration("MQTT 3.1.1: the broker's own session expiry, if it has one (a managed Mosquitto's persistent_client_expiration is read)")),
    maxWait: Type.Optional(Duration('the longest the phase may take', DEFAULTS.expiryMaxWait)),
  },
  { ...Strict, description: 'when does the broker really end sessions? v5 Session Expiry Interval, after DISCONNECT and after a silent partition' },
);

const PhaseSchema = Type.Object(
  {
    connect: Type.Optional(
      OrEmpty(
        Type.Object({ groups: Type.Optional(GroupRefs), rate: Type.Optional(Pattern('rate', 'overrides each group connectRate')) }, Strict),
        'connect the groups named; default every group not yet connected',
      ),
    ),
    subscribe: Type.Optional(OrEmpty(Type.Object({ groups: Type.Optional(GroupRefs) }, Strict), 'subscribe the groups named; default the connected subscriber groups')),
    fault: Type.Optional(FaultPhase),
    heal: Type.Optional(OrEmpty(Type.Object({ groups: Type.Optional(GroupRefs) }, Strict), 'end the faults of the groups named; default every fault')),
    publish: Type.Optional(
      Type.Object(
        {
          from: Type.String({ description: 'publisher group' }),
          to: Type.String({ description: 'subscriber group: each client gets perTarget messages on its own topic; a shared group (share:) gets perTarget from each publisher on its one topic, each owed once to the group' }),
          // Sequence numbers per topic stop at 2^27 (the workers' seen-sets); a phase stays well below.
          perTarget: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'messages each client of `to` is sent; to a shared group: messages each publisher sends to its topic' }),
          qos: Type.Optional(Qos('default: the publisher group qos')),
          rate: Type.Optional(Pattern('rate', 'total for the phase; default unlimited')),
          payloadBytes: Type.Optional(
            Type.Integer({ minimum: HEADER_BYTES, maximum: 268435455, default: DEFAULTS.payloadBytes, description: "size of each message, the harness's header included" }),
          ),
          messageExpiry: Type.Optional(
            Duration('MQTT 5 Message Expiry Interval, whole seconds: the broker drops a message still queued when it passes; ignored (with a note) under MQTT 3.1.1'),
          ),
        },
        Strict,
      ),
    ),
    wait: Type.Optional(Duration('pause')),
    'measure-expiry': Type.Optional(MeasureExpiry),
    drain: Type.Optional(
      OrEmpty(
        Type.Object({ timeout: Type.Optional(Duration('give up after', DEFAULTS.drainTimeout)) }, Strict),
        'wait until everything owed arrived, or every client is back and nothing new comes, or the timeout',
      ),
    ),
    measure: Type.Optional(
      Type.Union([
        Type.String({ minLength: 1, description: 'a label for this memory measurement point' }),
        Type.Object(
          {
            label: Type.Optional(Type.String({ minLength: 1, description: 'names the point in the report' })),
            settle: Type.Optional(Duration('wait before reading, so $SYS values catch up; default memory.settle')),
          },
          Strict,
        ),
        Type.Null(),
      ], { description: 'wait memory.settle, then read every memory probe (a measurement point)' }),
    ),
    disconnect: Type.Optional(
      OrEmpty(
        Type.Object(
          {
            groups: Type.Optional(GroupRefs),
            mode: Type.Optional(OneOf(['graceful', 'abrupt'] as const, 'graceful sends DISCONNECT; abrupt destroys the socket', { default: DEFAULTS.disconnectMode })),
          },
          Strict,
        ),
      ),
    ),
  },
  { ...Strict, minProperties: 1, maxProperties: 1, description: 'one key: the phase kind' },
);

const Expect = Type.Array(Type.String({ description: 'e.g. redelivery.lost == 0' }), { description: 'thresholds: <metric> <op> <value>[unit]' });

const MatrixEntry = Type.Object(
  {
    protocol: Protocol,
    id: Type.Optional(Pattern('runId', 'run id in reports; default from label, else the protocol')),
    label: Type.Optional(Type.String({ minLength: 1, description: 'column header in the summary' })),
    override: Type.Optional(
      Type.Object({ groups: Type.Optional(Type.Record(GroupName, Type.Partial(GroupSchema), Strict)) }, { ...Strict, description: 'deep-merged onto the groups for this run' }),
    ),
    expect: Type.Optional(Expect),
  },
  Strict,
);

const Url = (description: string) => Type.String({ minLength: 1, description });

const MemoryProbeSchema = Type.Union([
  OneOf(['rss', 'sys-heap'] as const, "rss: the broker process's resident set (the one the harness started); sys-heap: Mosquitto's $SYS/broker/heap/current"),
  Type.Object(
    {
      rss: Type.Object(
        {
          pid: Type.Optional(Type.Integer({ minimum: 1, description: 'the broker process' })),
          process: Type.Optional(Type.String({ minLength: 1, description: 'the one running process with this name' })),
        },
        { ...Strict, minProperties: 1, maxProperties: 1 },
      ),
    },
    Strict,
  ),
  Type.Object(
    {
      prometheus: Type.Object(
        {
          url: Pattern('httpUrl', 'the text endpoint, e.g. http://127.0.0.1:18083/api/v5/prometheus/stats'),
          metric: Pattern('promMetric', 'metric name, in bytes; series matching it (and labels) are summed'),
          labels: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'only series with these label values' })),
        },
        Strict,
      ),
    },
    Strict,
  ),
]);

const Memory = Type.Object(
  {
    probes: Type.Optional(
      Type.Union([Type.Literal('auto'), Type.Literal('none'), Type.Array(MemoryProbeSchema, { minItems: 1 })], {
        default: DEFAULTS.memoryProbes,
        description: 'auto: RSS + $SYS heap for a managed Mosquitto, $SYS heap for an external Mosquitto, none otherwise',
      }),
    ),
    interval: Type.Optional(Duration('how often every probe is read', DEFAULTS.memoryInterval)),
    settle: Type.Optional(Duration('default wait of a measure phase before it reads', DEFAULTS.memorySettle)),
  },
  { ...Strict, description: 'broker memory sampling' },
);
const Broker = Type.Union(
  [
    OneOf(['auto', 'managed-mosquitto', 'embedded-aedes'] as const, 'auto: managed Mosquitto if installed, else embedded Aedes'),
    Type.Object(
      {
        url: Url('mqtt://host:port'),
        usernameEnv: Type.Optional(Type.String({ description: 'the environment variable holding the username' })),
        passwordEnv: Type.Optional(Type.String({ description: 'the environment variable holding the password' })),
      },
      Strict,
    ),
    Type.Object(
      {
        mosquitto: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
          description: 'a managed Mosquitto with these config options, e.g. max_queued_messages: 10',
        }),
      },
      Strict,
    ),
  ],
  { default: 'auto', description: 'the target: managed Mosquitto, embedded Aedes (MQTT 3.1.1 only), or a broker at a URL' },
);
const Faults = Type.Union([Type.Literal('embedded'), Type.Object({ toxiproxy: Url('http://127.0.0.1:8474') }, Strict)], {
  default: 'embedded',
  description: 'the fault server: the embedded one, or your Toxiproxy at a URL',
});

const Scale = Type.Object(
  {
    connectionsPerPort: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 65535,
        description:
          'testing/tuning: most connections on one (source address, destination port) pair before the harness spreads over more proxy listen ports, broker listeners and 127.0.0.x source addresses; default half the ephemeral port range',
      }),
    ),
  },
  { ...Strict, description: 'how connections are spread over ports and addresses' },
);

/** Ramp to the knee (docs/capacity-planning.md): the phases once per step, one dimension grown. */
const Ramp = Type.Object(
  {
    grow: OneOf(['sessions', 'backlog', 'rate'] as const, "what grows: sessions = the group's client count; backlog = perTarget of every publish phase to the group (messages queued per session); rate = the rate of every publish phase to the group (messages/s)"),
    group: Type.String({ minLength: 1, description: 'the group the steps apply to: its clients (sessions), or the subscriber group the publish phases send to (backlog, rate)' }),
    steps: Type.Array(Type.Integer({ minimum: 1, maximum: 1_000_000 }), {
      minItems: 2,
      maxItems: 20,
      description: 'the values, rising: every run of the scenario, all its phases, once per step; the ramp stops at the first step that breaks an expectation',
    }),
  },
  { ...Strict, description: 'ramp to the knee: grow one dimension in steps, each step a complete run held to expect; reports the last step that held and the first that broke (docs/capacity-planning.md)' },
);

export const ScenarioSchema = Type.Object(
  {
    name: Pattern('name', 'names the reports'),
    description: Type.Optional(Type.String({ description: 'free text' })),
    broker: Type.Optional(Broker),
    faults: Type.Optional(Faults),
    allowRemote: Type.Optional(Type.Boolean({ default: false, description: 'allow targets outside loopback' })),
    deadline: Type.Optional(
      Duration('the whole scenario (every run) stops here as on Ctrl-C, exit 3; default: the sum of its phase timeouts, plus a minute a run'),
    ),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295, default: DEFAULTS.seed, description: 'seed for reconnect jitter, so runs repeat' })),
    protocols: Type.Optional(
      Type.Array(Protocol, { minItems: 1, uniqueItems: true, default: DEFAULTS.protocols, description: 'the matrix: one run per protocol version' }),
    ),
    matrix: Type.Optional(Type.Array(MatrixEntry, { minItems: 1, description: 'named variants; instead of protocols' })),
    groups: GroupsSchema,
    phases: Type.Array(PhaseSchema, { minItems: 1, description: 'in order, in lockstep across worker threads' }),
    expect: Type.Optional(Expect),
    memory: Type.Optional(Memory),
    scale: Type.Optional(Scale),
    ramp: Type.Optional(Ramp),
  },
  Strict,
);

export type Scenario = Static<typeof ScenarioSchema>;
export type GroupSpec = Static<typeof GroupSchema>;
export type PhaseSpec = Static<typeof PhaseSchema>;
export type FaultSpec = Static<typeof FaultPhase>;
export type MeasureExpirySpec = Static<typeof MeasureExpiry>;
export type MemorySpec = Static<typeof Memory>;
export type RampSpec = Static<typeof Ramp>;
