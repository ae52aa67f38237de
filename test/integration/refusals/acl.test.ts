/**
 * Mosquitto with an ACL file that denies one device's topic (refuse/+/3). Observed
 * (Mosquitto 2.0.11): the SUBSCRIBE to the denied topic is granted all the same (read
 * access is checked per message); a publish to it is acknowledged and dropped under 3.1.1
 * (PUBACK, nothing delivered) and answered PUBACK 0x87 Not authorized under 5. So 3.1.1
 * can only see a loss: FAIL, cause unknown, and the explanation says 3.1.1 has no negative
 * acknowledgement; 5 sees the refusal: INCOMPLETE, the 5 messages neither sent nor lost.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { useTeardown } from '../../helpers/teardown.js';
import { tempDir } from '../run/support.js';
import { DEVICES, facts, failedChecks, needsMosquitto, runScenarioCli, saidCount, why } from './support.js';

const PER_TARGET = 5;
const ALL = DEVICES * PER_TARGET;
const NOT_OFFLINE = 'Nothing was sent to devices while they were offline, so their session settings were not put to the test.';

/** An ACL file: everything allowed (the harness reads $SYS for memory), device 3's topic denied. */
async function aclFile(dir: string): Promise<string> {
  const file = join(dir, 'acl');
  await writeFile(file, ['topic readwrite #', 'topic read $SYS/#', 'topic deny refuse/+/3', ''].join('\n'));
  return file;
}

describe('Mosquitto ACL denying one device\'s topic', { skip: needsMosquitto }, () => {
  it(`MQTT 3.1.1: the ${PER_TARGET} denied publishes are acknowledged and dropped: lost, cause unknown, FAIL, exit 1, and 3.1.1's blind spot explained`, async (t) => {
    const td = useTeardown(t);
    const acl = await aclFile(await tempDir(td, 'acl'));
    const ran = await runScenarioCli(td, { name: 'acl', broker: `{ mosquitto: { acl_file: "${acl}" } }`, protocols: ['3.1.1'], qos: 1, perTarget: PER_TARGET });
    const run = ran.run('3.1.1');
    assert.equal(ran.code, 1, why(ran));
    assert.deepEqual(
      facts(run),
      {
        verdict: 'fail',
        counts: { expected: ALL, delivered: ALL - PER_TARGET, lost: PER_TARGET, refused: 0, unacknowledged: 0, duplicates: 0, unexpected: 0 },
        shortfalls: [],
        said: [],
      },
      why(ran),
    );
    assert.equal(run.redelivery.lostBy.unknown, PER_TARGET, why(ran));
    assert.deepEqual(failedChecks(run), [
      `no expected message lost: ${PER_TARGET} of ${ALL} expected messages lost on devices (1 of ${DEVICES} clients): cause unknown (no broker limit or session loss explains it)`,
    ]);
    assert.deepEqual(run.explanations, [
      NOT_OFFLINE,
      'MQTT 3.1.1 has no negative acknowledgement: a broker that acknowledges a publish and then drops it (an ACL denial, a topic it will not take) looks exactly like this loss to the client. Under MQTT 5 the broker answers PUBACK 0x87 Not authorized instead, and the harness counts the message refused.',
    ]);
    assert.match(ran.stdout, /^\| verdict +\| FAIL +\|$/m, ran.stdout);
  });

  it(`MQTT 5: the ${PER_TARGET} denied publishes answered PUBACK 0x87: refused, neither sent nor lost, INCOMPLETE, exit 1`, async (t) => {
    const td = useTeardown(t);
    const acl = await aclFile(await tempDir(td, 'acl'));
    const ran = await runScenarioCli(td, { name: 'acl', broker: `{ mosquitto: { acl_file: "${acl}" } }`, protocols: ['5'], qos: 1, perTarget: PER_TARGET });
    const run = ran.run('5');
    assert.equal(ran.code, 1, why(ran));
    assert.deepEqual(
      facts(run),
      {
        verdict: 'incomplete',
        counts: { expected: ALL - PER_TARGET, delivered: ALL - PER_TARGET, lost: 0, refused: PER_TARGET, unacknowledged: 0, duplicates: 0, unexpected: 0 },
        shortfalls: [
          `phase 4 (publish backend → devices, ${PER_TARGET} each at QoS 1): ${ALL - PER_TARGET} of ${ALL} published and acknowledged; ${PER_TARGET} refused; the broker: PUBACK 0x87 Not authorized (N×, e.g. backend-5-K: PUBACK 0x87 for PUBLISH refuse/5/K (QoS 1))`,
        ],
        said: ['backend refused PUBACK 0x87 Not authorized N× (1/2)'],
      },
      why(ran),
    );
    assert.equal(saidCount(run, 'backend', 'PUBACK 0x87 Not authorized'), PER_TARGET);
    assert.equal((run.brokerSaid ?? [])[0]?.examples[0], 'backend-5-1: PUBACK 0x87 for PUBLISH refuse/5/3 (QoS 1)', 'device 3 is served by publisher 1');
    assert.deepEqual(failedChecks(run), []);
    assert.deepEqual(run.explanations, [NOT_OFFLINE, `${PER_TARGET} messages were refused by the broker (see what it said): neither sent nor lost, and the run is incomplete for them.`]);
    assert.match(ran.stdout, /^\| verdict +\| INCOMPLETE +\|$/m, ran.stdout);
  });
});
