/**
 * A scenario that sends QoS 1 commands to persistent sessions while they are cut off, with a
 * v5 Receive Maximum and Message Expiry Interval, against a broker that grants QoS 0 to their
 * subscriptions (the lying MITM rewrites the SUBSCRIBE, so Mosquitto really holds nothing
 * for them): nothing is owed while they are away, no QoS 1 message is ever in flight and no
 * expiry is ever judged, so every check would hold on nothing. Both runs were a PASS, exit
 * 0; they are INCOMPLETE, exit 1, naming what went untested and the grant. The same scenario
 * against the honest broker is a PASS: the shortfalls come from the grant, not the scenario.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { invocationDir, outDir, readResult, runCli, survivors, waitExit } from '../../helpers/cli-process.js';
import { grantQos0 } from '../../helpers/mitm/refusals.js';
import { useTeardown } from '../../helpers/teardown.js';
import { DEVICES, failedChecks, lyingBroker, needsMosquitto, runScenarioCli, shortfallTexts, why, type Shape } from './support.js';

const PER_TARGET = 5;
const RECEIVE_MAXIMUM = 2;
const shape = (broker: string): Shape => ({
  name: 'untested',
  broker,
  protocols: ['3.1.1', '5'],
  session: `{ clean: false, expiry: 3600, receiveMaximum: ${RECEIVE_MAXIMUM} }`,
  qos: 1,
  perTarget: PER_TARGET,
  publishWith: 'messageExpiry: 60s',
  cut: { away: '300ms' },
});

describe('persistent sessions, Receive Maximum and Message Expiry asked, subscriptions granted QoS 0', { skip: needsMosquitto }, () => {
  it('nothing exercised: 3.1.1 and 5 INCOMPLETE with untested shortfalls naming the grant, exit 1; the honest broker: PASS', async (t) => {
    const td = useTeardown(t);
    const lying = await lyingBroker(td, [grantQos0(/^devices-/)]);
    const ran = await runScenarioCli(td, shape(`{ url: "${lying.url}" }`));
    assert.equal(lying.eventsOf('grant-qos0').length, 2 * DEVICES, "each device's one subscription was granted QoS 0, in each run");
    const run = ran.run('5');
    assert.equal(run.verdict, 'incomplete', why(ran));
    assert.equal(ran.code, 1, why(ran));
    assert.deepEqual(failedChecks(run), [], 'nothing the broker did broke the spec');
    assert.equal(run.redelivery.expected, 0, why(ran));
    assert.deepEqual(
      (run.shortfalls ?? []).map((s) => ({ kind: s.kind, done: s.done, of: s.of })),
      [
        { kind: 'untested', done: 0, of: DEVICES * PER_TARGET },
        { kind: 'untested', done: 0, of: 1 },
        { kind: 'untested', done: 0, of: DEVICES * PER_TARGET },
      ],
      why(ran),
    );
    const grant = `the broker granted QoS 0 to the subscriptions of ${DEVICES} of ${DEVICES} devices`;
    const offline = `delivery to the sessions of devices while they were away was never tested: ${DEVICES * PER_TARGET} messages sent to them meanwhile, none owed: ${grant}, asked at QoS 1, so nothing was held or in flight for them`;
    assert.deepEqual(shortfallTexts(run), [
      offline,
      `Receive Maximum ${RECEIVE_MAXIMUM} of devices was never tested: no QoS 1 or 2 message was in flight to it: ${grant}, asked at QoS 1, so nothing was held or in flight for them`,
      `Message Expiry was never tested: of ${DEVICES * PER_TARGET} messages sent with an interval, none was owed to a subscriber and judged: ${grant}, so nothing was held or in flight for them`,
    ]);
    assert.match(ran.stdout, /^\| verdict +\| INCOMPLETE +\| INCOMPLETE +\|$/m, ran.stdout);
    const v3 = ran.run('3.1.1');
    assert.equal(v3.verdict, 'incomplete', why(ran, v3));
    assert.deepEqual(failedChecks(v3), []);
    assert.deepEqual(shortfallTexts(v3), [offline], 'MQTT 3.1.1 has neither Receive Maximum nor Message Expiry: only the offline delivery went untested');

    const honest = await lyingBroker(td, []);
    const control = await runScenarioCli(td, shape(`{ url: "${honest.url}" }`));
    assert.equal(control.code, 0, why(control));
    for (const protocol of ['3.1.1', '5']) {
      const ok = control.run(protocol);
      assert.equal(ok.verdict, 'pass', why(control, ok));
      assert.deepEqual(ok.shortfalls, [], why(control, ok));
      assert.equal(ok.redelivery.delivered, DEVICES * PER_TARGET, why(control, ok));
    }
    assert.equal(control.run('5').messageExpiry?.deliveredInTime, DEVICES * PER_TARGET, why(control));
  });
  it('a ramp of such sessions: no step held, INCOMPLETE at the first step, exit 1 (it was "no knee in range: every step held")', async (t) => {
    const td = useTeardown(t);
    const lying = await lyingBroker(td, [grantQos0(/^devices-/)]);
    const out = await outDir(td, 'mqtt-chaos-untested-ramp-');
    const file = join(out, 'scenario.yaml');
    await writeFile(
      file,
      [
        'name: untested-ramp',
        `broker: { url: "${lying.url}" }`,
        'faults: embedded',
        'protocols: ["5"]',
        'ramp: { grow: sessions, group: devices, steps: [3, 6] }',
        'groups:',
        '  devices: { count: 3, role: subscriber, session: { clean: false, expiry: 3600 }, qos: 1, topic: "ramp/{run}/{i}", reconnect: { delay: 200ms, jitter: 100ms } }',
        '  backend: { count: 1, role: publisher, via: direct }',
        'phases:',
        '  - connect: {}',
        '  - subscribe: {}',
        '  - fault: { kind: cut, groups: [devices] }',
        `  - publish: { from: backend, to: devices, perTarget: ${PER_TARGET}, qos: 1 }`,
        '  - heal: {}',
        '  - drain: { timeout: 5s }',
        'expect:',
        '  - redelivery.lost == 0',
        '',
      ].join('\n'),
    );
    const cli = runCli(td, ['run', file, '--out', join(out, 'reports')]);
    const exit = await waitExit(cli, 90_000);
    assert.deepEqual(survivors(cli), []);
    const result = readResult(invocationDir(join(out, 'reports'), 'untested-ramp'));
    const why = `exit ${exit.code}\n${cli.stdout()}\n${cli.stderr()}`;
    assert.equal(exit.code, 1, why);
    assert.equal(result.ramp?.outcome, 'incomplete', why);
    assert.deepEqual(result.ramp?.steps.map((s) => s.status), ['incomplete', 'not-run'], why);
    assert.equal(result.ramp?.lastHeld, null, why);
    assert.match(result.ramp?.finding ?? '', /^step 3 sessions could not do what was asked, so it is no knee; no step held; .*delivery to the sessions of devices while they were away was never tested: 15 messages sent to them meanwhile, none owed: the broker granted QoS 0/, why);
  });
});
