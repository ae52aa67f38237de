import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandPlan } from '../../../src/scenario/expand.js';
import { parseScenario } from '../../../src/scenario/load.js';
import { problemLines } from './support.js';

const scenario = (devices: string, backend = '{ count: 1, role: publisher }') => `name: t
groups:
  devices: ${devices}
  backend: ${backend}
phases:
  - connect: {}
`;

describe('session.receiveMaximum and ackDelay', () => {
  it('v5 takes the Receive Maximum and the ack delay; 3.1.1 drops the Receive Maximum with a note saying why', () => {
    const text = scenario('{ count: 2, role: subscriber, topic: "t/{i}", ackDelay: 20ms, session: { clean: false, expiry: 60, receiveMaximum: 10 } }');
    const plan = expandPlan(parseScenario(text, 'rm.yaml'), 'rm.yaml');
    const [v311, v5] = plan.runs;
    const devices5 = v5!.groups.find((g) => g.name === 'devices')!;
    assert.deepEqual([devices5.receiveMaximum, devices5.ackDelayMs], [10, 20]);
    assert.equal(v5!.notes.some((n) => n.includes('receiveMaximum')), false);
    const devices3 = v311!.groups.find((g) => g.name === 'devices')!;
    assert.equal(devices3.receiveMaximum, undefined);
    assert.equal(devices3.ackDelayMs, 20);
    assert.ok(
      v311!.notes.includes(
        'group devices: session.receiveMaximum ignored for MQTT 3.1.1 (no such property: the broker alone decides how many messages it has in flight to a client, Mosquitto by max_inflight_messages)',
      ),
    );
  });

  it('absent: nothing in the plan (no property sent, acknowledged at once)', () => {
    const plan = expandPlan(parseScenario(scenario('{ count: 1, role: subscriber, topic: t }'), 'rm.yaml'), 'rm.yaml');
    const devices = plan.runs[1]!.groups.find((g) => g.name === 'devices')!;
    assert.equal('receiveMaximum' in devices, false);
    assert.equal('ackDelayMs' in devices, false);
  });

  it('Receive Maximum is 1..65535; ackDelay is for subscribers and a duration', () => {
    assert.deepEqual(problemLines(scenario('{ count: 1, role: subscriber, topic: t, session: { receiveMaximum: 0 } }')), [
      'x.yaml:3:79: groups.devices.session.receiveMaximum: must be an integer 1..65535 (got 0)',
    ]);
    assert.deepEqual(problemLines(scenario('{ count: 1, role: subscriber, topic: t, session: { receiveMaximum: 65536 } }')), [
      'x.yaml:3:79: groups.devices.session.receiveMaximum: must be an integer 1..65535 (got 65536)',
    ]);
    assert.deepEqual(problemLines(scenario('{ count: 1, role: subscriber, topic: t }', '{ count: 1, role: publisher, ackDelay: 1s }')), [
      'x.yaml:4:51: groups.backend.ackDelay: applies to subscriber groups only: publishers acknowledge nothing they receive',
    ]);
    assert.deepEqual(problemLines(scenario('{ count: 1, role: subscriber, topic: t, ackDelay: 20 }')), ['x.yaml:3:62: groups.devices.ackDelay: add a unit, e.g. "20s" (got 20)']);
  });
});
