/**
 * A Session Expiry Interval changed at DISCONNECT (MQTT 5 §3.14.2.2.2): from 2 s to 4 s the
 * session lives 4 s; from 0 to 4 s is a protocol error the broker must reject — Mosquitto
 * answers DISCONNECT 0x82 and ends the session at the close.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTeardown } from '../../helpers/teardown.js';
import { needsMosquitto, planFrom, runPlan, tempDir } from '../run/support.js';
import { closeOf, describeExpiry } from './support.js';

const SESSIONS = 10;

const SCENARIO = `
name: expiry-disconnect
broker: managed-mosquitto
faults: embedded
matrix:
  - protocol: "5"
    id: longer
    label: expiry 2 s, 4 s at DISCONNECT
  - protocol: "5"
    id: from-zero
    label: expiry 0, 4 s at DISCONNECT
    override: { groups: { devices: { session: { expiry: 0 } } } }
groups:
  devices:
    count: ${SESSIONS}
    role: subscriber
    session: { clean: false, expiry: 2 }
    topic: "disc/{run}/{i}"
phases:
  - measure-expiry:
      groups: [devices]
      disconnectExpiry: 4
      probes: { share: 40% }
      spread: 500ms
`;

describe('session expiry changed at DISCONNECT, against Mosquitto', { skip: needsMosquitto }, () => {
  it('2 s -> 4 s: the session lives the new interval; 0 -> 4 s: rejected with 0x82, the session ends at the close', async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'expiry-disc');
    const ran = await runPlan(td, await planFrom(dir, SCENARIO), dir);

    const longer = ran.run('longer');
    let why = describeExpiry(longer, ran.log);
    let c = closeOf(longer, 'devices', 'graceful');
    assert.equal(c.expectedMs, 4000, why);
    assert.equal(longer.expiry!.early, 0, `no session ends at the CONNECT's 2 s\n${why}`);
    assert.equal(longer.expiry!.never, 0, why);
    assert.ok(c.error!.max <= 1100 + (longer.expiry!.resolution.harnessMs ?? 0) + 20, why);
    assert.equal(longer.expiry!.groups[0]!.disconnectChange, undefined, why);
    assert.equal(longer.verdict, 'pass', why);

    const fromZero = ran.run('from-zero');
    why = describeExpiry(fromZero, ran.log);
    c = closeOf(fromZero, 'devices', 'graceful');
    assert.equal(c.expectedMs, 0, 'a rejected change leaves expiry 0: the session ends at the close');
    const change = fromZero.expiry!.groups[0]!.disconnectChange!;
    assert.deepEqual([change.toSec, change.sessions, change.endedAtClose, change.aliveAfter], [4, SESSIONS, SESSIONS, 0], why);
    // A client may close its socket before the broker's DISCONNECT 0x82 reaches it.
    assert.ok(change.protocolErrorSeen > 0, why);
    assert.equal(fromZero.expiry!.groups[0]!.willDelaySec, 0, why);
    assert.equal(fromZero.expiry!.early, 0, why);
    assert.equal(fromZero.expiry!.never, 0, why);
    // Will Delay 0: the will comes as the broker closes the connection.
    assert.ok(c.error!.max < 500, why);
    assert.ok(fromZero.explanations.some((l) => l.includes('protocol error') && l.includes('0x82')), why);
    assert.equal(fromZero.verdict, 'pass', why);
  });
});
