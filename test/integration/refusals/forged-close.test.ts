/**
 * A broker that will not take a character in topic names (the second case),
 * forged by the lying MITM: it closes a client's connection on a PUBLISH to a topic
 * containing "~". The devices' topics are plain and get all their messages; the sensors'
 * topics hold a "~", and every publish to them ends with the publisher's connection closed,
 * again after each reconnect, until the phase gives up. All 12 are refused — neither sent
 * nor lost — and the run is INCOMPLETE, exit 1.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeOnPublish } from '../../helpers/mitm/refusals.js';
import { useTeardown } from '../../helpers/teardown.js';
import { DEVICES, facts, failedChecks, lyingBroker, needsMosquitto, runScenarioCli, why, token } from './support.js';

const PER_TARGET = 3;
const SENSORS = 4;

describe('lying broker: connection closed on a PUBLISH to a topic with "~"', { skip: needsMosquitto }, () => {
  for (const protocol of ['3.1.1', '5'] as const) {
    it(`MQTT ${protocol}: the ${SENSORS * PER_TARGET} publishes to sensors refused by a closed connection, the devices' delivered: INCOMPLETE, exit 1`, async (t) => {
      const td = useTeardown(t);
      const mitm = await lyingBroker(td, [closeOnPublish('~')]);
      const ran = await runScenarioCli(td, {
        name: 'close',
        broker: `{ url: "${mitm.url}" }`,
        protocols: [protocol],
        qos: 1,
        perTarget: PER_TARGET,
        groups: ['sensors:', '  clientId: "{group}-{run}-{i}"', `  count: ${SENSORS}`, '  role: subscriber', '  session: { clean: false, expiry: 3600 }', '  qos: 1', '  topic: "odd~name/{run}/{i}"'],
        phases: [`publish: { from: backend, to: sensors, perTarget: ${PER_TARGET}, qos: 1 }`],
      });
      const closes = mitm.eventsOf('close-on-publish');
      assert.ok(closes.length >= 2, 'the MITM closed each publisher at least once');
      assert.ok(closes.every((e) => e.detail!.startsWith(`odd~name/${token(protocol)}/`)), 'only publishes to the sensors were closed');
      const run = ran.run(protocol);
      const refused = SENSORS * PER_TARGET;
      assert.equal(ran.code, 1, why(ran));
      assert.deepEqual(
        facts(run),
        {
          verdict: 'incomplete',
          counts: { expected: DEVICES * PER_TARGET, delivered: DEVICES * PER_TARGET, lost: 0, refused, unacknowledged: 0, duplicates: 0, unexpected: 0 },
          shortfalls: [
            `phase 5 (publish backend → sensors, ${PER_TARGET} each at QoS 1): 0 of ${refused} published and acknowledged; ${refused} refused; the broker: closed the connection after PUBLISH (QoS 1) (N×, e.g. backend-${token(protocol)}-K: PUBLISH odd~name/${token(protocol)}/K (QoS 1))`,
          ],
          said: ['backend refused closed the connection after PUBLISH (QoS 1) N× (2/2)'],
        },
        why(ran),
      );
      assert.equal(run.brokerSaid?.[0]?.count, closes.length, 'every close the MITM made is counted, none more');
      assert.deepEqual(failedChecks(run), []);
      assert.deepEqual(run.explanations, [
        'Nothing was sent to devices while they were offline, so their session settings were not put to the test.',
        'Nothing was sent to sensors while they were offline, so their session settings were not put to the test.',
        `${refused} messages were refused by the broker (see what it said): neither sent nor lost, and the run is incomplete for them.`,
      ]);
      assert.match(ran.stdout, /^\| verdict +\| INCOMPLETE +\|$/m, ran.stdout);
    });
  }
});
