/**
 * Against a managed Mosquitto: persistent sessions with queued messages, then nobody comes
 * back for longer than a short v5 Session Expiry Interval. Under v5 the broker ends the
 * sessions and frees them with their queues (the $SYS heap comes back); under v3.1.1
 * CleanSession=0 sessions never expire, so the memory is kept. Same load for both runs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTeardown } from '../../helpers/teardown.js';
import { describeRun, needsMosquitto, planFrom, runPlan, tempDir } from '../run/support.js';
import { describeMemory, figuresOf, memoryOf } from './support.js';

const EXPIRY_S = 8;

/*
 * The clock, from the drop: publish (well under a second here) and a 2.5 s settle put the
 * "queued" reading at about 3-4 s, inside the 8 s expiry even on a machine twice as slow;
 * "after-expiry" comes about 8 + 2.5 s later, past the expiry plus Mosquitto's second and
 * a $SYS update.
 */
const SCENARIO = `
name: mem-expiry
broker: managed-mosquitto
faults: embedded
memory: { settle: 2500ms }
matrix:
  - { protocol: "3.1.1", id: v3, label: 3.1.1 CleanSession=0 }
  - { protocol: "5", id: v5, label: "5 expiry ${EXPIRY_S} s", expect: ["memory.reclaimedAfterExpiry >= 60%"] }
groups:
  devices:
    count: 500
    role: subscriber
    session: { clean: false, expiry: ${EXPIRY_S} }
    qos: 1
    topic: "exp/{run}/{i}"
    via: direct
  backend: { count: 2, role: publisher, via: direct }
phases:
  - connect: {}
  - subscribe: {}
  - measure: sessions
  - disconnect: { groups: [devices], mode: abrupt }
  - publish: { from: backend, to: devices, perTarget: 10, qos: 1 }
  - measure: queued
  - wait: 8s
  - measure: after-expiry
`;

describe('broker memory on Mosquitto: reclaimed after v5 session expiry, kept under v3.1.1', { skip: needsMosquitto }, () => {
  it('the heap comes back under v5 with a short expiry and stays under v3.1.1, with identical load', async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'mem-expiry');
    const { run, log, result } = await runPlan(td, await planFrom(dir, SCENARIO), dir);
    const v3 = run('v3');
    const v5 = run('v5');
    const context = (r: typeof v3) => `${describeMemory(r)}\n${describeRun(r, log)}`;

    for (const r of [v3, v5]) {
      const heap = figuresOf(r, 'sys-heap');
      assert.ok(heap.perQueuedMessage !== null && heap.perQueuedMessage > 0, `messages were queued before any session could expire: ${context(r)}`);
      assert.equal(memoryOf(r).queuedMessages, 5000);
      assert.ok(heap.beforeExpiry! > heap.baseline!, context(r));
    }
    const kept = figuresOf(v3, 'sys-heap').reclaimedAfterExpiry!;
    const back = figuresOf(v5, 'sys-heap').reclaimedAfterExpiry!;
    assert.ok(kept < 0.2, `v3.1.1 keeps its sessions and queues: reclaimed ${kept}\n${context(v3)}`);
    assert.ok(back > 0.6, `v5 sessions expired and were freed: reclaimed ${back}\n${context(v5)}`);
    assert.doesNotMatch(memoryOf(v5).basis.reclaimedAfterExpiry, /may not have expired/, 'waited long enough');
    assert.match(memoryOf(v3).basis.reclaimedAfterExpiry, /CleanSession=0, never expires/);
    assert.equal(v5.checks.find((c) => c.name === 'memory.reclaimedAfterExpiry >= 60%')?.passed, true, context(v5));
    t.diagnostic(`heap reclaimed: 3.1.1 ${kept}, v5 ${back}`);

    // The summary puts them side by side.
    const { renderSummary } = await import('../../../src/report/summary-md.js');
    const summary = renderSummary(result);
    assert.match(summary, /^\| heap: before → after wait +\| .*, -?[0-5]% back +\| .*, \d+% back +\|$/m, summary);
  });
});
