import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MemoryFigures, MemoryResult } from '../../../src/result/memory.js';
import { bytes, memorySection } from '../../../src/report/memory-md.js';
import type { RunResult } from '../../../src/result/result.js';

const FIGURES = (over: Partial<MemoryFigures>): MemoryFigures => ({
  baseline: 33_312,
  peak: 24_500_000,
  perSession: 982,
  perQueuedMessage: 392,
  beforeExpiry: 24_500_000,
  afterExpiry: 24_500_000,
  reclaimedAfterExpiry: 0,
  end: 24_500_000,
  ...over,
});

function memory(heap: MemoryFigures, rssReason?: string): MemoryResult {
  return {
    intervalMs: 500,
    probes: [
      { name: 'sys-heap', source: '$SYS/broker/heap/current from 127.0.0.1:1883', samples: 10, gaps: 0, available: true },
      rssReason
        ? { name: 'rss', source: 'VmRSS', samples: 0, gaps: 0, available: false, reason: rssReason }
        : { name: 'rss', source: 'VmRSS', samples: 10, gaps: 0, available: true },
    ],
    metricsFrom: 'sys-heap',
    samples: [],
    points: [{ label: 'sessions', t: 100, phase: 2, values: {} }],
    figures: { 'sys-heap': heap, rss: FIGURES({ reclaimedAfterExpiry: null, beforeExpiry: null, afterExpiry: null }) },
    basis: { perSession: '("sessions" - "start") / 5,004 clients', perQueuedMessage: 'q', reclaimedAfterExpiry: 'r' },
    sessions: 5004,
    queuedMessages: 50_000,
    notes: [],
  };
}

const run = (label: string, m?: MemoryResult) => ({ label, memory: m }) as unknown as RunResult;

describe('summary.md: broker memory', () => {
  it('one table, v3.1.1 beside v5, then how each figure was derived and what could not be read', () => {
    const lines = memorySection([
      run('3.1.1', memory(FIGURES({}))),
      run('5 expiry 15 s', memory(FIGURES({ perSession: 1150, afterExpiry: 954_000, reclaimedAfterExpiry: 0.9627, end: 954_000 }), 'process 7 is gone')),
    ]);
    const text = lines.join('\n');
    assert.equal(lines[0], '## Broker memory');
    assert.match(text, /^\| heap: per session +\| 982 B +\| 1,150 B +\|$/m, text);
    assert.match(text, /^\| heap: before → after wait \| 24\.5 MB → 24\.5 MB, 0% back +\| 24\.5 MB → 954 KB, 96% back +\|$/m, text);
    assert.match(text, /^\| RSS: per session +\| 982 B +\| unavailable +\|$/m, text);
    assert.doesNotMatch(text, /RSS: before → after/, 'a row nothing was derived for is left out');
    assert.match(text, /^- 5 expiry 15 s, RSS unavailable: process 7 is gone$/m);
    assert.match(text, /^- 3\.1\.1, per session: \("sessions" - "start"\) \/ 5,004 clients$/m);
  });

  it('nothing when no run sampled memory', () => {
    assert.deepEqual(memorySection([run('3.1.1')]), []);
  });

  it('sizes: exact bytes for small and per-item figures, SI units above', () => {
    assert.equal(bytes(982), '982 B');
    assert.equal(bytes(24_689_568), '24.7 MB');
    assert.equal(bytes(33_312), '33.3 KB');
    assert.equal(bytes(1_234_567, true), '1,234,567 B');
    assert.equal(bytes(null), '–');
  });
});
