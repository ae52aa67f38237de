/**
 * The session model across a takeover: the first connection is still open for the broker
 * when the second CONNECT comes, so the takeover is no time away that ends the session. A
 * session that outlives its connection is carried over and what was sent while the old path
 * was silent stays owed; one that does not (a clean start, MQTT 5 expiry 0) leaves those
 * messages unjudged (delivered on the old connection, or gone with the session).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { faultWindows } from '../../../src/checks/faults.js';
import { fateAt, modelSession, type SessionModel } from '../../../src/checks/session-model.js';
import type { ConnectAttempt } from '../../../src/metrics/ledger.js';
import type { GroupPlan } from '../../../src/scenario/plan.js';
import { faultEvents, groupPlan, T } from './records.js';

const SECOND = 5000;

function devices(over: Partial<GroupPlan> = {}): GroupPlan {
  return groupPlan({ name: 'devices', role: 'subscriber', ...over });
}

/** Subscribed at T.subscribed; the path silent from T.cut; the second CONNECT at 5000, CONNACK at 5020; the first closed at `firstClosedAt`. */
function takeover(present: boolean, firstClosedAt = 5040): ConnectAttempt[] {
  const second: ConnectAttempt = { startedAt: SECOND, connackAt: SECOND + 20, sessionPresent: present, takeover: true };
  if (!present) second.subscribedAt = SECOND + 30;
  return [{ startedAt: 10, connackAt: T.connack, subscribedAt: T.subscribed, closedAt: firstClosedAt, closedBy: 'lost' }, second];
}

function model(attempts: ConnectAttempt[], group: GroupPlan): SessionModel {
  const faults = faultWindows(faultEvents({ kind: 'takeover', closeWithinMs: 5000 }, T.cut, SECOND + 100)).get('devices') ?? [];
  return modelSession(attempts, group, faults, { marginMs: 250 });
}

const TIMES = [500, 900, 1100, 3000, SECOND - 10, SECOND + 10, SECOND + 400, 8000];

describe('session model: takeover', () => {
  it('a persistent session is carried over: everything owed, one gap from the silence to the second CONNACK, Session Present 1 by the spec', () => {
    const m = model(takeover(true), devices());
    assert.deepEqual(TIMES.map((t) => fateAt(m, t)), Array(TIMES.length).fill('expected'));
    assert.deepEqual(
      m.gaps.map((g) => ({ from: g.from, to: g.to, by: g.detectedBy, spec: g.specPresent, seen: g.observedPresent })),
      [{ from: T.cut, to: SECOND + 20, by: 'takeover', spec: true, seen: true }],
      'the first connection closing after the second CONNACK opens no gap of its own',
    );
  });

  it('the same when the broker closed the first before the second CONNACK arrived', () => {
    const m = model(takeover(true, SECOND + 5), devices());
    assert.equal(m.gaps.length, 1);
    assert.equal(m.gaps[0]!.detectedBy, 'takeover');
  });

  it('Session Present 0 where the spec carries the session over: still owed, and the gap says so', () => {
    const m = model(takeover(false), devices());
    assert.deepEqual(TIMES.map((t) => fateAt(m, t)), Array(TIMES.length).fill('expected'));
    assert.deepEqual([m.gaps[0]!.specPresent, m.gaps[0]!.observedPresent], [true, false]);
  });

  it('MQTT 5 expiry 0: sent while the path was silent is not judged, nor Session Present; owed again after the resubscribe', () => {
    const m = model(takeover(false), devices({ sessionExpiry: 0 }));
    assert.deepEqual(TIMES.map((t) => fateAt(m, t)), ['expected', 'expected', 'indeterminate', 'indeterminate', 'indeterminate', 'indeterminate', 'expected', 'expected']);
    assert.equal(m.gaps[0]!.specPresent, undefined);
  });

  it('a clean start discards the session at the takeover: the silence unjudged (not unexpected), nothing owed until the resubscribe', () => {
    const m = model(takeover(false), devices({ clean: true, sessionExpiry: 0 }));
    assert.deepEqual(TIMES.map((t) => fateAt(m, t)), ['expected', 'expected', 'indeterminate', 'indeterminate', 'indeterminate', 'indeterminate', 'expected', 'expected']);
    assert.equal(m.gaps[0]!.specPresent, false);
    assert.equal(fateAt(m, SECOND + 22), 'indeterminate', 'between the CONNACK and the SUBACK');
  });

  it('no takeover when the first connection had already closed (its keep-alive): an ordinary silent gap', () => {
    const m = model(takeover(true, 4000), devices());
    assert.equal(m.gaps.length, 1);
    assert.equal(m.gaps[0]!.detectedBy, 'keep-alive');
  });
});
