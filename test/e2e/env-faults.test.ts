/**
 * The environment failing under `mqtt-chaos run`, as a user meets it: the managed broker
 * killed with SIGKILL mid-run, a worker thread crashing (through the MQTT_CHAOS_TEST_CRASH
 * hook). Each ends at once with exit 3, one line naming what failed and in which phase, a
 * result.json that keeps what was measured with the run marked incomplete, and no process
 * left behind.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import type { Result } from '../../src/result/result.js';
import { CLI } from '../helpers/cli.js';
import { alive, invocationDir, noStackTrace, outDir, readResult, runCli, survivors, waitExit, type Cli } from '../helpers/cli-process.js';
import { waitUntil } from '../helpers/tcp.js';
import { useTeardown } from '../helpers/teardown.js';
import { requireMosquitto } from '../helpers/requires.js';

/** The source tree's fixtures: tsc does not copy YAML into dist. */
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/env-faults/', import.meta.url));
const fixture = (name: string): string => join(FIXTURES, name);

const mosquitto = requireMosquitto();
const skip = !existsSync(CLI) ? `not built: ${CLI}` : mosquitto ? false : 'mosquitto is not installed';

const resultOf = (out: string, scenario: string): Result => readResult(invocationDir(out, scenario));

/** Lines on stderr that are not progress: what the CLI says went wrong. */
function problems(cli: Cli): string[] {
  return cli.stderr().split('\n').filter((l) => l !== '' && !/^(scenario |run |found |no mosquitto|  \[|worker \d+: )/.test(l));
}

describe('environment faults under mqtt-chaos run', { skip }, () => {
  test('the managed broker killed with SIGKILL mid-run: exit 3 at once, the phase named, a partial result, nothing left running', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td);
    const cli = runCli(td, ['run', fixture('long-wait.yaml'), '--out', out]);
    // Phase 4 (the drain) logged as done: all 8 messages arrived, the 30 s wait has begun.
    await waitUntil(() => /phase 4\/7/.test(cli.stderr()) || cli.hasExited(), 60_000, 'the wait phase');
    assert.equal(cli.hasExited(), false, `exited early:\n${cli.stderr()}`);
    const pid = Number(/broker: managed Mosquitto .* \(pid (\d+)\)/.exec(cli.stderr())?.[1]);
    assert.ok(Number.isInteger(pid) && pid > 0, `the log names the broker's pid:\n${cli.stderr()}`);
    assert.ok(alive(pid), 'the broker runs');
    process.kill(pid, 'SIGKILL');

    // Bounded generously for a loaded machine; that the kill was noticed at once, not at a
    // phase timeout, is shown by the timeline below: no phase after the wait ever started.
    const exit = await waitExit(cli, 90_000);
    assert.deepEqual(exit, { code: 3, signal: null }, `stderr:\n${cli.stderr()}`);
    noStackTrace(cli);
    const said = problems(cli);
    assert.equal(said.length, 1, `one line says what is wrong:\n${cli.stderr()}`);
    assert.match(said[0]!, /^mqtt-chaos: run \S+: broker exited unexpectedly \(SIGKILL\) during phase 5 \(wait 30s\)$/);

    const result = resultOf(out, 'env-long-wait');
    assert.equal(result.runs.length, 1, 'the v5 run was not started against a broken environment');
    const run = result.runs[0]!;
    assert.match(run.incomplete ?? '', /^broker exited unexpectedly \(SIGKILL\) during phase 5/);
    assert.equal(run.verdict, 'incomplete', 'a run stopped early never passes');
    assert.equal(run.redelivery.delivered, 8, 'what was delivered before the kill is kept (4 devices × 2)');
    const fault = run.timeline.find((e) => e.kind === 'environment-fault');
    assert.ok(fault && fault.kind === 'environment-fault' && fault.cause === 'broker-exit' && fault.phase === 4, `the kill is on the timeline: ${JSON.stringify(run.timeline)}`);
    assert.ok(!run.timeline.some((e) => e.kind === 'phase-start' && e.phase === 5), 'no phase started after the kill');
    assert.ok(cli.children.size >= 2, 'the broker and the fault server were seen running');
    assert.deepEqual(survivors(cli), [], 'every child of the CLI is gone');
  });

  test('a worker thread crashing (test hook): exit 3, "worker 1 crashed", the other shard\'s ledger kept', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td);
    const cli = runCli(td, ['run', fixture('crash-at-disconnect.yaml'), '--out', out], {
      MQTT_CHAOS_TEST_SHARDS: '2',
      MQTT_CHAOS_TEST_CRASH: 'shard=1,command=disconnect',
    });
    const exit = await waitExit(cli, 90_000);
    assert.deepEqual(exit, { code: 3, signal: null }, `stderr:\n${cli.stderr()}`);
    noStackTrace(cli);
    const said = problems(cli);
    assert.equal(said.length, 1, `one line says what is wrong:\n${cli.stderr()}`);
    assert.match(said[0]!, /^mqtt-chaos: run \S+: worker 1 crashed during phase 5 \(disconnect devices \(graceful\)\): .*MQTT_CHAOS_TEST_CRASH/);

    const run = resultOf(out, 'env-crash').runs[0]!;
    assert.match(run.incomplete ?? '', /^worker 1 crashed during phase 5/);
    assert.equal(run.verdict, 'incomplete');
    // Shard 0 holds the publisher and devices 0 and 1: their 2 × 2 deliveries are in its ledger.
    assert.equal(run.redelivery.delivered, 4, `shard 0's ledger is kept, shard 1's is lost: ${JSON.stringify(run.redelivery)}`);
    assert.ok(run.timeline.some((e) => e.kind === 'environment-fault' && e.cause === 'worker-crash'), 'the crash is on the timeline');
    assert.ok(!run.timeline.some((e) => e.kind === 'phase-start' && e.phase === 5), 'the 30 s wait never started');
    assert.deepEqual(survivors(cli), [], 'every child of the CLI is gone');
  });
});
