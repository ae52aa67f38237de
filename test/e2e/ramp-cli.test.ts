/**
 * A ramp that reaches the machine's descriptor ceiling says so, as the machine's limit and
 * not the broker's: `mqtt-chaos run` under `prlimit --nofile=400:400` (the harness needs one
 * descriptor per client plus 256 of its own, so 10 devices fit and 200 do not). The first
 * step runs and holds; the second is never started; the finding names the limit; exit 3
 * (the environment), with result.json, summary.md and report.html written.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, CLI } from '../helpers/cli.js';
import { invocationDir, outDir, readResult } from '../helpers/cli-process.js';
import { requireMosquitto } from '../helpers/requires.js';
import { useTeardown } from '../helpers/teardown.js';

const LIMIT = 400;
const skip = !existsSync(CLI) ? `not built: ${CLI}` : !requireMosquitto() ? 'mosquitto is not installed' : !existsSync('/usr/bin/prlimit') ? 'prlimit is not installed (util-linux)' : false;

const SCENARIO = `
name: ramp-ceiling
broker: managed-mosquitto
faults: embedded
protocols: ["5"]
ramp: { grow: sessions, group: devices, steps: [10, 200] }
groups:
  devices:
    count: 1
    role: subscriber
    session: { clean: false, expiry: 3600 }
    qos: 1
    topic: "ceiling/{run}/{i}"
    reconnect: { delay: 200ms, jitter: 100ms }
  backend:
    count: 1
    role: publisher
    via: direct
phases:
  - connect: {}
  - subscribe: {}
  - fault: { kind: cut, groups: [devices] }
  - publish: { from: backend, to: devices, perTarget: 2, qos: 1 }
  - heal: {}
  - drain: { timeout: 20s }
expect:
  - redelivery.lost == 0
`;

function runLimited(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/usr/bin/prlimit', [`--nofile=${LIMIT}:${LIMIT}`, process.execPath, CLI, ...args], { timeout: 120_000, killSignal: 'SIGKILL', env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

describe('a ramp at the descriptor ceiling', { skip }, () => {
  it(`under a ${LIMIT}-descriptor limit: 10 devices held, 200 not started, named as the machine's limit, exit 3`, async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td, 'mqtt-chaos-ramp-ceiling-');
    const file = join(out, 'ramp-ceiling.yaml');
    await writeFile(file, SCENARIO);
    const ran = await runLimited(['run', file, '--out', out]);
    const why = `exit ${ran.code}\nstderr:\n${ran.stderr}\nstdout:\n${ran.stdout}`;
    assert.equal(ran.code, 3, why);
    assert.doesNotMatch(ran.stderr, /\n\s+at /, 'no stack trace');
    const needed = 200 + 1 + 256;
    assert.match(ran.stderr.trimEnd().split('\n').at(-1)!, new RegExp(`ramp step 2 \\(200 sessions\\): needs ${needed} open files in the harness process, the hard limit is ${LIMIT}`), why);
    const dir = invocationDir(out, 'ramp-ceiling');
    const { ramp, runs } = readResult(dir);
    assert.ok(ramp, why);
    assert.equal(ramp.outcome, 'machine-limit');
    assert.deepEqual(ramp.steps.map((s) => s.status), ['held', 'stopped']);
    assert.deepEqual([ramp.lastHeld, ramp.firstBroke], [10, 200]);
    assert.match(ramp.finding, new RegExp(`^stopped at 200 sessions by this machine's limit, not the broker's \\(held up to 10 sessions\\): needs ${needed} open files`));
    assert.deepEqual(runs.map((r) => [r.id, r.verdict]), [['step1-5', 'pass']]);
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    assert.match(summary, /\*\*Stopped at 200 sessions by this machine's limit, not the broker's/);
    assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /this machine&#39;s limit, not the broker&#39;s|this machine's limit, not the broker's/);
  });

  it('a first step over the ceiling: nothing measured, so no report, one line and exit 3', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td, 'mqtt-chaos-ramp-first-');
    const file = join(out, 'ramp-ceiling.yaml');
    await writeFile(file, SCENARIO.replace('steps: [10, 200]', 'steps: [200, 400]'));
    const ran = await runLimited(['run', file, '--out', out]);
    assert.equal(ran.code, 3, ran.stderr);
    assert.match(ran.stderr.trimEnd().split('\n').at(-1)!, /^mqtt-chaos: ramp step 1 \(200 sessions\): needs 457 open files in the harness process, the hard limit is 400/);
    assert.deepEqual(readdirSync(out).filter((f) => f.startsWith('ramp-ceiling-')), [], 'no report folder');
  });

  it('--keep-sessions with a ramp: refused in one line, exit 2, before anything starts', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td, 'mqtt-chaos-ramp-keep-');
    const file = join(out, 'ramp-ceiling.yaml');
    await writeFile(file, SCENARIO);
    const o = await cli(['run', file, '--out', out, '--keep-sessions']);
    assert.equal(o.code, 2, o.stderr);
    assert.equal(o.stderr.trim(), `mqtt-chaos: --keep-sessions: ${file} ramps, and each step must start without the previous step's sessions`);
  });
});
