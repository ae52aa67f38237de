import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { MemoryProbe, MemorySample } from '../../../src/brokers/memory-probe.js';
import type { BrokerTarget } from '../../../src/brokers/types.js';
import { MemorySampler } from '../../../src/engine/memory-sampler.js';

const TARGET = { kind: 'managed-mosquitto', host: '127.0.0.1', port: 1, url: 'mqtt://127.0.0.1:1', protocols: ['5'], description: 't', stop: async () => {} } as BrokerTarget;
const PLAN = { probes: 'auto' as const, intervalMs: 20, settleMs: 0 };

/** A probe whose next answers the test sets: a number (fresh reading), 'same' (the last again), or a reason. */
class FakeProbe implements MemoryProbe {
  readonly source = 'fake';
  unavailable: string | undefined;
  stopped = false;
  reads = 0;
  #next: number | 'same' | string = 'no value yet';
  #last: MemorySample | undefined;
  constructor(readonly name: string) {}
  set(next: number | 'same' | string): void {
    this.#next = next;
  }
  async start(): Promise<void> {}
  async sample(): Promise<MemorySample | undefined> {
    this.reads++;
    if (typeof this.#next === 'number') {
      this.#last = { at: performance.now(), bytes: this.#next };
      this.#next = 'same';
    }
    if (this.#next === 'same') {
      this.unavailable = undefined;
      return this.#last;
    }
    this.unavailable = this.#next;
    return undefined;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  /** Resolves once the sampler has read it `n` more times (no fixed sleeps). */
  async readsMore(n: number): Promise<void> {
    const target = this.reads + n;
    while (this.reads < target) await delay(5);
  }
}

/** Like the $SYS heap: values arrive when the test publishes them; sampleSince waits for one. */
class PublishingProbe {
  readonly name = 'sys-heap';
  readonly source = 'fake $SYS';
  readonly unavailable = undefined;
  waiting = false;
  /** sampleSince returns the old value at once, as after its bound. */
  giveUp = false;
  /** sampleSince returns the old value as confirmed unchanged by a publication now. */
  unchanged = false;
  #latest: MemorySample | undefined;
  #wake: (() => void) | undefined;
  publish(bytes: number): void {
    this.#latest = { at: performance.now(), bytes };
    this.#wake?.();
  }
  async start(): Promise<void> {}
  async sample(): Promise<MemorySample | undefined> {
    return this.#latest;
  }
  async sampleSince(since: number): Promise<MemorySample | undefined> {
    if (this.unchanged && this.#latest) return { ...this.#latest, unchangedAt: performance.now() };
    while (!this.giveUp && !(this.#latest && this.#latest.at >= since)) {
      this.waiting = true;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    return this.#latest;
  }
  async stop(): Promise<void> {}
}

async function sampler(probes: FakeProbe[], log: string[], target = TARGET) {
  const s = await MemorySampler.start(PLAN, target, {
    allowRemote: false,
    log: (l) => void log.push(l),
    prefix: '[r] ',
    choose: () => ({ probes, notes: ['a note'] }),
  });
  assert.ok(s);
  return s;
}

describe('memory sampler', () => {
  it('samples on the run clock, keeps a pushed value once, and reads named points', async () => {
    const heap = new FakeProbe('sys-heap');
    heap.set(1000);
    const log: string[] = [];
    const s = await sampler([heap], log);
    await heap.readsMore(3);
    heap.set(5000);
    await heap.readsMore(3);
    await s.point('queued', 3);
    const record = await s.stop();
    assert.deepEqual(record.samples.map((x) => x[1]), [1000, 5000], 'one sample per new value, however often it is read');
    assert.ok(record.samples[0]![0] < record.samples[1]![0]);
    assert.deepEqual(record.points.map((p) => [p.label, p.phase, p.values['sys-heap']]), [
      ['start', undefined, 1000],
      ['queued', 3, 5000],
      ['end', undefined, 5000],
    ]);
    assert.deepEqual(record.probes, [{ name: 'sys-heap', source: 'fake', samples: 2, gaps: 0 }]);
    assert.deepEqual(log, ['[r] memory: sys-heap (fake), every 20 ms', '[r] memory: a note']);
    assert.equal(heap.stopped, true);
  });

  it('an unavailable probe: one line at start, null at points (never 0), and the others go on', async () => {
    const rss = new FakeProbe('rss');
    rss.set(7000);
    const prom = new FakeProbe('prometheus');
    prom.set('http://127.0.0.1:1/metrics did not answer: connect ECONNREFUSED 127.0.0.1:1');
    const log: string[] = [];
    const s = await sampler([rss, prom], log);
    await prom.readsMore(3);
    const record = await s.stop();
    assert.deepEqual(log.filter((l) => l.includes('prometheus')), [
      '[r] memory probe prometheus unavailable: http://127.0.0.1:1/metrics did not answer: connect ECONNREFUSED 127.0.0.1:1',
    ]);
    assert.deepEqual(record.points.map((p) => p.values), [
      { rss: 7000, prometheus: null },
      { rss: 7000, prometheus: null },
    ]);
    assert.equal(record.samples.filter((x) => x[2] === 'prometheus').length, 0);
    assert.deepEqual(record.probes[1], { name: 'prometheus', source: 'fake', samples: 0, gaps: 0, reason: 'http://127.0.0.1:1/metrics did not answer: connect ECONNREFUSED 127.0.0.1:1' });
  });

  it('a probe that loses its value mid-run says so once, counts the gaps, and says when it reads again', async () => {
    const rss = new FakeProbe('rss');
    rss.set(100);
    const log: string[] = [];
    const s = await sampler([rss], log);
    await rss.readsMore(2);
    rss.set('process 42 is gone');
    await rss.readsMore(3);
    rss.set(300);
    await rss.readsMore(2);
    const record = await s.stop();
    assert.deepEqual(log.slice(2), ['[r] memory probe rss lost its value: process 42 is gone', '[r] memory probe rss reads again: 300 B']);
    assert.ok(record.probes[0]!.gaps >= 2, `gaps counted: ${record.probes[0]!.gaps}`);
    assert.deepEqual(record.samples.map((x) => x[1]), [100, 300]);
  });

  it('a measure point waits for a value of a publishing probe newer than its phase start, and says how long and how old', async () => {
    const heap = new PublishingProbe();
    heap.publish(1000);
    const s = await sampler([heap as unknown as FakeProbe], []);
    const phaseStart = performance.now();
    const point = s.point('queued', 2, phaseStart);
    // The value from before the phase is not taken: the point waits for the next one.
    while (!heap.waiting) await delay(5);
    heap.publish(4000);
    await point;
    const record = await s.stop();
    const queued = record.points.find((p) => p.label === 'queued')!;
    assert.equal(queued.values['sys-heap'], 4000);
    assert.equal(queued.freshness!['sys-heap']!.newer, true);
    assert.ok(queued.freshness!['sys-heap']!.waitedMs >= 0);
    assert.equal(record.points.find((p) => p.label === 'start')!.freshness, undefined, 'start is no measure phase');
  });

  it('an external broker: the start reading waits for a value newer than its start, not the one it retained from an earlier run', async () => {
    const heap = new PublishingProbe();
    heap.publish(9000);
    const started = sampler([heap as unknown as FakeProbe], [], { ...TARGET, kind: 'external' });
    while (!heap.waiting) await delay(5);
    heap.publish(3000);
    const record = await (await started).stop();
    const start = record.points.find((p) => p.label === 'start')!;
    assert.equal(start.values['sys-heap'], 3000);
    assert.equal(start.freshness!['sys-heap']!.newer, true);
  });

  it('none newer within the probe\'s bound: the older value, marked not newer, with its age', async () => {
    const heap = new PublishingProbe();
    heap.publish(1000);
    const s = await sampler([heap as unknown as FakeProbe], []);
    await delay(30);
    heap.giveUp = true;
    await s.point('queued', 2, performance.now());
    const record = await s.stop();
    const f = record.points.find((p) => p.label === 'queued')!.freshness!['sys-heap']!;
    assert.equal(f.newer, false);
    assert.ok(f.ageMs >= 25, `age ${f.ageMs}`);
  });

  it('a publication after the phase start without a new value: the older value counts, marked unchanged', async () => {
    const heap = new PublishingProbe();
    heap.publish(1000);
    const s = await sampler([heap as unknown as FakeProbe], []);
    await delay(30);
    heap.unchanged = true;
    await s.point('offline', 2, performance.now());
    const record = await s.stop();
    const point = record.points.find((p) => p.label === 'offline')!;
    assert.equal(point.values['sys-heap'], 1000);
    assert.equal(point.freshness!['sys-heap']!.newer, true);
    assert.equal(point.freshness!['sys-heap']!.unchanged, true);
  });

  it('no memory section (a plan built by hand): no sampler at all', async () => {
    assert.equal(await MemorySampler.start(undefined, TARGET, { allowRemote: false, log: () => {} }), undefined);
  });
});
