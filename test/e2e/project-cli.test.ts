/**
 * `mqtt-chaos project` on real results (test/fixtures/project/README.md says how each was
 * made): the model's answers from the fixtures' own figures, and its refusals.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import type { Projection } from '../../src/report/project-model.js';
import type { Result } from '../../src/result/result.js';
import { cli, lines } from '../helpers/cli.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../test/fixtures/project/${name}`, import.meta.url));
const CAPACITY = fixture('capacity-500.json');
const STORM = fixture('reconnect-storm-500.json');
const INCOMPLETE = fixture('capacity-incomplete.json');
const read = (file: string): Result => JSON.parse(readFileSync(file, 'utf8')) as Result;
const rss = (file: string, figure: 'baseline' | 'perSession' | 'perQueuedMessage'): number[] =>
  read(file).runs.map((r) => r.memory?.figures.rss?.[figure]).filter((n): n is number => typeof n === 'number');

describe('mqtt-chaos project', () => {
  test('memory, drain and storm as ranges from the measured figures, by the model written out', async () => {
    const r = await cli(['project', CAPACITY, STORM, '--devices', '100000', '--queued', '50', '--outage', '30m', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as Projection;
    const baseline = [...rss(CAPACITY, 'baseline'), ...rss(STORM, 'baseline')];
    const perSession = rss(CAPACITY, 'perSession');
    const perQueued = rss(CAPACITY, 'perQueuedMessage');
    assert.equal(perSession.length, 2, 'both capacity runs measured a per-session cost');
    assert.equal(p.queuedPerDevice, 50);
    assert.equal(p.memoryBytes.low, Math.min(...baseline) + 100_000 * Math.min(...perSession) + 100_000 * 50 * Math.min(...perQueued));
    assert.equal(p.memoryBytes.high, Math.max(...baseline) + 100_000 * Math.max(...perSession) + 100_000 * 50 * Math.max(...perQueued));
    // The storm's runs: every device came back; its rates bound the storm and the drain.
    const storm = read(STORM).runs;
    const reconnectLow = Math.min(...storm.map((run) => run.reconnect.time!.count / (run.reconnect.time!.max / 1000)));
    assert.equal(p.stormSeconds.high, 100_000 / reconnectLow);
    const drainLow = Math.min(...storm.map((run) => run.redelivery.offlineDelivered / ((run.redelivery.drainTime! + run.reconnect.time!.max) / 1000)));
    assert.equal(p.drainSeconds.high, (100_000 * 50) / drainLow);
    for (const range of [p.memoryBytes, p.drainSeconds, p.stormSeconds]) assert.ok(range.low > 0 && range.low <= range.high, JSON.stringify(range));
    assert.equal(p.queueRate, (100_000 * 50) / 1800);
    assert.ok(p.assumptions.some((a) => a.startsWith('one broker node')));
  });

  test('the text names each answer, the figures with their runs, the model and the assumptions', async () => {
    const r = await cli(['project', CAPACITY, STORM, '--devices', '10000', '--queued', '20', '--outage', '1h']);
    assert.equal(r.code, 0, r.stderr);
    for (const heading of ['broker memory needed', 'backlog drain time', 'reconnect storm length', 'memory per session', 'Model (docs/capacity-projection.md):', 'Assumptions:']) {
      assert.ok(r.stdout.includes(heading), heading);
    }
    assert.match(r.stdout, /memory per session +[\d,]+ B to [\d,]+ B +2 runs: .*capacity-500\.json run 3\.1\.1-cleansession-0 \(rss\)/);
  });

  test('beyond the broker\'s queue limit the projection counts the limit, and says so', async () => {
    const r = await cli(['project', CAPACITY, STORM, '--devices', '1000', '--queued', '5000', '--outage', '2h', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as Projection;
    assert.equal(p.queuedPerDevice, 1000);
    assert.match(p.assumptions[0]!, /at most 1000 messages per session \(Mosquitto max_queued_messages\): 4000 of the 5000/);
  });

  test('refuses an INCOMPLETE run: one line naming the file and run, exit 2', async () => {
    const r = await cli(['project', INCOMPLETE, STORM, '--devices', '1000', '--queued', '10', '--outage', '30m']);
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(lines(r.stderr), [
      `mqtt-chaos: ${INCOMPLETE}: run 5-expiry-15s is INCOMPLETE (the run stopped early: deadline 12s reached during phase 7 (measure memory "queued" (after 3000 ms))): its figures are not measurements; rerun it before projecting`,
    ]);
    assert.equal(r.stdout, '');
  });

  test('refuses when no run measured a figure: it names which and what measures it, exit 2', async () => {
    const r = await cli(['project', CAPACITY, '--devices', '1000', '--queued', '10', '--outage', '30m']);
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(lines(r.stderr), [
      `mqtt-chaos: ${CAPACITY}: no run measured a backlog drain (subscribers coming back to queued messages, as in scenarios/reconnect-storm.yaml); add a result.json that did`,
    ]);
    const s = await cli(['project', STORM, '--devices', '1000', '--queued', '10', '--outage', '30m']);
    assert.equal(s.code, 2, s.stderr);
    assert.match(s.stderr, /no run measured memory per session \(a measure phase right after the connect/);
  });

  test('bad flags: one line each, exit 2', async () => {
    const cases: [string[], string][] = [
      [['--devices', '0', '--queued', '1', '--outage', '30m'], '--devices 0: write a whole number from 1'],
      [['--devices', '10', '--queued', '1.5', '--outage', '30m'], '--queued 1.5: write a whole number from 0'],
      [['--devices', '10', '--queued', '1', '--outage', '0s'], '--outage 0s: write a duration above 0, such as 30m or 2h'],
      [['--devices', '1e5', '--queued', '1', '--outage', '30m'], '--devices 1e5: write a whole number from 1'],
    ];
    for (const [args, line] of cases) {
      const r = await cli(['project', CAPACITY, STORM, ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.deepEqual(lines(r.stderr), [`mqtt-chaos: ${line}`]);
    }
  });
});
