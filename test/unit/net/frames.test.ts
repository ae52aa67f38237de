import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serialize } from 'node:v8';
import { FrameReader, FrameTooLarge, frameOf, readCloned } from '../../../src/net/frames.js';

describe('frames', () => {
  it('cuts a stream split anywhere into the frames sent, in order', () => {
    const sent = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('hello world'), Buffer.alloc(70_000, 7)];
    const stream = Buffer.concat(sent.map(frameOf));
    for (const step of [1, 3, 5, 4096, stream.length]) {
      const reader = new FrameReader(100_000);
      const got: Buffer[] = [];
      for (let at = 0; at < stream.length; at += step) got.push(...reader.push(stream.subarray(at, at + step)));
      assert.deepEqual(got.map((b) => b.toString('hex')), sent.map((b) => b.toString('hex')), `chunks of ${step}`);
    }
  });

  it('refuses a frame over the limit from its header alone', () => {
    const reader = new FrameReader(16);
    assert.throws(() => reader.push(frameOf(Buffer.alloc(17)).subarray(0, 4)), (err: unknown) => err instanceof FrameTooLarge && err.bytes === 17 && err.limit === 16);
  });

  it('carries what a MessagePort carries: Maps, typed arrays, nested records, exactly', () => {
    const ledger = { shard: 2, seqs: new Float64Array([1.5, 2.25]), bits: new Uint8Array([1, 2, 255]), byRef: new Map([['devices/1', { at: 12.125, n: 3 }]]), missing: undefined, set: new Set([1, 2]) };
    const [frame] = new FrameReader(1 << 20).push(frameOf(serialize(ledger)));
    assert.deepEqual(readCloned(frame!), ledger);
  });
});
