/**
 * Shared by the shared-subscription tests: one share ("jobs") of three members — two
 * `workers` and one `flaky`, the one a fault acts on — fed by one `backend` publisher.
 * `middle` is the phases between the subscribe and the drain.
 */
export interface SharedShape {
  broker: string;
  protocols: readonly ('3.1.1' | '5')[];
  middle: readonly string[];
  drain?: string;
  /** flaky's `session:`; default like the workers', { clean: false, expiry: 3600 }. */
  flakySession?: string;
  /** Size of `backend`; default 1. Each publisher sends PER_PHASE per publish phase. */
  publishers?: number;
  /** The members' subscription QoS; default 1. */
  qos?: 1 | 2;
}

export const PER_PHASE = 30;

export function sharedScenario(s: SharedShape): string {
  const member = (name: string, count: number, session = '{ clean: false, expiry: 3600 }'): string[] => [
    `  ${name}:`,
    // Pinned ids (each test has a fresh broker): a MITM's events name them.
    '    clientId: "{group}-{run}-{i}"',
    `    count: ${count}`,
    '    role: subscriber',
    '    share: jobs',
    '    topic: "jobs/{run}"',
    `    session: ${session}`,
    `    qos: ${s.qos ?? 1}`,
    '    reconnect: { delay: 200ms, jitter: 100ms }',
  ];
  return [
    'name: shared-test',
    `broker: ${s.broker}`,
    'faults: embedded',
    `protocols: [${s.protocols.map((p) => `"${p}"`).join(', ')}]`,
    'groups:',
    ...member('workers', 2),
    ...member('flaky', 1, s.flakySession),
    '  backend:',
    '    clientId: "{group}-{run}-{i}"',
    `    count: ${s.publishers ?? 1}`,
    '    role: publisher',
    '    via: direct',
    'phases:',
    '  - connect: {}',
    '  - subscribe: {}',
    '  - wait: 300ms',
    ...s.middle.map((p) => `  - ${p}`),
    `  - drain: { timeout: ${s.drain ?? '15s'} }`,
    '',
  ].join('\n');
}

export const publishPhase = `publish: { from: backend, to: workers, perTarget: ${PER_PHASE}, qos: 1, rate: 100/s }`;

/** The cut in the middle of the stream: deliveries to flaky slowed by 5 s (so what the broker just sent it is in flight at the cut), a batch, the cut, a batch, `away`, the heal. */
export function cutMidStream(qos: 1 | 2 = 1, away = '500ms'): string[] {
  const publish = `publish: { from: backend, to: workers, perTarget: ${PER_PHASE}, qos: ${qos}, rate: 100/s }`;
  return ['fault: { kind: latency, groups: [flaky], latency: 5s, stream: downstream }', publish, 'fault: { kind: cut, groups: [flaky] }', publish, `wait: ${away}`, 'heal: {}'];
}
