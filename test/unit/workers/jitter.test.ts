import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientSeed, createRandom, jitteredDelay } from '../../../src/workers/jitter.js';

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
