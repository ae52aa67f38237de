import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHeader, encodePayload, HEADER_BYTES, type PayloadHeader } from '../../../src/workers/payload.js';

const blank = (): PayloadHeader => ({ group: 0, invocation: 0, publisher: 0, seq: 0, sentAt: 0 });
const NONCE = 0xfeedbeef;

describe('payload header', () => {
  it('round-trips every field, at the exact payload size, and knows its own invocation', () => {
    const header = { group: 65_535, invocation: NONCE, publisher: 4_000_000_000, seq: 123_456, sentAt: 98_765.4321 };
    for (const size of [HEADER_BYTES, 25, 1024]) {
      const buf = encodePayload(size, header);
      assert.equal(buf.length, size);
      const out = blank();
      assert.equal(decodeHeader(buf, out, NONCE), 'this-run');
      assert.deepEqual(out, header);
      assert.ok(buf.subarray(HEADER_BYTES).every((b) => b === 0), 'padding is zero');
    }
  });

  it('is 24 bytes with magic 0x6D64: a smaller payload is refused when encoding', () => {
    assert.equal(HEADER_BYTES, 24);
    assert.equal(encodePayload(24, blank()).readUInt16BE(0), 0x6d64);
    assert.throws(() => encodePayload(20, blank()), /payloadBytes 20 is below the 24-byte message header/);
    assert.throws(() => encodePayload(24.5, blank()), RangeError);
  });

  it('tells another invocation\'s message, and the first layout\'s, from this one\'s', () => {
    const header = { group: 1, invocation: NONCE - 1, publisher: 2, seq: 3, sentAt: 4 };
    const out = blank();
    assert.equal(decodeHeader(encodePayload(32, header), out, NONCE), 'earlier-run');
    assert.deepEqual(out, header);
    // The first layout: 20 bytes, magic 0x6D63, no invocation: an older build sent it.
    const v1 = Buffer.alloc(20);
    v1.writeUInt16BE(0x6d63, 0);
    v1.writeUInt16BE(1, 2);
    v1.writeUInt32BE(2, 4);
    v1.writeUInt32BE(3, 8);
    v1.writeDoubleBE(4, 12);
    const old = blank();
    assert.equal(decodeHeader(v1, old, NONCE), 'earlier-run');
    assert.deepEqual(old, { group: 1, invocation: 0, publisher: 2, seq: 3, sentAt: 4 });
  });

  it('rejects foreign payloads and leaves the output alone', () => {
    const good = encodePayload(32, { group: 1, invocation: NONCE, publisher: 2, seq: 3, sentAt: 4 });
    const badMagic = Buffer.from(good);
    badMagic[0] = 0x00;
    const badTime = Buffer.from(good);
    badTime.writeDoubleBE(Number.NaN, 16);
    const negativeTime = Buffer.from(good);
    negativeTime.writeDoubleBE(-1, 16);
    const v1BadTime = Buffer.alloc(20);
    v1BadTime.writeUInt16BE(0x6d63, 0);
    v1BadTime.writeDoubleBE(Number.POSITIVE_INFINITY, 12);
    const foreign = [Buffer.alloc(0), good.subarray(0, HEADER_BYTES - 1), Buffer.from('hello world, not ours at all'), badMagic, badTime, negativeTime, v1BadTime];
    for (const buf of foreign) {
      const out = blank();
      assert.equal(decodeHeader(buf, out, NONCE), 'not-ours', buf.toString('hex'));
      assert.deepEqual(out, blank());
    }
  });
});
