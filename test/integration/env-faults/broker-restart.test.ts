/**
 * The broker-restart fault against a real Mosquitto: devices with persistent sessions go
 * offline, 5 QoS 1 commands each are queued, the broker is killed (SIGKILL) and started
 * again on the same port, the devices come back. What survives must be what Mosquitto's
 * persistence promises:
 *
 * - persistence true, autosave_interval 1, 2 s before the kill (scenarios/broker-restart.yaml):
 *   the database was saved, so the sessions and every queued command survive;
 * - persistence false: nothing is saved, so every session is gone and its commands with it,
 *   and the checks put every loss down to the restart, not to an unknown cause;
 * - online clients, persistence false: they reconnect by themselves to a fresh broker
 *   (Session Present 0, explained as the restart's) and get what is sent afterwards.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { RunResult } from '../../../src/result/result.js';
import { useTeardown } from '../../helpers/teardown.js';
import { describeRun, needsMosquitto, planFrom, runPlan, tempDir } from '../run/support.js';

const SCENARIO = fileURLToPath(new URL('../../../../scenarios/broker-restart.yaml', import.meta.url));
const QUEUED = 20 * 5;

/** The kill and the restart on the timeline; the memory sampler followed the new process. */
function restartOnTimeline(run: RunResult): void {
  const kinds = run.timeline.filter((e) => (e.kind === 'fault-start' && e.fault.kind === 'broker-restart') || (e.kind === 'fault-stop' && e.label.startsWith('broker-restart')));
  assert.deepEqual(kinds.map((e) => e.kind), ['fault-start', 'fault-stop'], `the kill and the restart are on the timeline: ${JSON.stringify(run.timeline)}`);
  const end = run.memory?.points.find((p) => p.label === 'end');
  assert.ok(end && typeof end.values.rss === 'number' && end.values.rss > 0, `RSS read from the restarted process at the end: ${JSON.stringify(run.memory?.points)}`);
}

describe('broker-restart: what survives a kill -9 of the managed Mosquitto', { skip: needsMosquitto }, () => {
  it(`persistence on, saved before the kill: sessions and all ${QUEUED} queued commands survive, under 3.1.1 and 5`, async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'broker-restart-on');
    const ran = await runPlan(td, await planFrom(dir, await readFile(SCENARIO, 'utf8')), dir);
    for (const id of ['3.1.1', '5']) {
      const run = ran.run(id);
      const why = describeRun(run, ran.log);
      assert.equal(run.incomplete, undefined, why);
      assert.equal(run.redelivery.expected, QUEUED, why);
      assert.equal(run.redelivery.delivered, QUEUED, `every queued command came back after the restart\n${why}`);
      assert.equal(run.redelivery.lost, 0, why);
      assert.ok(!run.explanations.some((e) => /Session Present 0/.test(e)), `every session came back (Session Present 1)\n${why}`);
      assert.equal(run.verdict, 'pass', why);
      restartOnTimeline(run);
    }
  });

  it(`persistence off: every session and all ${QUEUED} commands are gone, each loss put down to the restart`, async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'broker-restart-off');
    const yaml = (await readFile(SCENARIO, 'utf8')).replace('persistence: true', 'persistence: false').replace(/^\s+autosave_interval: 1\n/m, '');
    assert.match(yaml, /persistence: false/);
    const ran = await runPlan(td, await planFrom(dir, yaml, { protocol: '5' }), dir);
    const run = ran.run('5');
    const why = describeRun(run, ran.log);
    assert.equal(run.incomplete, undefined, why);
    assert.equal(run.redelivery.expected, QUEUED, why);
    assert.equal(run.redelivery.delivered, 0, `nothing survived\n${why}`);
    assert.equal(run.redelivery.lost, QUEUED, why);
    assert.equal(run.redelivery.lostBy['broker-restart'], QUEUED, `every loss is the restart's\n${why}`);
    assert.equal(run.redelivery.lostBy.unknown, 0, why);
    assert.ok(run.explanations.some((e) => /20 reconnects of devices after the broker was killed and restarted got Session Present 0: the session was not persisted/.test(e)), why);
    assert.ok(!run.explanations.some((e) => /ended it early/.test(e)), `the restart, not the broker's session handling, is blamed\n${why}`);
    const failed = run.checks.filter((c) => !c.passed);
    assert.ok(failed.some((c) => /not persisted before the crash \(persistence is off/.test(c.explanation)), `the failed check says why\n${why}`);
    assert.equal(run.verdict, 'fail');
    restartOnTimeline(run);
  });

  it('online clients ride through a restart by themselves: persistence off, each comes back to Session Present 0, said so, and gets what is sent next', async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'broker-restart-online');
    const yaml = (await readFile(SCENARIO, 'utf8'))
      .replace('persistence: true', 'persistence: false')
      .replace(
        /  - disconnect: \{ groups: \[devices\], mode: graceful \}\n  - publish: (.*)\n  - wait: 2s\n  - fault: (.*)\n  - connect: \{ groups: \[devices\] \}\n/,
        '  - fault: $2\n  - wait: 3s\n  - publish: $1\n',
      );
    assert.match(yaml, /fault: \{ kind: broker-restart, down: 1s \}\n  - wait: 3s\n  - publish:/, yaml);
    const ran = await runPlan(td, await planFrom(dir, yaml, { protocol: '5' }), dir);
    const run = ran.run('5');
    const why = describeRun(run, ran.log);
    assert.equal(run.incomplete, undefined, why);
    assert.equal(run.reconnect.notReconnected, 0, `every client came back without a connect phase\n${why}`);
    assert.equal(run.redelivery.delivered, QUEUED, `sent after the restart, to resubscribed clients\n${why}`);
    assert.ok(run.explanations.some((e) => /^20 reconnects of devices after the broker was killed and restarted got Session Present 0/.test(e)), why);
    assert.equal(run.verdict, 'pass', why);
    restartOnTimeline(run);
  });
});
