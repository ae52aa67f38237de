/**
 * `mqtt-chaos compare` as CI runs it: an improved, an equal and a regressed result against
 * a stored baseline give exit 0, 0 and 1 with the rows that say why; bad input (another
 * schemaVersion, a bad tolerance) is exit 2 and one line.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Result } from '../../src/result/result.js';
import { useTeardown, type Teardown } from '../helpers/teardown.js';
import { baseline, equal, improved, regressed } from '../unit/report/compare-cases.js';
import { cli, oneLine, tempDir } from './report-support.js';

async function files(td: Teardown, results: Record<string, Result>): Promise<Record<string, string>> {
  const dir = await tempDir(td, 'mqtt-chaos-compare-');
  return Object.fromEntries(
    Object.entries(results).map(([name, result]) => {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(result, null, 2));
      return [name, file];
    }),
  );
}

/** The table row of a metric, cells trimmed. */
function rowOf(text: string, metric: string, occurrence = 0): string[] {
  const rows = text.split('\n').filter((l) => l.startsWith(`| ${metric} `));
  assert.ok(rows[occurrence], `a row for ${metric} (#${occurrence}) in:\n${text}`);
  return rows[occurrence]!.split(' | ').map((c) => c.replace(/^\| ?| ?\|$/g, '').trim());
}

const P99 = ['--tolerance', 'redelivery.latency.p99 +10%'];

describe('mqtt-chaos compare', () => {
  test('improved: exit 0, the faster latencies marked better', async (t) => {
    const td = useTeardown(t);
    const f = await files(td, { baseline: baseline(), current: improved() });
    const ran = await cli(td, ['compare', f.baseline!, f.current!, ...P99]);
    assert.equal(ran.code, 0, ran.stderr + ran.stdout);
    assert.equal(ran.stderr, '');
    // Third run (5-expiry-3600): p99 12.9 ms → 9.01 ms, within +10%.
    const p99 = rowOf(ran.stdout, 'redelivery.latency.p99', 2);
    assert.deepEqual(p99.slice(1), ['12.9 ms', '9.02 ms', '−3.86 ms (−30%)', 'better', 'redelivery.latency.p99 +10% (<= 14.2 ms)', 'ok']);
    assert.deepEqual(rowOf(ran.stdout, 'connect.failed').slice(4), ['better', '', '']);
    assert.match(rowOf(ran.stdout, 'redelivery.latency').at(-1)!, /^better: D > 0\.016/);
    assert.match(ran.stdout, /\nno regression\n$/);
  });

  test('equal: exit 0, every row the same', async (t) => {
    const td = useTeardown(t);
    const f = await files(td, { baseline: baseline(), current: equal() });
    const ran = await cli(td, ['compare', f.baseline!, f.current!, ...P99]);
    assert.equal(ran.code, 0, ran.stderr + ran.stdout);
    assert.deepEqual(rowOf(ran.stdout, 'redelivery.latency.p99').slice(1), ['5.59 ms', '5.59 ms', '0', 'same', 'redelivery.latency.p99 +10% (<= 6.15 ms)', 'ok']);
    assert.deepEqual(rowOf(ran.stdout, 'redelivery.lost').slice(1), ['0', '0', '0', 'same', 'redelivery.lost +0 (<= 0) (default)', 'ok']);
    assert.doesNotMatch(ran.stdout, /\| (better|worse) \|/);
    assert.match(ran.stdout, /\nno regression\n$/);
  });

  test('regressed: exit 1, the verdict, the lost messages and the slower p99 as REGRESSION rows and lines', async (t) => {
    const td = useTeardown(t);
    const f = await files(td, { baseline: baseline(), current: regressed() });
    const ran = await cli(td, ['compare', f.baseline!, f.current!, ...P99]);
    assert.equal(ran.code, 1, ran.stderr + ran.stdout);
    assert.equal(ran.stderr, '');
    assert.deepEqual(rowOf(ran.stdout, 'verdict', 2).slice(1), ['PASS', 'FAIL', '', 'worse', '', 'REGRESSION']);
    assert.deepEqual(rowOf(ran.stdout, 'redelivery.lost', 2).slice(1), ['0', '25', '+25', 'worse', 'redelivery.lost +0 (<= 0) (default)', 'REGRESSION']);
    assert.deepEqual(rowOf(ran.stdout, 'redelivery.latency.p99', 2).slice(1), ['12.9 ms', '19.3 ms', '+6.44 ms (+50%)', 'worse', 'redelivery.latency.p99 +10% (<= 14.2 ms)', 'REGRESSION']);
    assert.match(ran.stdout, /\n4 regressions:\n- 3\.1\.1-cleansession-0: redelivery\.latency\.p99 5\.59 ms → 8\.39 ms, outside redelivery\.latency\.p99 \+10%\n- 5-expiry-3600: verdict PASS → FAIL\n/);

    const md = await cli(td, ['compare', f.baseline!, f.current!, ...P99, '--markdown']);
    assert.equal(md.code, 1);
    assert.match(md.stdout, /^### mqtt-chaos compare: persistent-session\n\n❌ \*\*4 regressions\*\*/);
    assert.match(md.stdout, /^\| 5-expiry-3600 +\| redelivery\.lost +\|/m);

    const loose = await cli(td, ['compare', f.baseline!, f.current!, '--no-defaults', '--tolerance', 'redelivery.latency.p99 +60%']);
    assert.equal(loose.code, 1, 'the verdict still regressed');
    assert.match(loose.stdout, /\n1 regression:\n- 5-expiry-3600: verdict PASS → FAIL\n$/);

    const json = await cli(td, ['compare', f.baseline!, f.current!, ...P99, '--json']);
    assert.equal(json.code, 1);
    assert.equal((JSON.parse(json.stdout) as { regressions: string[] }).regressions.length, 4);
  });

  test('a result of another schemaVersion: exit 2, one line naming the file and both versions', async (t) => {
    const td = useTeardown(t);
    const old = baseline() as unknown as { schemaVersion: number };
    old.schemaVersion = 0;
    const f = await files(td, { old: old as unknown as Result, current: equal() });
    oneLine(await cli(td, ['compare', f.old!, f.current!]), new RegExp(`^mqtt-chaos: ${f.old}: result schemaVersion 0, written by mqtt-chaos 0\\.1\\.0; this mqtt-chaos reads schemaVersion 1: `));
    oneLine(await cli(td, ['compare', f.current!, f.old!]), new RegExp(`^mqtt-chaos: ${f.old}: result schemaVersion 0`));
  });

  test('a bad tolerance: exit 2, one line saying what is wrong and where', async (t) => {
    const td = useTeardown(t);
    const f = await files(td, { baseline: baseline(), current: equal() });
    oneLine(
      await cli(td, ['compare', f.baseline!, f.current!, '--tolerance', 'redelivery.latency.p99 ++10%']),
      /^mqtt-chaos: --tolerance "redelivery\.latency\.p99 \+\+10%": expected an amount, e\.g\. 10% or 0 \(column 25\)$/,
    );
    oneLine(
      await cli(td, ['compare', f.baseline!, f.current!, '--tolerance', 'redelivery.latncy.p99 +10%']),
      /^mqtt-chaos: --tolerance "redelivery\.latncy\.p99 \+10%": unknown metric "redelivery\.latncy\.p99" \(did you mean "redelivery\.latency\.p99"\?\) \(column 1\)$/,
    );
    oneLine(await cli(td, ['compare', f.baseline!]), /^mqtt-chaos: compare needs a baseline and a current result\.json, got 1 file$/);
  });
});
