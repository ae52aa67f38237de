/**
 * Probes that cannot read: a Mosquitto without $SYS heap topics (here: $SYS off,
 * sys_interval 0, as on a build without memory tracking no heap topic ever comes), a
 * Prometheus endpoint nobody answers, a process name that is not running. Each gets one
 * clear line in the run's log and in the result, never zeros; the probe that works and
 * everything else the run measures are reported as usual.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSummary } from '../../../src/report/summary-md.js';
import { useTeardown } from '../../helpers/teardown.js';
import { describeRun, needsMosquitto, planFrom, runPlan, tempDir } from '../run/support.js';
import { closedPort, figuresOf, memoryOf } from './support.js';

describe('unavailable memory probes', { skip: needsMosquitto }, () => {
  it('each says why in one line; the run still reports the working probe and all the rest', async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'mem-unavail');
    const port = await closedPort();
    const plan = await planFrom(
      dir,
      `name: mem-unavailable
broker: { mosquitto: { sys_interval: 0 } }
faults: embedded
protocols: ["3.1.1"]
memory:
  probes: [sys-heap, { prometheus: { url: "http://127.0.0.1:${port}/metrics", metric: broker_memory_bytes } }, { rss: { process: no-such-broker-xyz } }, rss]
  settle: 300ms
groups:
  devices: { count: 20, role: subscriber, topic: "u/{run}/{i}", session: { clean: false } }
  backend: { count: 1, role: publisher, via: direct }
phases:
  - connect: {}
  - subscribe: {}
  - measure: sessions
  - fault: { kind: cut, groups: [devices] }
  - publish: { from: backend, to: devices, perTarget: 3 }
  - heal: {}
  - drain: { timeout: 10s }
expect:
  - redelivery.lost == 0
  - memory.perSession < 1MB
`,
    );
    const { run, log, result } = await runPlan(td, plan, dir);
    const r = run('3.1.1');
    const memory = memoryOf(r);

    const lines = (probe: string) => log.filter((l) => l.includes(`memory probe ${probe} `));
    assert.deepEqual(lines('sys-heap'), [
      '  [3.1.1] memory probe sys-heap unavailable: no $SYS/broker/heap/current message (subscribed; waited 2 s): a Mosquitto built without memory tracking, $SYS off (sys_interval 0), or not Mosquitto',
    ]);
    assert.equal(lines('prometheus').length, 1, log.join('\n'));
    assert.match(lines('prometheus')[0]!, new RegExp(`^  \\[3\\.1\\.1\\] memory probe prometheus unavailable: http://127\\.0\\.0\\.1:${port}/metrics did not answer: fetch failed: .*ECONNREFUSED`));
    assert.deepEqual(lines('rss'), ['  [3.1.1] memory probe rss unavailable: no process named "no-such-broker-xyz" is running']);
    assert.ok(log.some((l) => /memory: rss-2 \(VmRSS in \/proc\/\d+\/status: the managed Mosquitto\), every 500 ms/.test(l)), log.join('\n'));

    // In the result: unavailable with the reason, no samples, null figures (never zeros).
    for (const name of ['sys-heap', 'prometheus', 'rss']) {
      const status = memory.probes.find((p) => p.name === name)!;
      assert.equal(status.available, false, name);
      assert.equal(status.samples, 0, name);
      assert.ok(status.reason && !status.reason.includes('\n'), `${name}: ${status.reason}`);
      assert.equal(memory.samples.filter((s) => s[2] === name).length, 0, name);
      assert.ok(memory.points.every((p) => p.values[name] === null), name);
      assert.ok(Object.values(memory.figures[name]!).every((v) => v === null), name);
    }
    assert.equal(memory.metricsFrom, 'rss-2', 'the metrics read the probe that works');
    assert.equal(typeof figuresOf(r, 'rss-2').perSession, 'number', 'derived from the probe that works');
    assert.equal(r.checks.find((c) => c.name === 'memory.perSession < 1MB')?.passed, true);

    // Everything else is there as usual.
    assert.equal(r.redelivery.expected, 60, describeRun(r, log));
    assert.equal(r.redelivery.delivered, 60, describeRun(r, log));
    assert.equal(r.verdict, 'pass', describeRun(r, log));
    const summary = renderSummary(result);
    assert.match(summary, /^- heap unavailable: no \$SYS\/broker\/heap\/current message/m);
    assert.match(summary, /^- prometheus unavailable: http:\/\/127\.0\.0\.1:\d+\/metrics did not answer/m);
    assert.match(summary, /^\| RSS #2: per session +\| +-?[\d,]+ B +\|$/m, summary);
  });
});
