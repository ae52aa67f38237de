/**
 * A broker that sends more than the client asked for: 3 v5 devices ask for Receive
 * Maximum 1; on its way to Mosquitto the MITM strips that property from the CONNECT of
 * devices 0 and 1, so Mosquitto applies its own max_inflight_messages (20) to them. Each
 * comes back to a backlog of 15 and takes 200 ms over each message: the liars' whole
 * backlog arrives at once (15 in flight, 14 of them over the cap of 1), device 2 gets one
 * at a time. The harness must report exactly 2 × 14 = 28 PUBLISHes over the Receive
 * Maximum on 2 clients, most in flight 15, the MQTT-3.3.4-9 check failed and named, no
 * message lost.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RECEIVE_MAXIMUM_CHECK } from '../../../src/checks/backlog-drain.js';
import { nameToken } from '../../../src/scenario/topic-names.js';
import { rewriteReceiveMaximum } from '../../helpers/mitm/receive-maximum.js';
import { Mitm } from '../../helpers/mitm/server.js';
import { startMosquitto } from '../../helpers/brokers.js';
import { useTeardown } from '../../helpers/teardown.js';
import { describeRun, planFrom, runPlan, tempDir } from '../run/support.js';
import { mosquittoBinary, needsMosquitto, recordOf } from './support.js';

const BACKLOG = 15;

const scenario = (url: string): string => `
name: lie-receive-maximum
broker: { url: "${url}" }
faults: embedded
protocols: ["5"]
groups:
  devices:
    count: 3
    role: subscriber
    clientId: "dev-{run}-{i}"
    session: { clean: false, expiry: 3600, receiveMaximum: 1 }
    qos: 1
    topic: "lie/{run}/{i}"
    ackDelay: 200ms
    reconnect: { delay: 200ms, jitter: 100ms }
  backend: { count: 1, role: publisher, via: direct }
phases:
  - connect: {}
  - subscribe: {}
  - fault: { kind: cut, groups: [devices] }
  - wait: 500ms
  - publish: { from: backend, to: devices, perTarget: ${BACKLOG}, qos: 1 }
  - wait: 500ms
  - heal: {}
  - drain: { timeout: 20s }
`;

describe('lying broker: Receive Maximum stripped from CONNECT', { skip: needsMosquitto }, () => {
  it(`2 of 3 clients sent their whole backlog of ${BACKLOG} at once: exactly 28 PUBLISHes over Receive Maximum 1, check failed`, async (t) => {
    const td = useTeardown(t);
    const broker = await startMosquitto(td, mosquittoBinary!);
    const mitm = await Mitm.start(td, { host: '127.0.0.1', port: broker.port }, [rewriteReceiveMaximum(/^dev-.+-[01]$/)]);
    const dir = await tempDir(td, 'lie-receive-maximum');
    const ran = await runPlan(td, await planFrom(dir, scenario(mitm.url)), dir);
    const run = ran.run('5');
    const why = describeRun(run, ran.log);
    const token = nameToken('5');

    const lied = mitm.eventsOf('receive-maximum');
    assert.ok(lied.length >= 4, 'each liar connected at least twice (before the cut, after the heal)');
    assert.deepEqual([...new Set(lied.map((e) => e.clientId))].sort(), [`dev-${token}-0`, `dev-${token}-1`]);
    assert.ok(lied.every((e) => e.detail === '1 -> none'));

    assert.equal(run.redelivery.lost, 0, why);
    assert.equal(run.redelivery.offlineDelivered, 3 * BACKLOG, why);
    assert.deepEqual(run.drain?.map((d) => [d.group, d.receiveMaximum, d.inflightMax, d.overCap, d.violators]), [['devices', 1, BACKLOG, 2 * (BACKLOG - 1), 2]], why);

    const perClient = Object.fromEntries(recordOf(ran, '5').ledgers.flatMap((l) => l.clients).filter((c) => c.ref.startsWith('devices/')).map((c) => [c.clientId, [c.inflightMax, c.inflightOverCap]]));
    assert.deepEqual(perClient, {
      [`dev-${token}-0`]: [BACKLOG, BACKLOG - 1],
      [`dev-${token}-1`]: [BACKLOG, BACKLOG - 1],
      [`dev-${token}-2`]: [1, 0],
    });

    const check = run.checks.find((c) => c.name === RECEIVE_MAXIMUM_CHECK);
    assert.ok(check, 'the built-in Receive Maximum check ran');
    assert.equal(check.passed, false);
    assert.equal(check.actual, 28);
    assert.equal(
      check.explanation,
      `28 PUBLISH packets sent to 2 clients of devices with Receive Maximum 1 already in flight (most in flight: ${BACKLOG}): the broker exceeded the client's Receive Maximum (MQTT-3.3.4-9)`,
    );
    assert.deepEqual(run.checks.filter((c) => !c.passed).map((c) => c.name), [RECEIVE_MAXIMUM_CHECK]);
    assert.equal(run.verdict, 'fail', why);
  });
});
