import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHistogram, encodeHistogram } from '../../../src/metrics/histograms.js';
import { Inbox, ReceiveTotals } from '../../../src/workers/inbox.js';
import { encodePayload } from '../../../src/workers/payload.js';

const groups = ['backend', 'devices'];
const NONCE = 0xc0ffee;
const msg = (publisher: number, seq: number, sentAt: number, invocation = NONCE): Buffer => encodePayload(24, { group: 0, invocation, publisher, seq, sentAt });

describe('Inbox: the receive path', () => {
  it('keeps first copies in arrival order per publisher and counts duplicates', () => {
    const totals = new ReceiveTotals(groups, NONCE);
    const inbox = new Inbox('devices/3', totals);
    const t = performance.now();
    for (const [p, seq] of [[0, 0], [0, 2], [1, 0], [0, 1], [0, 2], [0, 2], [1, 0]] as const) inbox.receive(msg(p, seq, t), 1, t - 1);
    const runs = inbox.runs();
    assert.deepEqual(
      runs.map((r) => ({ publisher: r.publisher, seqs: r.seqs, qos: r.qos, duplicates: r.duplicates })),
      [
        { publisher: 'backend/0', seqs: [0, 2, 1], qos: [1, 1, 1], duplicates: { 2: 2 } },
        { publisher: 'backend/1', seqs: [0], qos: [1], duplicates: { 0: 1 } },
      ],
    );
    assert.ok(runs.every((r) => r.subscriber === 'devices/3' && r.firstAt.length === r.seqs.length));
    assert.equal(totals.received, 4);
    assert.ok(totals.lastReceiveAt >= t);
  });

  it('sorts latencies: sent after the CONNACK is e2e, before it is backlog (redelivery)', () => {
    const totals = new ReceiveTotals(groups, NONCE);
    const inbox = new Inbox('devices/0', totals);
    const before = performance.now();
    const connackAt = before / 2;
    inbox.receive(msg(0, 0, connackAt / 2), 1, connackAt); // waited in the session
    inbox.receive(msg(0, 1, connackAt - 0.001), 1, connackAt);
    inbox.receive(msg(0, 2, connackAt + 1), 1, connackAt); // sent while connected
    inbox.receive(msg(0, 2, connackAt + 1), 1, connackAt); // a duplicate: no second sample
    const after = performance.now();
    const e2e = decodeHistogram(encodeHistogram(totals.e2e));
    const redelivery = decodeHistogram(encodeHistogram(totals.redelivery));
    assert.equal(e2e.totalCount, 1);
    assert.equal(redelivery.totalCount, 2);
    // Redelivery counts from the CONNACK, not from the send (which was earlier still).
    const us = (ms: number): number => ms * 1000;
    assert.ok(redelivery.minNonZeroValue >= us(before - connackAt) * 0.999, String(redelivery.minNonZeroValue));
    assert.ok(redelivery.maxValue <= us(after - connackAt) * 1.001 + 1, String(redelivery.maxValue));
    assert.ok(e2e.maxValue >= us(before - connackAt - 1) * 0.999, String(e2e.maxValue));
  });

  it('names the QoS 2 messages whose PUBREL never came, per publisher; a session lost owes none', () => {
    const totals = new ReceiveTotals(groups, NONCE);
    const inbox = new Inbox('devices/0', totals);
    const t = performance.now();
    for (const [id, p, seq] of [[10, 0, 0], [11, 0, 1], [12, 1, 0]] as const) inbox.held(id, msg(p, seq, t));
    inbox.released(11);
    inbox.receive(msg(0, 1, t), 2, t);
    // Released under another id (a broker renumbering its PUBRELs): 10 is still held.
    inbox.released(99);
    assert.deepEqual(
      inbox.runs().map((r) => ({ publisher: r.publisher, seqs: r.seqs, unreleased: r.unreleased })),
      [
        { publisher: 'backend/0', seqs: [1], unreleased: [0] },
        { publisher: 'backend/1', seqs: [], unreleased: [0] },
      ],
    );

    const fresh = new Inbox('devices/1', totals);
    fresh.held(5, msg(0, 3, t));
    fresh.sessionLost();
    fresh.held(6, msg(0, 4, t));
    fresh.released(6);
    assert.deepEqual(fresh.runs(), []);
  });

  it('counts foreign payloads, unknown groups and absurd seqs as malformed', () => {
    const totals = new ReceiveTotals(groups, NONCE);
    const inbox = new Inbox('devices/0', totals);
    inbox.receive(Buffer.from('{"temperature": 21.5, "unit": "C"}'), 0, 0);
    inbox.receive(encodePayload(24, { group: 2, invocation: NONCE, publisher: 0, seq: 0, sentAt: 1 }), 1, 0);
    inbox.receive(encodePayload(24, { group: 0, invocation: NONCE, publisher: 0, seq: 2 ** 31, sentAt: 1 }), 1, 0);
    assert.equal(totals.malformed, 3);
    assert.equal(totals.received, 0);
    assert.deepEqual(inbox.runs(), []);
  });

  it('counts an earlier invocation\'s messages apart: never received, never timed, never held', () => {
    const totals = new ReceiveTotals(groups, NONCE);
    const inbox = new Inbox('devices/0', totals);
    const other = new Inbox('devices/1', totals);
    const t = performance.now();
    for (const seq of [0, 1, 2]) inbox.receive(msg(0, seq, t - 5, NONCE + 1), 1, t - 10);
    inbox.receive(msg(0, 0, t - 5, NONCE + 1), 1, t - 10); // a copy of a leftover: still a leftover
    inbox.held(7, msg(0, 3, t, NONCE + 1));
    // The first layout (20 bytes, magic 0x6D63), sent by an older build.
    const v1 = Buffer.alloc(20);
    v1.writeUInt16BE(0x6d63, 0);
    v1.writeDoubleBE(t, 12);
    other.receive(v1, 1, t - 10);
    other.receive(msg(0, 0, t), 1, t - 10); // this invocation's own
    assert.equal(inbox.leftover, 4);
    assert.equal(other.leftover, 1);
    assert.equal(totals.leftover, 5);
    assert.equal(totals.received, 1, 'only this invocation\'s message counts for the drain');
    assert.equal(totals.malformed, 0);
    assert.deepEqual(inbox.runs(), [], 'no run, no unreleased message');
    assert.deepEqual(other.runs().map((r) => r.seqs), [[0]]);
    const timed = decodeHistogram(encodeHistogram(totals.e2e)).totalCount + decodeHistogram(encodeHistogram(totals.redelivery)).totalCount;
    assert.equal(timed, 1);
  });
});
