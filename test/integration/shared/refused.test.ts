/**
 * A broker without shared subscriptions (forged by the MITM in front of a real Mosquitto):
 * every member's SUBSCRIBE to $share/jobs/... fails (v5 SUBACK 0x9E, 3.1.1 0x80) and, under
 * v5, CONNACK says Shared Subscription Available 0. The run could not do what it asked:
 * INCOMPLETE with the broker's words, exit 1 — never a PASS — and nothing is owed to the group.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { invocationDir, outDir, readResult, runCli, survivors, waitExit } from '../../helpers/cli-process.js';
import { noSharedSubscriptions } from '../../helpers/mitm/shared.js';
import { useTeardown } from '../../helpers/teardown.js';
import { lyingBroker, needsMosquitto } from '../refusals/support.js';
import { PER_PHASE, publishPhase, sharedScenario } from './support.js';

/** Each sends PER_PHASE to the group's one topic: all are published and acknowledged, so the publish phase falls short of nothing. */
const PUBLISHERS = 2;

describe('a broker that refuses shared subscriptions', { skip: needsMosquitto }, () => {
  for (const protocol of ['3.1.1', '5'] as const) {
    it(`MQTT ${protocol}: SUBACK failure for $share/ to all 3 members: INCOMPLETE (subscribed 0 of 3, the broker's words), nothing owed to the group, exit 1`, async (t) => {
      const td = useTeardown(t);
      const mitm = await lyingBroker(td, [noSharedSubscriptions()]);
      const out = await outDir(td, 'mqtt-chaos-shared-refused-');
      const file = join(out, 'scenario.yaml');
      await writeFile(file, sharedScenario({ broker: `{ url: "${mitm.url}" }`, protocols: [protocol], middle: [publishPhase], drain: '3s', publishers: PUBLISHERS }));
      const cli = runCli(td, ['run', file, '--out', join(out, 'reports')]);
      const exit = await waitExit(cli, 60_000);
      assert.deepEqual(survivors(cli), []);
      const run = readResult(invocationDir(join(out, 'reports'), 'shared-test')).runs[0]!;
      const why = `exit ${exit.code}\n${cli.stdout()}\n${cli.stderr()}\n${JSON.stringify(run.shortfalls)}\n${JSON.stringify(run.brokerSaid)}`;
      assert.equal(exit.code, 1, why);
      assert.equal(run.verdict, 'incomplete', why);
      assert.equal(mitm.eventsOf('no-shared-subscriptions').length, 3, 'each member asked once');
      const code = protocol === '5' ? '0x9E Shared Subscriptions not supported' : '0x80 Failure';
      const texts = (run.shortfalls ?? []).map((s) => s.text);
      assert.match(texts[0] ?? '', new RegExp(`^phase 2 \\(subscribe[^)]*\\): subscribed 0 of 3; 3 refused; the broker: .*SUBACK ${code.replace(/[()]/g, '\\$&')}`), why);
      assert.equal(texts.length, protocol === '5' ? 3 : 1, `only the subscriptions fell short\n${why}`);
      if (protocol === '5') {
        assert.ok(
          texts.some((t) => /^group (workers|flaky) shares a subscription, and the broker said CONNACK Shared Subscription Available 0 to \d+ of \d+ clients/.test(t)),
          why,
        );
      }
      const shared = run.shared?.[0];
      assert.ok(shared, why);
      assert.deepEqual([shared.sent, shared.expected, shared.delivered, shared.lost], [PUBLISHERS * PER_PHASE, 0, 0, 0], why);
      assert.ok(run.explanations.includes(`$share/jobs/jobs/${protocol.replaceAll('.', '_')} (3 members of workers, flaky): ${PUBLISHERS * PER_PHASE} messages sent, none owed: no member's session held the subscription when they were sent.`), why);
      const refusals = (run.brokerSaid ?? []).filter((s) => s.kind === 'refused').map((s) => `${s.group} ${s.what} ${s.count}×`);
      const connack = protocol === '5' ? ['workers CONNACK Shared Subscription Available 0 (the group shares a subscription) 2×', 'flaky CONNACK Shared Subscription Available 0 (the group shares a subscription) 1×'] : [];
      assert.deepEqual(refusals.sort(), [`workers SUBACK ${code} 2×`, `flaky SUBACK ${code} 1×`, ...connack].sort(), why);
      assert.match(cli.stdout(), /^\| verdict +\| INCOMPLETE +\|$/m, cli.stdout());
    });
  }
});
