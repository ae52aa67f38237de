/**
 * What one agent is asked to hold and what it requests: each group split over the agents
 * (rounded up), the largest run counts, memory from the measured per-client figures, CPU
 * from the busiest phase's rate, open files from the clients.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sizeAgent, BASE_BYTES, MEASURED, MIN_MILLICORES, UNLIMITED_MILLICORES, memoryQuantity } from '../../../src/k8s/sizing.js';
import { expandPlan, parseScenario } from '../../../src/scenario/index.js';

function plan(phases: string, devices = 1000): ReturnType<typeof expandPlan> {
  const text = `name: sizing
broker: { url: mqtt://broker.example:1883 }
allowRemote: true
protocols: ["5"]
groups:
  devices: { count: ${devices}, role: subscriber, session: { clean: false, expiry: 60 }, qos: 1, topic: "d/{i}" }
  backend: { count: 3, role: publisher, via: direct }
phases:
${phases}`;
  return expandPlan(parseScenario(text, 'sizing.yaml'), 'sizing.yaml');
}

describe('sizing one agent from the plan', () => {
  test('each group is split over the agents and rounded up; open files are those clients and the harness\'s own', () => {
    const s = sizeAgent(plan('  - connect: { rate: 400/s }\n'), 4);
    assert.equal(s.clients, 1003);
    assert.equal(s.clientsPerAgent, 250 + 1);
    assert.equal(s.proxiedPerAgent, 250);
    assert.equal(s.openFiles, 251 + 256);
    assert.equal(s.memoryBytes, BASE_BYTES + 251 * MEASURED.bytesPerClient.value + 250 * MEASURED.faultBytesPerConnection.value);
  });

  test('memory grows with the clients per agent; more agents, less each', () => {
    const [small, large] = [1000, 20_000].map((n) => sizeAgent(plan('  - connect: { rate: 400/s }\n', n), 2));
    assert.equal(large!.memoryBytes - small!.memoryBytes, 9500 * (MEASURED.bytesPerClient.value + MEASURED.faultBytesPerConnection.value));
    assert.ok(sizeAgent(plan('  - connect: {}\n', 20_000), 10).memoryBytes < large!.memoryBytes);
    assert.equal(memoryQuantity(2 ** 20 + 1), '2Mi');
  });

  test('CPU follows the busiest rate on one agent; a phase without a rate asks one core; never below the floor', () => {
    // 8,000/s over 4 agents: 2,000 devices a second each at 770 µs = 1.54 cores, and the backend's 1 = 0.77 m.
    assert.equal(sizeAgent(plan('  - connect: { rate: 8000/s }\n', 100_000), 4).millicores, 1550);
    // 100/s over 4: 25/s x 770 µs = 19 m: the floor.
    assert.equal(sizeAgent(plan('  - connect: { rate: 100/s }\n'), 4).millicores, MIN_MILLICORES);
    assert.equal(sizeAgent(plan('  - connect: {}\n'), 4).millicores, UNLIMITED_MILLICORES);
    // QoS 1 at 40,000/s over 2 agents: 20,000/s x 64.21 µs = 1.28 cores.
    const publish = '  - connect: { rate: 100/s }\n  - subscribe: {}\n  - publish: { from: backend, to: devices, perTarget: 1, qos: 1, rate: 40000/s }\n';
    assert.equal(sizeAgent(plan(publish), 2).millicores, 1300);
  });
});
