import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientSeed, createRandom, jitteredDelay, reconnectDelay } from '../../../src/workers/jitter.js';

const draws = (seed: number, n: number): number[] => {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => jitteredDelay(random, 1000, 250));
};

describe('seeded reconnect jitter', () => {
  it('stays within delay ± jitter and uses the whole range', () => {
    const delays = draws(clientSeed(42, 'devices', 7), 10_000);
    assert.ok(delays.every((d) => d >= 750 && d <= 1250));
    assert.ok(Math.min(...delays) < 760 && Math.max(...delays) > 1240, 'spread over the range');
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    assert.ok(Math.abs(mean - 1000) < 10, `uniform around the delay (mean ${mean})`);
  });

  it('repeats for the same seed, group and index; differs otherwise', () => {
    const seed = clientSeed(42, 'devices', 7);
    assert.deepEqual(draws(seed, 50), draws(clientSeed(42, 'devices', 7), 50));
    for (const other of [clientSeed(43, 'devices', 7), clientSeed(42, 'devices', 8), clientSeed(42, 'backend', 7)]) {
      assert.notEqual(other, seed);
      assert.notDeepEqual(draws(other, 50), draws(seed, 50));
    }
  });

  it('never goes below 0, and no jitter means the exact delay', () => {
    const random = createRandom(1);
    for (let i = 0; i < 1000; i++) assert.ok(jitteredDelay(random, 10, 500) >= 0);
    assert.equal(jitteredDelay(random, 300, 0), 300);
  });
});

describe('exponential reconnect backoff with full jitter', () => {
  const plan = { backoff: 'exponential', delayMs: 500, maxMs: 5000 } as const;

  it('draws each wait from 0 to a cap that doubles per failed attempt, up to max', () => {
    const random = createRandom(clientSeed(7, 'devices', 3));
    for (const [failures, cap] of [[0, 500], [1, 1000], [2, 2000], [3, 4000], [4, 5000], [10, 5000], [1000, 5000]] as const) {
      const waits = Array.from({ length: 2000 }, () => reconnectDelay(plan, random, failures));
      assert.ok(waits.every((w) => w >= 0 && w < cap), `failures ${failures}: within [0, ${cap})`);
      assert.ok(Math.min(...waits) < cap * 0.01 && Math.max(...waits) > cap * 0.99, `failures ${failures}: uses the whole range`);
    }
  });

  it('spreads a population: no two of 1000 clients share a slot of 5 ms', () => {
    const waits = Array.from({ length: 1000 }, (_, i) => reconnectDelay(plan, createRandom(clientSeed(1, 'devices', i)), 4));
    const perSlot = new Map<number, number>();
    for (const w of waits) perSlot.set(Math.floor(w / 5), (perSlot.get(Math.floor(w / 5)) ?? 0) + 1);
    // 1000 slots of 5 ms: a uniform draw puts at most a handful in one; a lockstep puts all.
    assert.ok(Math.max(...perSlot.values()) <= 8, `most in one 5 ms slot: ${Math.max(...perSlot.values())}`);
  });

  it('repeats for the same seed; fixed backoff keeps delay ± jitter', () => {
    const seq = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 20 }, (_, k) => reconnectDelay(plan, random, k));
    };
    assert.deepEqual(seq(11), seq(11));
    assert.notDeepEqual(seq(11), seq(12));
    const random = createRandom(3);
    const fixed = { backoff: 'fixed', delayMs: 1000, jitterMs: 200 } as const;
    for (let k = 0; k < 200; k++) {
      const w = reconnectDelay(fixed, random, k);
      assert.ok(w >= 800 && w <= 1200, `fixed ${w}`);
    }
  });
});
