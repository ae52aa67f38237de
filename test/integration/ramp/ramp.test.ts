/**
 * Ramp to the knee against a real managed Mosquitto, through the engine as `mqtt-chaos run`
 * drives it (runRamp: a complete run per step on a fresh broker, each judged at once).
 *
 * Persistent v5 sessions are cut while 20 commands of 1,000 bytes are queued for each, then
 * healed and drained. Mosquitto's heap ($SYS/broker/heap/current) holds every queued command,
 * so its peak grows with the sessions, about 28 KB per device (measured: 0.31 MB at 10,
 * 1.15 MB at 40, 4.5 MB at 160): a real broker behaviour the SLO can hold, not a stub.
 * - tight SLO (peak <= 2 MB) over 10, 40, 160, 640: 10 and 40 hold, 160 breaks on the heap
 *   bound with its value, 640 is never run;
 * - loose SLO (peak <= 64 MB) over 10, 20: every step holds, no knee in range.
 * And a backlog ramp against Mosquitto's max_queued_messages 30: 5 and 20 queued per device
 * hold; at 80 the broker drops all but 30 of each device's, lost to the queue limit. And a
 * sessions ramp past Mosquitto's max_connections 50: the broker's own limit, named as such.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runRamp } from '../../../src/engine/ramp.js';
import { useTeardown } from '../../helpers/teardown.js';
import { childrenOf, needsMosquitto, planFrom, tempDir } from '../run/support.js';

const scenario = (steps: number[], peak: string): string => `
name: ramp-test
broker: managed-mosquitto
faults: embedded
protocols: ["5"]
memory: { probes: [sys-heap], interval: 500ms, settle: 1s }
ramp: { grow: sessions, group: devices, steps: [${steps.join(', ')}] }
groups:
  devices:
    count: 1
    role: subscriber
    session: { clean: false, expiry: 3600 }
    qos: 1
    topic: "ramp/{run}/{i}"
    reconnect: { delay: 200ms, jitter: 100ms }
  backend:
    count: 2
    role: publisher
    via: direct
phases:
  - connect: {}
  - subscribe: {}
  - fault: { kind: cut, groups: [devices] }
  - publish: { from: backend, to: devices, perTarget: 20, qos: 1, payloadBytes: 1000 }
  - measure: queued
  - heal: {}
  - drain: { timeout: 20s }
expect:
  - redelivery.lost == 0
  - memory.peak <= ${peak}
`;

const BACKLOG = `
name: ramp-backlog
broker: { mosquitto: { max_queued_messages: 30 } }
faults: embedded
protocols: ["3.1.1"]
ramp: { grow: backlog, group: devices, steps: [5, 20, 80] }
groups:
  devices:
    count: 5
    role: subscriber
    session: { clean: false }
    qos: 1
    topic: "backlog/{run}/{i}"
    reconnect: { delay: 200ms, jitter: 100ms }
  backend:
    count: 1
    role: publisher
    via: direct
phases:
  - connect: {}
  - subscribe: {}
  - fault: { kind: cut, groups: [devices] }
  - wait: 300ms
  - publish: { from: backend, to: devices, perTarget: 1, qos: 1 }
  - heal: {}
  - drain: { timeout: 15s }
expect:
  - redelivery.lost == 0
`;

async function ramp(t: Parameters<typeof useTeardown>[0], steps: number[], peak: string) {
  const td = useTeardown(t);
  const dir = await tempDir(td, 'ramp');
  const plan = await planFrom(dir, scenario(steps, peak));
  const log: string[] = [];
  const before = new Set(childrenOf(process.pid));
  const outcome = await runRamp(plan, plan.ramp!, { runDir: join(dir, 'runs'), signal: new AbortController().signal, log: (l) => void log.push(l) });
  assert.deepEqual(childrenOf(process.pid).filter((p) => !before.has(p)), [], 'every broker and fault server a step started is gone');
  assert.equal(outcome.error, undefined, `${String(outcome.error)}\n${log.join('\n')}`);
  return { ...outcome, why: `${JSON.stringify(outcome.ramp, null, 1)}\n${log.join('\n')}` };
}

describe('ramp of persistent sessions against managed Mosquitto', { skip: needsMosquitto }, () => {
  it('a tight heap SLO: the knee between 40 (held) and 160 (broke on memory.peak, with its value); 640 never run', async (t) => {
    const { ramp: r, runs, why } = await ramp(t, [10, 40, 160, 640], '2MB');
    assert.deepEqual(r.steps.map((s) => s.status), ['held', 'held', 'broke', 'not-run'], why);
    assert.equal(r.outcome, 'knee', why);
    assert.deepEqual([r.lastHeld, r.firstBroke], [40, 160]);
    assert.match(r.finding, /^knee between 40 sessions \(held\) and 160 sessions \(broke\): 5 · 160 sessions: memory\.peak <= 2MB: memory\.peak was [\d.]+ MB, needs <= 2 MB$/, why);
    // Every step's runs are judged and kept; the steps that held delivered everything owed.
    assert.deepEqual(runs.map((run) => run.id), ['step1-5', 'step2-5', 'step3-5']);
    assert.deepEqual(runs.map((run) => run.redelivery.expected), [200, 800, 3200]);
    assert.deepEqual(runs.map((run) => run.redelivery.lost), [0, 0, 0]);
    // The curve: the heap peak grows with the sessions, over the line at the step that broke.
    const peaks = r.steps.slice(0, 3).map((s) => s.values.find((v) => v.slo === 'memory.peak <= 2MB')!.actual!);
    assert.ok(peaks[0]! < peaks[1]! && peaks[1]! < 2_000_000 && peaks[2]! > 2_000_000, `peaks ${peaks.join(', ')}`);
  });

  it('a loose SLO: every step holds, no knee in range', async (t) => {
    const { ramp: r, why } = await ramp(t, [10, 20], '64MB');
    assert.deepEqual(r.steps.map((s) => s.status), ['held', 'held'], why);
    assert.equal(r.outcome, 'no-knee');
    assert.equal(r.finding, 'no knee in range: every step held, up to 20 sessions');
  });

  it('a backlog ramp against max_queued_messages 30: 5 and 20 per device held, 80 broke with 50 lost per device to the queue limit', async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'ramp-backlog');
    const plan = await planFrom(dir, BACKLOG);
    const log: string[] = [];
    const outcome = await runRamp(plan, plan.ramp!, { runDir: join(dir, 'runs'), signal: new AbortController().signal, log: (l) => void log.push(l) });
    const why = `${JSON.stringify(outcome.ramp, null, 1)}\n${log.join('\n')}`;
    assert.equal(outcome.error, undefined, why);
    const r = outcome.ramp;
    assert.equal(r.unit, 'messages per session');
    assert.deepEqual(r.steps.map((s) => s.status), ['held', 'held', 'broke'], why);
    assert.deepEqual([r.outcome, r.lastHeld, r.firstBroke], ['knee', 20, 80]);
    const broke = outcome.runs.find((run) => run.id === 'step3-3.1.1')!;
    assert.equal(broke.redelivery.lost, 5 * 50, why);
    assert.equal(broke.redelivery.lostBy['queue-limit'], 5 * 50, why);
    assert.deepEqual(r.steps[2]!.values.find((v) => v.slo === 'redelivery.lost == 0'), { slo: 'redelivery.lost == 0', run: '3.1.1', actual: 250, passed: false });
  });

  it("a sessions ramp past max_connections 50: stopped at 80 by the broker's own limit, not a knee of the SLO", async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'ramp-maxconn');
    const yaml = scenario([20, 80], '64MB').replace('broker: managed-mosquitto', 'broker: { mosquitto: { max_connections: 50 } }');
    const plan = await planFrom(dir, yaml);
    const log: string[] = [];
    const outcome = await runRamp(plan, plan.ramp!, { runDir: join(dir, 'runs'), signal: new AbortController().signal, log: (l) => void log.push(l) });
    const why = `${JSON.stringify(outcome.ramp, null, 1)}\n${log.join('\n')}`;
    assert.equal(outcome.error, undefined, why);
    const r = outcome.ramp;
    assert.deepEqual(r.steps.map((s) => s.status), ['held', 'incomplete'], why);
    assert.deepEqual([r.outcome, r.lastHeld, r.firstBroke], ['broker-limit', 20, 80], why);
    assert.match(r.finding, /^stopped at 80 sessions by the broker's own limit \(it refused what the step asked\), not by the SLO \(held up to 20 sessions\): 5 · 80 sessions: INCOMPLETE: phase 1 \(connect devices, backend\): connected \d+ of 82; the broker: closed the connection before CONNACK/, why);
    const run = outcome.runs.find((x) => x.id === 'step2-5')!;
    assert.equal(run.verdict, 'incomplete');
  });
});
