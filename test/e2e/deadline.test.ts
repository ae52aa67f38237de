/**
 * The overall deadline end to end: a scenario stuck in a long wait is stopped when its
 * deadline (--deadline over the file's `deadline`) is reached, as Ctrl-C would stop it:
 * exit 3, one line naming the deadline and the phase it hit, result.json marked incomplete
 * with the same words, nothing left running.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Plan } from '../../src/scenario/plan.js';
import { CLI, cli, lines } from '../helpers/cli.js';
import { invocationDir, mentioning, noStackTrace, outDir, readResult, runCli, survivors, waitExit } from '../helpers/cli-process.js';
import { useTeardown } from '../helpers/teardown.js';
import { requireMosquitto } from '../helpers/requires.js';

const mosquitto = requireMosquitto();
const skip = !existsSync(CLI) ? `not built: ${CLI}` : mosquitto ? false : 'mosquitto is not installed';

const SCENARIO = `name: stuck
broker: managed-mosquitto
faults: embedded
protocols: ["5"]
deadline: 10m
groups:
  devices: { count: 2, role: subscriber, topic: "stuck/{i}", session: { clean: false, expiry: 60 } }
phases:
  - connect: {}
  - wait: 10m
`;

describe('the overall deadline', { skip }, () => {
  test('--deadline 30s over the file\'s 10m: exit 3, "deadline 30s reached during phase 2 (wait …)", result.json incomplete, no process left', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td, 'mqtt-chaos-deadline-');
    const scenario = join(out, 'stuck.yaml');
    writeFileSync(scenario, SCENARIO);
    const run = runCli(td, ['run', scenario, '--out', join(out, 'reports'), '--deadline', '30s']);
    const exit = await waitExit(run, 60_000);
    assert.deepEqual(exit, { code: 3, signal: null }, `stderr:\n${run.stderr()}`);
    noStackTrace(run);
    const reason = 'deadline 30s reached during phase 2 (wait 10m)';
    assert.equal(lines(run.stderr()).at(-1), `mqtt-chaos: ${reason}`, 'the last line says what stopped the run, and where');
    assert.match(run.stderr(), /→ .* \(deadline 30s\)$/m, 'the deadline in force is said at the start');

    const result = readResult(invocationDir(join(out, 'reports'), 'stuck'));
    assert.equal(result.runs.length, 1);
    assert.equal(result.runs[0]!.incomplete, reason);
    assert.equal(result.runs[0]!.verdict, 'incomplete');
    assert.ok(result.runs[0]!.timeline.some((e) => e.kind === 'phase-end' && e.phase === 0), 'the connect that finished is kept');
    assert.ok(run.children.size >= 2, `the broker and the fault server were seen: ${[...run.children].join(', ')}`);
    assert.deepEqual(survivors(run), [], 'the broker and the fault server are stopped');
    assert.deepEqual(mentioning(out), [], 'nothing still runs from this folder');
  });

  test('the file\'s deadline is in the plan; --deadline wins; a bad --deadline is refused with exit 2', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td, 'mqtt-chaos-deadline-');
    const scenario = join(out, 'stuck.yaml');
    writeFileSync(scenario, SCENARIO);
    const fromFile = await cli(['plan', scenario, '--json']);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal((JSON.parse(fromFile.stdout) as Plan).deadlineMs, 600_000);
    const fromFlag = await cli(['plan', scenario, '--deadline', '90s', '--json']);
    assert.equal((JSON.parse(fromFlag.stdout) as Plan).deadlineMs, 90_000);
    for (const bad of ['0s', 'soon', '10']) {
      const refused = await cli(['run', scenario, '--out', join(out, 'reports'), '--deadline', bad]);
      assert.equal(refused.code, 2, `--deadline ${bad}: ${refused.stderr}`);
      assert.deepEqual(lines(refused.stderr), [`mqtt-chaos: --deadline ${bad}: write a duration above 0, such as 90s or 10m`]);
    }
    assert.equal(existsSync(join(out, 'reports')), false, 'nothing ran');
  });
});
