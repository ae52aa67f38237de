/**
 * Against a managed Mosquitto: RSS and the $SYS heap both grow with persistent sessions and
 * with messages queued for them while offline, and the cost per session stays put between
 * 1,000 and 3,000 sessions. Tolerances are generous ratios, never absolute sizes: allocator
 * and build details move the numbers, not their shape.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTeardown } from '../../helpers/teardown.js';
import { describeRun, needsMosquitto, planFrom, runPlan, tempDir } from '../run/support.js';
import { describeMemory, figuresOf, reading } from './support.js';

const SMALL = 1000;
const LARGE = 3000;
const PER_TARGET = 5;

const SCENARIO = `
name: mem-cost
broker: managed-mosquitto
faults: embedded
memory: { settle: 2500ms }
matrix:
  - { protocol: "3.1.1", id: small, override: { groups: { devices: { count: ${SMALL} } } } }
  - { protocol: "3.1.1", id: large, override: { groups: { devices: { count: ${LARGE} } } } }
groups:
  devices:
    count: ${SMALL}
    role: subscriber
    session: { clean: false }
    qos: 1
    topic: "cost/{run}/{i}"
    via: direct
  backend: { count: 2, role: publisher, via: direct }
phases:
  - connect: {}
  - subscribe: {}
  - measure: sessions
  - disconnect: { groups: [devices], mode: abrupt }
  - measure: offline
  - publish: { from: backend, to: devices, perTarget: ${PER_TARGET}, qos: 1 }
  - measure: queued
`;

describe('broker memory on Mosquitto: cost per session and per queued message', { skip: needsMosquitto }, () => {
  it('RSS and heap grow with sessions and queued messages; per-session cost is stable from 1,000 to 3,000', async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'mem-cost');
    const { run, log } = await runPlan(td, await planFrom(dir, SCENARIO), dir);
    const small = run('small');
    const large = run('large');
    const context = (r: typeof small) => `${describeMemory(r)}\n${describeRun(r, log)}`;

    for (const r of [small, large]) {
      for (const probe of ['sys-heap', 'rss']) {
        const at = (label: string) => reading(r, label, probe);
        assert.ok(at('sessions') > at('start'), `${probe} grows with sessions: ${context(r)}`);
        assert.ok(at('queued') > at('offline'), `${probe} grows with queued messages: ${context(r)}`);
        const f = figuresOf(r, probe);
        assert.ok(f.perSession !== null && f.perSession > 0, `${probe} per session positive: ${context(r)}`);
        assert.ok(f.perQueuedMessage !== null && f.perQueuedMessage > 0, `${probe} per queued message positive: ${context(r)}`);
      }
      assert.equal(r.memory?.sessions, r.groups.find((g) => g.name === 'devices')!.count + 2);
      assert.equal(r.memory?.queuedMessages, r.groups.find((g) => g.name === 'devices')!.count * PER_TARGET);
    }

    // More sessions, more memory; the cost of one stays within a generous band.
    assert.ok(reading(large, 'sessions', 'sys-heap') > reading(small, 'sessions', 'sys-heap'));
    const ratio = (probe: string, figure: 'perSession' | 'perQueuedMessage') => figuresOf(large, probe)[figure]! / figuresOf(small, probe)[figure]!;
    const heapSession = ratio('sys-heap', 'perSession');
    assert.ok(heapSession > 0.75 && heapSession < 1.33, `heap per session, 3,000 vs 1,000: ratio ${heapSession}\n${context(small)}\n${context(large)}`);
    const heapMessage = ratio('sys-heap', 'perQueuedMessage');
    assert.ok(heapMessage > 0.75 && heapMessage < 1.33, `heap per queued message, 15,000 vs 5,000: ratio ${heapMessage}`);
    // RSS moves in pages and allocator arenas: the same shape, a wider band.
    const rssSession = ratio('rss', 'perSession');
    assert.ok(rssSession > 0.4 && rssSession < 2.5, `RSS per session ratio ${rssSession}\n${context(small)}\n${context(large)}`);
    t.diagnostic(`heap per session ${figuresOf(small, 'sys-heap').perSession} / ${figuresOf(large, 'sys-heap').perSession} B; per queued message ${figuresOf(small, 'sys-heap').perQueuedMessage} / ${figuresOf(large, 'sys-heap').perQueuedMessage} B`);
  });
});
