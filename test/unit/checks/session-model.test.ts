import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyMessages } from '../../../src/checks/expected.js';
import { faultWindows } from '../../../src/checks/faults.js';
import { fateAt, modelSession, type Fate } from '../../../src/checks/session-model.js';
import type { ConnectAttempt } from '../../../src/metrics/ledger.js';
import type { FaultPlan, GroupPlan } from '../../../src/scenario/plan.js';
import { faultEvents, groupPlan, NEVER, sent, T } from './records.js';

const M = { marginMs: 250 };

function devices(over: Partial<GroupPlan> = {}): GroupPlan {
  return groupPlan({ name: 'devices', role: 'subscriber', ...over });
}

/** Connected and subscribed, lost at `closedAt`, back at `backAt` with `present`. */
function history(closedAt: number, backAt: number, present: boolean, closedBy: ConnectAttempt['closedBy'] = 'lost'): ConnectAttempt[] {
  const back: ConnectAttempt = { startedAt: backAt - 10, connackAt: backAt, sessionPresent: present };
  if (!present) back.subscribedAt = backAt + 10;
  return [{ startedAt: 10, connackAt: T.connack, subscribedAt: T.subscribed, closedAt, closedBy }, back];
}

function fates(attempts: ConnectAttempt[], group: GroupPlan, fault: FaultPlan | undefined, times: number[], heal = T.heal): Fate[] {
  const faults = fault ? (faultWindows(faultEvents(fault, T.cut, heal)).get('devices') ?? []) : [];
  const model = modelSession(attempts, group, faults, M);
  return times.map((t) => fateAt(model, t));
}

describe('session model: boundaries', () => {
  it('v5 expiry 0 through a cut: online before, indeterminate near the cut and the resubscribe, no session between', () => {
    const got = fates(history(T.cut, T.back, false), devices({ sessionExpiry: 0 }), { kind: 'cut' }, [
      500, 900, 1100, 3000, T.back, T.back + 400,
    ]);
    assert.deepEqual(got, ['expected', 'indeterminate', 'indeterminate', 'noSession', 'indeterminate', 'expected']);
  });

  it('the resubscribe boundary starts no earlier than the CONNECT that carried it', () => {
    // history(): the return's CONNECT goes at back - 10, its SUBACK comes at back + 10.
    const got = fates(history(T.cut, T.back, false), devices({ sessionExpiry: 0 }), { kind: 'cut' }, [
      T.back - 200,
      T.back - 5,
    ]);
    assert.deepEqual(got, ['noSession', 'indeterminate']);
  });

  it('a persistent session has no boundary at the cut: everything is expected', () => {
    const got = fates(history(T.cut, T.back, true), devices(), { kind: 'cut' }, [900, 1000, 1100, 3000, T.back]);
    assert.deepEqual(got, ['expected', 'expected', 'expected', 'expected', 'expected']);
  });

  it('before the first subscription nothing is owed', () => {
    const attempts: ConnectAttempt[] = [{ startedAt: 10, connackAt: T.connack, subscribedAt: 600 }];
    assert.deepEqual(fates(attempts, devices(), undefined, [100, 500, 900]), ['noSession', 'indeterminate', 'expected']);
  });

  it('v5 expiry 2 s, back after 4 s: sent before the expiry went with the session, after it there was none', () => {
    const got = fates(history(T.cut, T.back, false, 'graceful'), devices({ sessionExpiry: 2 }), undefined, [1500, 2900, 3500]);
    assert.deepEqual(got, ['expiredWithSession', 'expiredWithSession', 'noSession']);
  });

  it('v5 expiry 4 s, back after 4.1 s: expiry (whole seconds, up to 1.1 s late) is too close to the reconnect to call', () => {
    const got = fates(history(T.cut, T.back, false, 'graceful'), devices({ sessionExpiry: 4 }), undefined, [1500, 4000]);
    assert.deepEqual(got, ['indeterminate', 'indeterminate']);
  });

  it('v5 Clean Start=1 with a long expiry: the session lived until the reconnect discarded it', () => {
    const got = fates(history(T.cut, T.back, false), devices({ clean: true, sessionExpiry: 3600 }), { kind: 'cut' }, [3000]);
    assert.deepEqual(got, ['discarded']);
  });

  it('a client that never comes back: its messages are not judged', () => {
    const attempts: ConnectAttempt[] = [{ startedAt: 10, connackAt: T.connack, subscribedAt: T.subscribed, closedAt: T.cut, closedBy: 'lost' }];
    assert.deepEqual(fates(attempts, devices(), { kind: 'cut' }, [3000, 8000]), ['notReturned', 'notReturned']);
  });
});

describe('session model: silent partitions', () => {
  // keep-alive 10 s: the broker learns of the loss between closedAt - 15 s and closedAt + 15 s + 6 s.
  const partition: FaultPlan = { kind: 'partition' };

  it('expiry 0, a long partition: the session went with the broker noticing, then there was none', () => {
    const closedAt = 21_000;
    const attempts = history(closedAt, 60_000, false);
    const got = fates(attempts, devices({ sessionExpiry: 0 }), partition, [T.cut + 500, 5_000, 10_000, 45_000], 59_000);
    assert.deepEqual(got, ['expiredWithSession', 'expiredWithSession', 'noSession', 'noSession']);
  });

  it('expiry 0, healed before the broker could have noticed: whether the session survived is open, so not judged', () => {
    const got = fates(history(16_000, 20_000, true), devices({ sessionExpiry: 0 }), partition, [3_000, 15_000], 19_500);
    assert.deepEqual(got, ['indeterminate', 'indeterminate']);
  });

  it('the time away starts at the partition, not when the client noticed', () => {
    const model = modelSession(history(16_000, 30_000, true), devices(), faultWindows(faultEvents(partition, T.cut, 29_000)).get('devices')!, M);
    assert.equal(model.gaps[0]!.from, T.cut);
    assert.equal(model.gaps[0]!.detectedBy, 'keep-alive');
    assert.deepEqual(model.gaps[0]!.learned, { lo: T.cut, hi: 16_000 + 15_000 + 6_000 });
  });
});

describe('classifyMessages', () => {
  it('takes the lower of publish and subscription QoS, and ranks the offline backlog in send order over publishers', () => {
    const model = modelSession(history(T.cut, T.back, true), devices({ qos: 1 }), [], M);
    const { messages, backlog } = classifyMessages(
      model,
      [sent('backend/0', 'devices/0', [2000, 2002], 2), sent('backend/1', 'devices/0', [2001, 500], 0)],
      1,
    );
    assert.deepEqual(
      messages.map((m) => [m.publisher, m.seq, m.qos, m.fate, m.gap, m.queueRank]),
      [
        ['backend/1', 1, 0, 'qos0', -1, -1],
        ['backend/0', 0, 1, 'expected', 0, 0],
        ['backend/1', 0, 0, 'qos0', 0, -1],
        ['backend/0', 1, 1, 'expected', 0, 1],
      ],
    );
    assert.deepEqual(backlog, [2]);
  });

  it('3.1.1 CleanSession=0 is a session that never ends', () => {
    const model = modelSession(history(T.cut, 3_600_000, true), devices({ sessionExpiry: NEVER }), [], M);
    assert.equal(model.gaps[0]!.specPresent, true);
  });
});
