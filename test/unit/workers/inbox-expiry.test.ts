import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Inbox, ReceiveTotals } from '../../../src/workers/inbox.js';
import { encodePayload } from '../../../src/workers/payload.js';

const NONCE = 0xc0ffee;
const msg = (seq: number): Buffer => encodePayload(24, { group: 0, invocation: NONCE, publisher: 0, seq, sentAt: 1 });

describe('Inbox: the Message Expiry Interval of each first copy', () => {
  it('is kept aligned with seqs, -1 where a copy carried none, only once one carried it', () => {
    const inbox = new Inbox('devices/0', new ReceiveTotals(['backend'], NONCE));
    inbox.receive(msg(0), 1, 0);
    inbox.receive(msg(1), 1, 0, 55);
    inbox.receive(msg(1), 1, 0, 54); // a duplicate: not a first copy
    inbox.receive(msg(2), 1, 0);
    inbox.receive(msg(3), 1, 0, 56);
    const [run] = inbox.runs();
    assert.deepEqual(run!.seqs, [0, 1, 2, 3]);
    assert.deepEqual(run!.expiry, [-1, 55, -1, 56]);
  });

  it('is absent when no copy carried one (3.1.1, or no expiry)', () => {
    const inbox = new Inbox('devices/0', new ReceiveTotals(['backend'], NONCE));
    for (const seq of [0, 1, 2]) inbox.receive(msg(seq), 1, 0);
    assert.equal(inbox.runs()[0]!.expiry, undefined);
  });
});
