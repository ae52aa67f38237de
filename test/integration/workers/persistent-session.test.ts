import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrokerSpec } from '../../../src/brokers/types.js';
import { mergeEncoded } from '../../../src/metrics/histograms.js';
import type { PublishPhase } from '../../../src/scenario/plan.js';
import { useTeardown } from '../../helpers/teardown.js';
import { broker, clientsOf, pool, publishers, receivedBy, shardInits, subscribers, total, uniquePrefix, waitForStatus } from './support.js';
import { requireMosquitto } from '../../helpers/requires.js';

const mosquitto = requireMosquitto();
// Aedes keeps 3.1.1 sessions too: without Mosquitto the 3.1.1 story still runs.
const spec: BrokerSpec = mosquitto ? { kind: 'managed-mosquitto', options: {} } : { kind: 'embedded-aedes' };
const publish = (perTarget: number): { kind: 'publish'; phase: PublishPhase } => ({
  kind: 'publish',
  phase: { kind: 'publish', from: 'backend', to: 'devices', perTarget, qos: 1, payloadBytes: 64 },
});

describe(`worker pool, 3.1.1 persistent sessions (${spec.kind})`, () => {
  it('online messages land in e2e; the backlog after an abrupt disconnect lands in redelivery, with Session Present 1', async (t) => {
    const td = useTeardown(t);
    const target = await broker(td, spec);
    const prefix = uniquePrefix();
    const groups = [subscribers('devices', 20, prefix), publishers('backend', 2, prefix)];
    const { pool: p, events } = await pool(td, shardInits(groups, 2, target, '3.1.1'));
    assert.equal(p.shards, 2);

    const details = async (command: Parameters<typeof p.send>[1]): Promise<(string | undefined)[]> =>
      (await p.send('all', command)).map((d) => d.detail);
    assert.deepEqual(await details({ kind: 'connect', groups: [{ name: 'devices' }, { name: 'backend' }] }), [undefined, undefined]);
    assert.deepEqual(await details({ kind: 'subscribe', groups: ['devices'] }), [undefined, undefined]);
    assert.equal(total(await p.status(), 'subscribedNow'), 20);
    assert.deepEqual(await details(publish(5)), [undefined, undefined]);
    await waitForStatus(p, (s) => total(s, 'received') >= 100, 10_000, '100 first copies');

    await p.run({ kind: 'disconnect', groups: ['devices'], mode: 'abrupt' });
    const away = await p.status();
    assert.equal(total(away, 'connected'), 2, 'only the publishers');
    assert.equal(total(away, 'subscribedNow'), 0);
    assert.deepEqual(await details(publish(3)), [undefined, undefined], 'the broker acknowledged every message');
    await p.run({ kind: 'connect', groups: [{ name: 'devices' }] });
    const back = await waitForStatus(p, (s) => total(s, 'received') >= 160, 10_000, 'the 60 queued messages');
    assert.equal(total(back, 'sent'), 160);
    assert.equal(total(back, 'subscribedNow'), 20, 'subscribed through the kept session');

    const ledgers = await p.finish();
    assert.deepEqual(events.filter((e) => e.kind === 'error'), []);
    assert.deepEqual(ledgers.map((l) => l.shard), [0, 1]);
    assert.equal(ledgers.reduce((n, l) => n + l.malformed, 0), 0);

    const runs = receivedBy(ledgers, 'devices');
    assert.equal(runs.length, 20, 'each device hears from its one publisher (t % P)');
    assert.equal(runs.reduce((n, r) => n + r.seqs.length, 0), 160);
    for (const run of runs) {
      assert.deepEqual(run.seqs, [0, 1, 2, 3, 4, 5, 6, 7], `${run.publisher} → ${run.subscriber}, in order`);
      assert.equal(run.publisher, `backend/${Number(run.subscriber.split('/')[1]) % 2}`);
      assert.deepEqual(run.duplicates, {});
      assert.ok(run.qos.every((q) => q === 1));
    }
    const e2e = mergeEncoded(ledgers.map((l) => l.histograms.e2e));
    const redelivery = mergeEncoded(ledgers.map((l) => l.histograms.redelivery));
    assert.equal(e2e.totalCount, 100);
    assert.equal(redelivery.totalCount, 60);

    const devices = clientsOf(ledgers, 'devices');
    assert.equal(devices.length, 20);
    for (const device of devices) {
      const [first, second, ...more] = device.attempts;
      assert.equal(more.length, 0, device.ref);
      assert.ok(first && second);
      assert.equal(first.sessionPresent, false, `${device.ref}: new session`);
      assert.ok(first.subscribedAt !== undefined && first.connackAt !== undefined && first.subscribedAt > first.connackAt);
      assert.equal(first.closedBy, 'abrupt');
      assert.equal(second.sessionPresent, true, `${device.ref}: session resumed`);
      assert.equal(second.subscribedAt, undefined, 'no resubscribe while the session holds it');
      assert.equal(second.closedAt, undefined, 'still open at the end');
      assert.equal(device.clientId, `${prefix}-devices-${device.ref.split('/')[1]}`);
    }

    const sent = ledgers.flatMap((l) => l.sent);
    assert.equal(sent.length, 40, '20 targets × 2 phases, one publisher each');
    for (const run of sent) {
      const target = Number(run.target.split('/')[1]);
      assert.equal(run.publisher, `backend/${target % 2}`);
      assert.deepEqual([run.firstSeq, run.sentAt.length], run.firstSeq === 0 ? [0, 5] : [5, 3]);
      assert.ok(run.ackedAt.every((a, i) => a !== null && a >= run.sentAt[i]!), 'every message acknowledged');
    }
  });

  it('reconnects by itself with jitter after the broker dies, and resubscribes when the session is gone', { skip: !mosquitto && 'needs Mosquitto (kill/restart)' }, async (t) => {
    const td = useTeardown(t);
    const target = await broker(td, { kind: 'managed-mosquitto', options: {} });
    const prefix = uniquePrefix();
    const groups = [subscribers('devices', 10, prefix), publishers('backend', 1, prefix)];
    const { pool: p, events } = await pool(td, shardInits(groups, 2, target, '3.1.1'));
    await p.run({ kind: 'connect', groups: [{ name: 'devices' }, { name: 'backend' }] });
    await p.run({ kind: 'subscribe', groups: ['devices'] });
    await target.kill?.();
    await waitForStatus(p, (s) => total(s, 'connected') === 0, 5_000, 'every client to see the loss');
    await target.restart?.();
    // Persistence is off: the restarted broker has no sessions; each device must subscribe again.
    await waitForStatus(p, (s) => total(s, 'subscribedNow') === 10 && total(s, 'connected') === 11, 10_000, 'reconnected and resubscribed');
    await p.run(publish(1));
    await waitForStatus(p, (s) => total(s, 'received') >= 10, 10_000, 'one message per device');

    const ledgers = await p.finish();
    assert.deepEqual(events.filter((e) => e.kind === 'error'), []);
    for (const device of clientsOf(ledgers, 'devices')) {
      const first = device.attempts[0]!;
      const last = device.attempts.at(-1)!;
      assert.equal(first.closedBy, 'lost', device.ref);
      assert.equal(last.sessionPresent, false, `${device.ref}: the restart lost the session`);
      assert.ok(last.subscribedAt !== undefined, `${device.ref}: resubscribed after Session Present 0`);
      for (const failed of device.attempts.slice(1, -1)) {
        assert.equal(failed.connackAt, undefined);
        assert.match(failed.error ?? '', /ECONNREFUSED|ECONNRESET|closed/, `${device.ref}: ${failed.error}`);
      }
    }
    // Jitter: the devices did not come back in lockstep.
    const comebacks = clientsOf(ledgers, 'devices').map((d) => d.attempts[1]!.startedAt - d.attempts[0]!.closedAt!);
    // 200 ± 100 ms: never early; late only by timer lateness, bounded generously (10×) for a loaded machine.
    assert.ok(comebacks.every((ms) => ms >= 90 && ms <= 10 * 300), `200 ± 100 ms, plus timer lateness: ${JSON.stringify(comebacks)}`);
    assert.ok(Math.max(...comebacks) - Math.min(...comebacks) > 20, `spread: ${JSON.stringify(comebacks)}`);
    assert.equal(mergeEncoded(ledgers.map((l) => l.histograms.e2e)).totalCount, 10);
  });

  it('a graceful disconnect is recorded as such and keeps a clean=false session', async (t) => {
    const td = useTeardown(t);
    const target = await broker(td, spec);
    const prefix = uniquePrefix();
    const { pool: p } = await pool(td, shardInits([subscribers('devices', 4, prefix)], 2, target, '3.1.1'));
    await p.run({ kind: 'connect', groups: [{ name: 'devices' }] });
    await p.run({ kind: 'subscribe', groups: ['devices'] });
    await p.run({ kind: 'disconnect', groups: ['devices'], mode: 'graceful' });
    assert.equal(total(await p.status(), 'connected'), 0);
    await p.run({ kind: 'connect', groups: [{ name: 'devices' }] });
    const ledgers = await p.finish();
    assert.equal(clientsOf(ledgers, 'devices').length, 4, 'every device is in the ledger');
    for (const c of clientsOf(ledgers, 'devices')) {
      assert.deepEqual(
        c.attempts.map((a) => [a.closedBy, a.sessionPresent]),
        [
          ['graceful', false],
          [undefined, true],
        ],
        c.ref,
      );
    }
  });
});
