/**
 * MQTT 5, a CONNACK that shortens the Session Expiry Interval, forged by the lying MITM:
 * the devices ask 3600 s, every CONNACK says 2 s, and the MITM holds the broker to it (2 s
 * after a device's connection closes, if it has not come back, the MITM ends its session on
 * the broker). The devices are cut off for 3.5 s before they are sent 5 messages each, so
 * they come back to no session.
 *
 * Judged by the 3600 s asked, all 30 messages would be owed and lost (FAIL); judged by the
 * 2 s granted — as MQTT 5 §3.2.2.3.2 holds the broker to — nothing was owed: PASS, exit 0,
 * expected 0, and the summary and explanations say the broker cut 3600 s to 2 s and that
 * the sessions were judged by 2 s.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shortenSessionExpiry } from '../../helpers/mitm/refusals.js';
import { useTeardown } from '../../helpers/teardown.js';
import { DEVICES, facts, failedChecks, lyingBroker, needsMosquitto, runScenarioCli, saidCount, why } from './support.js';

const PER_TARGET = 5;

describe('lying broker: CONNACK shortens the Session Expiry Interval (MQTT 5)', { skip: needsMosquitto }, () => {
  it(`3600 s asked, 2 s granted and enforced, devices away 3.5 s: judged by 2 s, nothing owed, PASS, exit 0`, async (t) => {
    const td = useTeardown(t);
    const mitm = await lyingBroker(td, [shortenSessionExpiry(/^devices-/, 2)]);
    const ran = await runScenarioCli(td, { name: 'expiry', broker: `{ url: "${mitm.url}" }`, protocols: ['5'], qos: 1, perTarget: PER_TARGET, cut: { away: '3500ms' } });
    const events = mitm.eventsOf('shorten-expiry');
    const forged = events.filter((e) => e.detail === '3600 → 2');
    // Once 2 s into the cut (noSession below says it was then), and again 2 s after the run's
    // last DISCONNECT when the test outlives it, as a loaded machine's may.
    assert.deepEqual(
      [...new Set(events.filter((e) => e.detail === 'session ended').map((e) => e.clientId))].sort(),
      Array.from({ length: DEVICES }, (_, i) => `devices-5-${i}`),
      'the MITM ended each device\'s session on the broker',
    );
    const run = ran.run('5');
    assert.equal(ran.code, 0, why(ran));
    assert.deepEqual(
      facts(run),
      {
        verdict: 'pass',
        counts: { expected: 0, delivered: 0, lost: 0, refused: 0, unacknowledged: 0, duplicates: 0, unexpected: 0 },
        shortfalls: [],
        said: [`devices changed Session Expiry Interval 2 s (asked 3600 s) N× (${DEVICES}/${DEVICES})`],
      },
      why(ran),
    );
    assert.equal(saidCount(run, 'devices', 'Session Expiry Interval 2 s (asked 3600 s)'), forged.length, 'every forged CONNACK counted');
    assert.equal(run.redelivery.offline, DEVICES * PER_TARGET);
    assert.equal(run.redelivery.noSession, DEVICES * PER_TARGET, 'sent to sessions that had expired by the granted 2 s');
    assert.deepEqual(failedChecks(run), []);
    assert.equal(run.explanations.length, 2, why(ran));
    // The session explanation speaks of the interval the run was judged by: 2 s, not 3600 s.
    assert.match(
      run.explanations[0]!,
      /^Session Expiry Interval 2 s\b.*: 6 of 6 returns of devices came after the session had expired \(away up to [\d.]+ s\), so 0 messages went with their session \(MQTT 5 §3\.1\.2\.11\.2\); 0 of the 30 messages sent while devices were offline were expected, and 0 arrived\.$/,
      why(ran),
    );
    assert.equal(
      run.explanations[1],
      `devices: the broker cut the requested Session Expiry Interval of 3600 s to 2 s (CONNACK, MQTT 5 §3.2.2.3.2) for ${DEVICES} of ${DEVICES} clients; their sessions were judged by 2 s.`,
    );
    assert.match(ran.stdout, /^\| verdict +\| PASS +\|$/m, ran.stdout);
    assert.match(ran.stdout, /^\| session +\| Clean Start=0, expiry 3600 s, QoS 1 \(granted expiry 2 s\) +\|$/m, ran.stdout);
  });
});
