import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_SEQ, SeenSet } from '../../../src/workers/seen-set.js';

describe('SeenSet', () => {
  it('says whether a seq is new, in any order', () => {
    const seen = new SeenSet();
    assert.equal(seen.add(5), true);
    assert.equal(seen.add(0), true);
    assert.equal(seen.add(5), false);
    assert.equal(seen.add(4), true);
    assert.equal(seen.add(0), false);
    assert.equal(seen.add(6), true);
  });

  it('grows far past its first bitmap and keeps what it had', () => {
    const seen = new SeenSet();
    for (let seq = 0; seq < 100_000; seq += 3) assert.equal(seen.add(seq), true);
    assert.equal(seen.add(1_000_003), true);
    for (let seq = 0; seq < 100_000; seq++) assert.equal(seen.add(seq), seq % 3 !== 0, String(seq));
    assert.equal(seen.add(1_000_003), false);
  });

  it('refuses seqs a corrupted header could carry', () => {
    const seen = new SeenSet();
    assert.equal(seen.add(MAX_SEQ), true);
    assert.throws(() => seen.add(MAX_SEQ + 1), RangeError);
    assert.throws(() => seen.add(-1), RangeError);
    assert.throws(() => seen.add(1.5), RangeError);
  });
});
