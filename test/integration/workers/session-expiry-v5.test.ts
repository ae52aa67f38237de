import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeEncoded } from '../../../src/metrics/histograms.js';
import { useTeardown } from '../../helpers/teardown.js';
import { broker, clientsOf, pool, publishers, receivedBy, shardInits, subscribers, total, uniquePrefix, waitForStatus } from './support.js';
import { requireMosquitto } from '../../helpers/requires.js';

const mosquitto = requireMosquitto();

describe('worker pool, v5 Session Expiry (Mosquitto)', { skip: !mosquitto && 'no mosquitto: Aedes speaks no MQTT 5' }, () => {
  it('Clean Start 0 with expiry 3600 resumes (Session Present 1, backlog delivered); with expiry 0 it does not', async (t) => {
    const td = useTeardown(t);
    const target = await broker(td, { kind: 'managed-mosquitto', options: {} });
    const prefix = uniquePrefix();
    const groups = [
      subscribers('keep', 10, prefix, { sessionExpiry: 3600 }),
      subscribers('drop', 10, prefix, { sessionExpiry: 0 }),
      publishers('backend', 1, prefix),
    ];
    const { pool: p, events } = await pool(td, shardInits(groups, 2, target, '5'));
    const send = (to: string, perTarget: number): Promise<void> =>
      p.run({ kind: 'publish', phase: { kind: 'publish', from: 'backend', to, perTarget, qos: 1, payloadBytes: 24 } });

    await p.run({ kind: 'connect', groups: [{ name: 'keep' }, { name: 'drop' }, { name: 'backend' }] });
    await p.run({ kind: 'subscribe', groups: ['keep', 'drop'] });
    await p.run({ kind: 'disconnect', groups: ['keep', 'drop'], mode: 'abrupt' });
    await send('keep', 2);
    await send('drop', 2);
    await p.run({ kind: 'connect', groups: [{ name: 'keep' }, { name: 'drop' }] });
    await waitForStatus(p, (s) => total(s, 'received') >= 20 && total(s, 'subscribedNow') === 20, 10_000, "keep's backlog");
    // After the resubscribe, `drop` receives again: the loss was only what was sent while its session was gone.
    await send('drop', 1);
    await waitForStatus(p, (s) => total(s, 'received') >= 30, 10_000, 'a message per drop device');

    const ledgers = await p.finish();
    assert.deepEqual(events.filter((e) => e.kind === 'error'), []);
    for (const c of clientsOf(ledgers, 'keep')) {
      assert.deepEqual(c.attempts.map((a) => a.sessionPresent), [false, true], c.ref);
      assert.equal(c.attempts[1]!.subscribedAt, undefined, `${c.ref}: the session kept the subscription`);
    }
    for (const c of clientsOf(ledgers, 'drop')) {
      assert.deepEqual(c.attempts.map((a) => a.sessionPresent), [false, false], c.ref);
      assert.ok(c.attempts[1]!.subscribedAt !== undefined, `${c.ref}: resubscribed by us`);
    }
    assert.deepEqual(receivedBy(ledgers, 'keep').map((r) => r.seqs), Array(10).fill([0, 1]));
    // seqs 0 and 1 went to a session that no longer existed: only seq 2 arrives.
    assert.deepEqual(receivedBy(ledgers, 'drop').map((r) => r.seqs), Array(10).fill([2]));
    assert.equal(mergeEncoded(ledgers.map((l) => l.histograms.redelivery)).totalCount, 20);
    assert.equal(mergeEncoded(ledgers.map((l) => l.histograms.e2e)).totalCount, 10);
  });
});
