/**
 * A broker that really loses messages, and a harness that says so and why: Mosquitto with
 * max_queued_messages 10, persistent subscribers cut off while each is sent 50 QoS 1
 * messages. Mosquitto keeps the first 10 per client and drops the newest 40; the run fails
 * the "no expected message lost" check, every loss is attributed to the queue limit, and
 * the explanation names max_queued_messages. Both for 3.1.1 CleanSession=0 and for v5 with
 * a Session Expiry Interval (so the session itself survives and only the queue limit bites).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTeardown } from '../../helpers/teardown.js';
import { describeRun, needsMosquitto, planFrom, runPlan, tempDir } from './support.js';

const CLIENTS = 10;
const PER_TARGET = 50;
const LIMIT = 10;

const SCENARIO = `
name: queue-limit
broker: { mosquitto: { max_queued_messages: ${LIMIT} } }
faults: embedded
matrix:
  - protocol: "3.1.1"
    id: v3-clean-0
  - protocol: "5"
    id: v5-expiry-3600
groups:
  devices:
    count: ${CLIENTS}
    role: subscriber
    session: { clean: false, expiry: 3600 }
    qos: 1
    topic: "queue/{run}/{i}"
    reconnect: { delay: 200ms, jitter: 100ms }
  backend:
    count: 2
    role: publisher
    via: direct
phases:
  - connect: {}
  - subscribe: {}
  - fault: { kind: cut, groups: [devices] }
  - wait: 500ms
  - publish: { from: backend, to: devices, perTarget: ${PER_TARGET}, qos: 1 }
  - heal: {}
  - drain: { timeout: 15s }
`;

describe('Mosquitto max_queued_messages drops messages, and the harness says so', { skip: needsMosquitto }, () => {
  it(`${PER_TARGET} sent to each of ${CLIENTS} offline sessions, limit ${LIMIT}: ${PER_TARGET - LIMIT} lost per client, all to the queue limit, fail`, async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'queue');
    const ran = await runPlan(td, await planFrom(dir, SCENARIO), dir);
    assert.deepEqual(ran.result.runs.map((r) => r.id), ['v3-clean-0', 'v5-expiry-3600']);
    for (const run of ran.result.runs) {
      const why = describeRun(run, ran.log);
      const r = run.redelivery;
      assert.equal(run.incomplete, undefined, why);
      assert.equal(run.broker.options['max_queued_messages'], LIMIT, why);
      assert.equal(r.offline, PER_TARGET * CLIENTS, why);
      assert.equal(r.indeterminate, 0, why);
      assert.equal(r.expected, PER_TARGET * CLIENTS, `the spec owes every message to a live session\n${why}`);
      assert.equal(r.delivered, LIMIT * CLIENTS, `Mosquitto kept ${LIMIT} per client\n${why}`);
      assert.equal(r.offlineDelivered, LIMIT * CLIENTS, why);
      assert.equal(r.lost, (PER_TARGET - LIMIT) * CLIENTS, why);
      assert.equal(r.lostBy['queue-limit'], r.lost, `every loss attributed to the queue limit\n${why}`);
      assert.equal(r.lostBy['unknown'], 0, why);
      assert.equal(r.unexpected, 0, why);
      assert.equal(run.verdict, 'fail', why);

      const failed = run.checks.filter((c) => !c.passed);
      assert.deepEqual(failed.map((c) => c.name), ['no expected message lost'], why);
      const check = failed[0]!;
      assert.equal(check.actual, (PER_TARGET - LIMIT) * CLIENTS);
      assert.match(check.explanation, /max_queued_messages/, why);
      assert.match(check.explanation, new RegExp(`max_queued_messages is ${LIMIT}\\b`), why);
      assert.match(check.explanation, new RegExp(`${PER_TARGET - LIMIT} of ${PER_TARGET} expected messages per client`), why);
    }
  });
});
