import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandPlan } from '../../../src/scenario/expand.js';
import { loadScenario, parseScenario } from '../../../src/scenario/load.js';
import { BASE, FIXTURES } from './support.js';

const FULL = `${FIXTURES}valid-full.yaml`;

describe('expandPlan: the valid full example', () => {
  const { plan } = loadScenario(FULL);

  it('is plain data: JSON round-trips it unchanged', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan);
    assert.deepEqual(structuredClone(plan), plan);
  });

  it('states the scenario, broker and fault server', () => {
    assert.equal(plan.planVersion, 1);
    assert.deepEqual(plan.scenario, {
      name: 'persistent-session',
      file: FULL,
      description: 'devices miss commands while cut off, and must get them on reconnect',
    });
    assert.equal(plan.seed, 42);
    assert.equal(plan.allowRemote, false);
    assert.deepEqual(plan.broker, { kind: 'managed-mosquitto', options: { max_queued_messages: 100 } });
    assert.deepEqual(plan.faults, { kind: 'embedded' });
  });

  it('has one run per matrix entry, ids unique and from labels', () => {
    assert.deepEqual(
      plan.runs.map((r) => [r.id, r.label, r.protocol]),
      [
        ['3.1.1', '3.1.1', '3.1.1'],
        ['v5-one-hour-expiry', 'v5, one hour expiry', '5'],
        ['5-no-expiry', 'v5, no session expiry', '5'],
      ],
    );
  });

  it('fills every group default, {run} and {group} substituted', () => {
    const [v311, v5] = plan.runs;
    assert.deepEqual(v5!.groups, [
      {
        name: 'devices',
        count: 100,
        role: 'subscriber',
        clientId: 'dev-v5-one-hour-expiry-{i}',
        clean: false,
        sessionExpiry: 3600,
        keepAliveSec: 10,
        qos: 1,
        topic: 'fleet/v5-one-hour-expiry/{i}/cmd',
        via: 'proxy',
        connectRatePerSec: 500,
        reconnect: { backoff: 'fixed', delayMs: 1000, jitterMs: 500 },
      },
      {
        name: 'backend',
        count: 2,
        role: 'publisher',
        clientId: 'backend-v5-one-hour-expiry-{i}-{invocation}',
        clean: true,
        sessionExpiry: 0,
        keepAliveSec: 30,
        qos: 1,
        via: 'direct',
        reconnect: { backoff: 'exponential', delayMs: 1000, maxMs: 5000 },
      },
    ]);
    // 3.1.1 has no expiry: CleanSession=0 keeps the session for good, and the plan says so.
    assert.equal(v311!.groups[0]!.sessionExpiry, 0xffffffff);
    assert.deepEqual(v311!.notes, [
      'group devices: session.expiry ignored for MQTT 3.1.1 (CleanSession=0 sessions do not expire in the protocol)',
    ]);
    assert.deepEqual(v5!.notes, []);
  });

  it('applies a matrix override and appends its expectations', () => {
    const run = plan.runs[2]!;
    assert.equal(run.groups[0]!.sessionExpiry, 0);
    assert.match(run.notes[0]!, /^group devices: Clean Start=0 with Session Expiry Interval 0 ends the session/);
    assert.deepEqual(
      run.expect.map((e) => [e.source, e.origin]),
      [
        ['redelivery.lost == 0', 'scenario'],
        ['redelivery.latency.p99 < 2s', 'scenario'],
        ['redelivery.delivered == 0', 'matrix'],
      ],
    );
    assert.deepEqual(run.expect[1], {
      metric: 'redelivery.latency.p99',
      op: '<',
      value: 2000,
      unit: 'ms',
      source: 'redelivery.latency.p99 < 2s',
      origin: 'scenario',
    });
  });

  it('resolves every phase: defaults filled, ms and per-second numbers', () => {
    assert.deepEqual(plan.runs[0]!.phases, [
      { kind: 'connect', groups: [{ name: 'devices', ratePerSec: 500 }, { name: 'backend' }] },
      { kind: 'subscribe', groups: ['devices'] },
      { kind: 'fault', groups: ['devices'], fault: { kind: 'cut' } },
      { kind: 'publish', from: 'backend', to: 'devices', perTarget: 20, qos: 1, ratePerSec: 2000, payloadBytes: 128 },
      { kind: 'wait', durationMs: 1500 },
      { kind: 'heal', groups: ['devices'] },
      { kind: 'drain', timeoutMs: 20000 },
      { kind: 'fault', groups: ['devices'], fault: { kind: 'latency', latencyMs: 200, jitterMs: 50, stream: 'both' } },
      { kind: 'fault', groups: ['devices'], fault: { kind: 'bandwidth', kbPerSec: 100, stream: 'downstream' } },
      {
        kind: 'fault',
        groups: ['devices'],
        fault: { kind: 'toxic', type: 'slicer', stream: 'downstream', toxicity: 1, attributes: { average_size: 10 } },
      },
      { kind: 'heal', groups: ['devices'] },
      { kind: 'disconnect', groups: ['devices', 'backend'], mode: 'abrupt' },
    ]);
  });
});

describe('expandPlan: --count GROUP=N', () => {
  it('sets the group size in every run; an unknown group or a clientId without {i} is a usage error', () => {
    const { plan } = loadScenario(FULL, { counts: { devices: 7, backend: 1 } });
    for (const run of plan.runs) {
      assert.deepEqual(run.groups.map((g) => [g.name, g.count]), [['devices', 7], ['backend', 1]]);
    }
    assert.throws(() => loadScenario(FULL, { counts: { nope: 3 } }), { code: 'E_USAGE', message: '--count nope=3: no group nope (the scenario has devices, backend)' });
    const single = parseScenario('name: t\ngroups:\n  d: { count: 1, role: publisher, clientId: only }\nphases:\n  - connect: {}\n', 't.yaml');
    assert.throws(() => expandPlan(single, 't.yaml', { counts: { d: 2 } }), { code: 'E_USAGE', message: "--count d=2: group d's clientId has no {i}, so it takes one client only" });
  });
});

describe('expandPlan: defaults of a minimal scenario', () => {
  const plan = expandPlan(parseScenario(BASE, 'base.yaml'), 'base.yaml');

  it('runs both protocols, seed 1, auto broker, embedded faults, loopback only', () => {
    assert.deepEqual(
      plan.runs.map((r) => r.id),
      ['3.1.1', '5'],
    );
    assert.equal(plan.seed, 1);
    assert.deepEqual(plan.broker, { kind: 'auto' });
    assert.deepEqual(plan.faults, { kind: 'embedded' });
    assert.equal(plan.allowRemote, false);
  });

  it('gives each run (and, in the workers, each invocation) its own client ids, and defaults drain to 30s', () => {
    // {run} as a token brokers take (no "."); the run id itself keeps its dots.
    assert.equal(plan.runs[0]!.id, '3.1.1');
    assert.equal(plan.runs[0]!.groups[0]!.clientId, 'devices-3_1_1-{i}-{invocation}');
    assert.equal(plan.runs[1]!.groups[0]!.clientId, 'devices-5-{i}-{invocation}');
    assert.deepEqual(plan.runs[0]!.phases.at(-1), { kind: 'drain', timeoutMs: 30000 });
  });
});

describe('expandPlan: command-line overrides win over the file', () => {
  const scenario = parseScenario(`${BASE}broker: { url: "mqtt://127.0.0.1:1883", usernameEnv: MQ_USER }\nseed: 5\n`, 'o.yaml');

  it('--protocol keeps only that protocol’s runs', () => {
    const plan = expandPlan(scenario, 'o.yaml', { protocol: '5' });
    assert.deepEqual(
      plan.runs.map((r) => r.id),
      ['5'],
    );
  });

  it('--protocol that leaves no run is a usage error', () => {
    const only5 = parseScenario(`${BASE}protocols: ["5"]\n`, 'p.yaml');
    assert.throws(() => expandPlan(only5, 'p.yaml', { protocol: '3.1.1' }), {
      code: 'E_USAGE',
      message: '--protocol 3.1.1: p.yaml has no run for MQTT 3.1.1 (it has 5)',
    });
  });

  it('--seed, --allow-remote, --toxiproxy', () => {
    const plan = expandPlan(scenario, 'o.yaml', { seed: 9, allowRemote: true, toxiproxy: 'http://127.0.0.1:8474' });
    assert.equal(plan.seed, 9);
    assert.equal(plan.allowRemote, true);
    assert.deepEqual(plan.faults, { kind: 'toxiproxy', url: 'http://127.0.0.1:8474' });
  });

  it('--broker URL keeps the file’s credential variable names; a kind replaces the broker', () => {
    assert.deepEqual(expandPlan(scenario, 'o.yaml', { broker: 'mqtt://127.0.0.1:2883' }).broker, {
      kind: 'external',
      url: 'mqtt://127.0.0.1:2883',
      usernameEnv: 'MQ_USER',
    });
    assert.deepEqual(expandPlan(scenario, 'o.yaml', { broker: 'embedded-aedes' }).broker, { kind: 'embedded-aedes' });
  });

  it('a bad --broker or --toxiproxy is a usage error, credentials never echoed', () => {
    assert.throws(() => expandPlan(scenario, 'o.yaml', { broker: 'mqtt://me:secret@127.0.0.1' }), (err: Error) => {
      assert.equal((err as { code?: string }).code, 'E_USAGE');
      assert.ok(!err.message.includes('secret'));
      return true;
    });
    assert.throws(() => expandPlan(scenario, 'o.yaml', { toxiproxy: 'ftp://x' }), {
      code: 'E_USAGE',
      message: '--toxiproxy: must be an http:// or https:// URL (got ftp://)',
    });
  });
});
