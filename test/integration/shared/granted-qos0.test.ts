/**
 * A broker that grants QoS 0 to every member of a shared subscription (the MITM rewrites
 * each SUBSCRIBE to QoS 0 in front of a real Mosquitto, so the broker really grants 0):
 * nothing is owed to the group, so `shared.lost == 0` and the built-in shared checks would
 * hold on nothing. Once a PASS, exit 0, explained as "no member's session held the
 * subscription" (it did, at QoS 0): now INCOMPLETE, exit 1, naming the grant.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { invocationDir, outDir, readResult, runCli, survivors, waitExit } from '../../helpers/cli-process.js';
import { grantQos0 } from '../../helpers/mitm/refusals.js';
import { useTeardown } from '../../helpers/teardown.js';
import { lyingBroker, needsMosquitto } from '../refusals/support.js';
import { PER_PHASE, publishPhase, sharedScenario } from './support.js';

describe('a broker that grants QoS 0 to the members of a shared subscription', { skip: needsMosquitto }, () => {
  it('MQTT 5: nothing owed to the group: INCOMPLETE (shared subscription never tested, the grant named), exit 1', async (t) => {
    const td = useTeardown(t);
    const mitm = await lyingBroker(td, [grantQos0(/^(workers|flaky)-/)]);
    const out = await outDir(td, 'mqtt-chaos-shared-qos0-');
    const file = join(out, 'scenario.yaml');
    await writeFile(file, sharedScenario({ broker: `{ url: "${mitm.url}" }`, protocols: ['5'], middle: [publishPhase], drain: '3s' }));
    const cli = runCli(td, ['run', file, '--out', join(out, 'reports')]);
    const exit = await waitExit(cli, 60_000);
    assert.deepEqual(survivors(cli), []);
    const run = readResult(invocationDir(join(out, 'reports'), 'shared-test')).runs[0]!;
    const why = `exit ${exit.code}\n${cli.stdout()}\n${cli.stderr()}\n${JSON.stringify(run.shortfalls)}\n${JSON.stringify(run.shared)}`;
    assert.equal(mitm.eventsOf('grant-qos0').length, 3, 'each member subscribed once');
    const shared = run.shared?.[0];
    assert.ok(shared, why);
    assert.equal(shared.expected, 0, why);
    assert.ok(shared.sent >= PER_PHASE, why);
    const grant = 'the broker granted QoS 0 to the subscriptions of 2 of 2 workers, 1 of 1 flaky, so nothing was held or in flight for them';
    assert.deepEqual(
      (run.shortfalls ?? []).map((s) => ({ kind: s.kind, text: s.text })),
      [{ kind: 'untested', text: `shared subscription $share/jobs/jobs/5 was never tested: ${shared.sent} messages sent to it, none owed to the group: ${grant}` }],
      why,
    );
    assert.ok(run.explanations.includes(`$share/jobs/jobs/5 (3 members of workers, flaky): ${shared.sent} messages sent, none owed (QoS 0 messages never are): ${grant}.`), why);
    assert.equal(run.verdict, 'incomplete', why);
    assert.equal(exit.code, 1, why);
  });
});
