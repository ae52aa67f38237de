import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHeader, encodePayload, HEADER_BYTES, type PayloadHeader } from '../../../src/workers/payload.js';

const blank = (): PayloadHeader => ({ group: 0, publisher: 0, seq: 0, sentAt: 0 });

describe('payload header', () => {
  it('round-trips every field, at the exact payload size', () => {
    const header = { group: 65_535, publisher: 4_000_000_000, seq: 123_456, sentAt: 98_765.4321 };
    for (const size of [HEADER_BYTES, 21, 1024]) {
      const buf = encodePayload(size, header);
      assert.equal(buf.length, size);
      const out = blank();
      assert.equal(decodeHeader(buf, out), true);
      assert.deepEqual(out, header);
      assert.ok(buf.subarray(HEADER_BYTES).every((b) => b === 0), 'padding is zero');
    }
  });

  it('is 20 bytes: a smaller payload is refused when encoding', () => {
    assert.equal(HEADER_BYTES, 20);
    assert.throws(() => encodePayload(16, blank()), /payloadBytes 16 is below the 20-byte message header/);
    assert.throws(() => encodePayload(20.5, blank()), RangeError);
  });

  it('rejects foreign payloads and leaves the output alone', () => {
    const good = encodePayload(32, { group: 1, publisher: 2, seq: 3, sentAt: 4 });
    const badMagic = Buffer.from(good);
    badMagic[0] = 0x00;
    const badTime = Buffer.from(good);
    badTime.writeDoubleBE(Number.NaN, 12);
    const negativeTime = Buffer.from(good);
    negativeTime.writeDoubleBE(-1, 12);
    const foreign = [Buffer.alloc(0), good.subarray(0, HEADER_BYTES - 1), Buffer.from('hello world, not ours at all'), badMagic, badTime, negativeTime];
    for (const buf of foreign) {
      const out = blank();
      assert.equal(decodeHeader(buf, out), false, buf.toString('hex'));
      assert.deepEqual(out, blank());
    }
  });
});
