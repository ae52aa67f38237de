/**
 * `mqtt-chaos run` as a user runs it, in a child process: the side-by-side table on stdout,
 * result.json and summary.md in --out, --json, --protocol, the exit codes of the contract
 * (0 pass, 1 a check failed, 3 environment, 130 SIGINT) and, on Ctrl-C, a result.json that
 * keeps what was measured and no process left behind. Every CLI is stopped by its PID if it
 * outlives its test; processes it started are found by parent PID while it runs.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import type { Result } from '../../src/result/result.js';
import { CLI } from '../helpers/cli.js';
import { childrenOf, invocationDir, mentioning, noStackTrace, outDir, readResult, runCli, survivors, waitExit } from '../helpers/cli-process.js';
import { waitUntil } from '../helpers/tcp.js';
import { assertSummariesInOrder } from '../helpers/summaries.js';
import { useTeardown } from '../helpers/teardown.js';
import { requireMosquitto } from '../helpers/requires.js';

/** The source tree's fixtures: tsc does not copy YAML into dist. */
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/run/', import.meta.url));
const fixture = (name: string): string => join(FIXTURES, name);

const mosquitto = requireMosquitto();
const skip = !existsSync(CLI) ? `not built: ${CLI}` : mosquitto ? false : 'mosquitto is not installed';

/** Progress the CLI writes on stderr by design (scenario, runs, phases). */
const PROGRESS = /^(scenario |run |found |no mosquitto|  \[)/;

describe('mqtt-chaos run', { skip }, () => {
  test('a passing scenario: exit 0, the side-by-side table, result.json (schema 1, one entry per run) and summary.md', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td);
    const cli = runCli(td, ['run', fixture('small.yaml'), '--out', out]);
    const exit = await waitExit(cli, 60_000);
    assert.deepEqual(exit, { code: 0, signal: null }, `stderr:\n${cli.stderr()}\nstdout:\n${cli.stdout()}`);
    noStackTrace(cli);

    const stdout = cli.stdout();
    const header = stdout.split('\n').find((l) => l.includes('v3 persistent'));
    assert.ok(header, `a table header with the run labels:\n${stdout}`);
    assert.match(header, /^\|\s+\|\s+v3 persistent\s+\|\s+v5 expiry 3600\s+\|$/, 'one column per run, in matrix order');
    assert.match(stdout, /^\| verdict\s+\|\s+PASS\s+\|\s+PASS\s+\|$/m);
    assert.match(stdout, /^\| expected\s+\|\s+9\s+\|\s+9\s+\|$/m, `3 devices × 3 messages, both runs:\n${stdout}`);
    assert.match(stdout, /^\| delivered\s+\|\s+9\s+\|\s+9\s+\|$/m);

    const dir = invocationDir(out, 'small');
    assert.ok(stdout.includes(join(dir, 'result.json')), 'stdout names where the result went');
    const result = readResult(dir);
    assert.equal(result.schemaVersion, 1);
    assert.equal(result.scenario.name, 'small');
    assert.deepEqual(
      result.runs.map((r) => [r.label, r.protocol, r.verdict]),
      [
        ['v3 persistent', '3.1.1', 'pass'],
        ['v5 expiry 3600', '5', 'pass'],
      ],
    );
    assert.ok(result.runs.every((r) => r.checks.some((c) => c.source === 'scenario' && c.name === 'redelivery.lost == 0')));
    // As written to disk, per run: redelivery latency and reconnect time (no end-to-end samples here).
    assertSummariesInOrder(result, 4);
    const summary = join(dir, 'summary.md');
    assert.ok(existsSync(summary), 'summary.md written');
    assert.match(readFileSync(summary, 'utf8'), /^# mqtt-chaos: small$/m);
    assert.ok(cli.children.size >= 2, `the broker and the fault server were seen running: ${[...cli.children].join(', ')}`);
    assert.deepEqual(survivors(cli), [], 'every child of the CLI is gone');
    assert.deepEqual(mentioning(out), [], 'nothing still running from this invocation');
  });

  test('--json prints result.json on stdout; --protocol 3.1.1 keeps only the 3.1.1 run', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td);
    const cli = runCli(td, ['run', fixture('small.yaml'), '--out', out, '--json', '--protocol', '3.1.1']);
    const exit = await waitExit(cli, 60_000);
    assert.deepEqual(exit, { code: 0, signal: null }, `stderr:\n${cli.stderr()}`);
    noStackTrace(cli);
    let printed: Result;
    try {
      // --json prints NDJSON: progress events, then result.json as the scenario's last line.
      printed = JSON.parse(cli.stdout().trimEnd().split('\n').at(-1) ?? '') as Result;
    } catch (err) {
      assert.fail(`stdout is not one JSON document (${(err as Error).message}):\n${cli.stdout()}`);
    }
    assert.equal(printed.schemaVersion, 1);
    assert.deepEqual(printed.runs.map((r) => r.protocol), ['3.1.1'], 'the v5 run was left out');
    assert.equal(printed.runs[0]!.verdict, 'pass');
    assert.match(cli.stderr(), /run .*MQTT 3\.1\.1/, 'progress stays on stderr');
    assert.doesNotMatch(cli.stderr(), /MQTT 5\)/, 'no v5 run started');
    const written = readResult(invocationDir(out, 'small'));
    assert.deepEqual(written.runs.map((r) => r.id), printed.runs.map((r) => r.id), 'the file holds what was printed');
    assert.deepEqual(survivors(cli), [], 'every child of the CLI is gone');
  });

  test('a run whose check fails exits 1, and result.json says which check', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td);
    const cli = runCli(td, ['run', fixture('failing-check.yaml'), '--out', out]);
    const exit = await waitExit(cli, 60_000);
    assert.deepEqual(exit, { code: 1, signal: null }, `stderr:\n${cli.stderr()}`);
    noStackTrace(cli);
    assert.match(cli.stdout(), /^\| verdict\s+\|\s+FAIL\s+\|$/m);
    const result = readResult(invocationDir(out, 'failing-check'));
    assert.equal(result.runs.length, 1);
    const run = result.runs[0]!;
    assert.equal(run.verdict, 'fail');
    assert.equal(run.incomplete, undefined, 'it ran to the end');
    const failed = run.checks.filter((c) => !c.passed);
    assert.deepEqual(failed.map((c) => c.name), ['redelivery.offline == 0']);
    assert.equal(failed[0]!.actual, 9);
    assert.deepEqual(survivors(cli), [], 'every child of the CLI is gone');
  });

  test('SIGINT during a wait: exit 130 within seconds, result.json with the run incomplete, no process left', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td);
    const cli = runCli(td, ['run', fixture('long-wait.yaml'), '--out', out]);
    const pid = cli.child.pid!;
    // Phase 2 (subscribe) logged as done: phase 3, the 10 s wait, has begun.
    await waitUntil(() => /phase 2\/5/.test(cli.stderr()) || cli.hasExited(), 30_000, 'the wait phase');
    assert.equal(cli.hasExited(), false, `exited early:\n${cli.stderr()}`);
    const children = childrenOf(pid);
    for (const child of children) cli.children.add(child);
    assert.ok(children.length >= 2, `the broker and the fault server run as children: ${children.join(', ')}`);
    assert.ok(mentioning(out).length >= 1, 'the managed broker runs with its config in --out');

    const sentAt = performance.now();
    process.kill(pid, 'SIGINT');
    // The wait is 10 minutes: an exit within a tenth of it was the SIGINT's doing, however slow the machine.
    const exit = await waitExit(cli, 60_000);
    const tookMs = performance.now() - sentAt;
    assert.deepEqual(exit, { code: 130, signal: null }, `stderr:\n${cli.stderr()}`);
    assert.ok(tookMs < 60_000, `exited ${Math.round(tookMs)} ms after SIGINT, not after the 10-minute wait`);
    noStackTrace(cli);

    const result = readResult(invocationDir(out, 'long-wait'));
    assert.equal(result.schemaVersion, 1);
    assert.equal(result.runs.length, 1, 'the second run never started');
    const run = result.runs[0]!;
    assert.equal(run.protocol, '3.1.1');
    assert.match(run.incomplete ?? '', /interrupted|SIGINT/i, `the run is marked incomplete: ${JSON.stringify(run.incomplete)}`);
    assert.notEqual(run.verdict, 'pass', 'an interrupted run never passes');
    assert.ok(run.timeline.some((e) => e.kind === 'phase-start' && e.label.startsWith('wait')), 'the timeline keeps what happened');

    assert.deepEqual(survivors(cli), [], 'every child of the CLI is gone');
    assert.deepEqual(mentioning(out), [], 'no process still uses the run folder');
  });

  test('an unreachable broker URL: exit 3, one line on stderr naming it, no stack trace', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td);
    const cli = runCli(td, ['run', fixture('small.yaml'), '--out', out, '--broker', 'mqtt://127.0.0.1:1']);
    const exit = await waitExit(cli, 30_000);
    assert.deepEqual(exit, { code: 3, signal: null }, `stderr:\n${cli.stderr()}`);
    noStackTrace(cli);
    const lines = cli.stderr().split('\n').filter((l) => l !== '');
    const problems = lines.filter((l) => !PROGRESS.test(l));
    assert.equal(problems.length, 1, `one line says what is wrong:\n${cli.stderr()}`);
    assert.match(problems[0]!, /^mqtt-chaos: .*127\.0\.0\.1:1\b/, 'it names the broker');
    assert.deepEqual(survivors(cli), [], 'every child of the CLI is gone');
    assert.deepEqual(mentioning(out), [], 'nothing left running');
    // No run began: no empty scenario or run folder for the README's "latest report" recipe to pick.
    assert.deepEqual(await readdir(out).catch(() => []), [], 'nothing written under --out');
  });
});
