import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHistogram, encodeHistogram, mergeEncoded, newLatencyHistogram, recordMs } from '../../../src/metrics/histograms.js';

/** A deterministic spread of latencies in ms, from sub-ms to minutes. */
function values(seed: number, n: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return (x / 2 ** 31) ** 4 * 120_000;
  });
}

describe('latency histograms', () => {
  it('merging two encoded histograms equals recording everything in one', () => {
    const a = values(1, 5000);
    const b = values(2, 3000);
    const ha = newLatencyHistogram();
    const hb = newLatencyHistogram();
    const all = newLatencyHistogram();
    for (const v of a) recordMs(ha, v);
    for (const v of b) recordMs(hb, v);
    for (const v of [...a, ...b]) recordMs(all, v);
    const merged = mergeEncoded([encodeHistogram(ha), encodeHistogram(hb)]);
    // Both sides through the wire format: a decoded max is its bucket's, not the exact value.
    const one = decodeHistogram(encodeHistogram(all));
    assert.equal(merged.totalCount, 8000);
    assert.equal(merged.maxValue, one.maxValue);
    assert.equal(merged.minNonZeroValue, one.minNonZeroValue);
    for (const p of [0, 50, 90, 99, 99.9, 100]) assert.equal(merged.getValueAtPercentile(p), one.getValueAtPercentile(p), `p${p}`);
    assert.equal(merged.mean, one.mean);
  });

  it('records ms as whole µs, rounded, and negatives as 0', () => {
    const h = newLatencyHistogram();
    recordMs(h, 1.2346);
    recordMs(h, -5);
    const back = decodeHistogram(encodeHistogram(h));
    assert.equal(back.totalCount, 2);
    assert.equal(back.getValueAtPercentile(0), 0);
    assert.ok(Math.abs(back.maxValue - 1235) <= 1, String(back.maxValue));
  });

  it('grows past its initial hour and merges nothing into an empty histogram', () => {
    const h = newLatencyHistogram();
    recordMs(h, 5 * 3_600_000);
    assert.equal(decodeHistogram(encodeHistogram(h)).totalCount, 1);
    assert.equal(mergeEncoded([]).totalCount, 0);
    assert.equal(mergeEncoded([encodeHistogram(newLatencyHistogram())]).totalCount, 0);
  });
});
