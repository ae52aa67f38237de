/**
 * Open-file limits, with the CLI started under a lowered limit (`ulimit -n`: lowering is
 * always allowed). A hard limit below the need stops the run before anything starts, with
 * one line and exit 3; a soft one is raised to the hard one (Node does so at start, and
 * the broker and fault servers inherit it); and sockets refused at runtime (EMFILE:
 * descriptors the preflight could not know of, here 300 inherited ones) stop the run with
 * one line, exit 3 and a partial result.json, not a flood of per-client errors.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Result } from '../../../src/result/result.js';
import { startMosquitto } from '../../helpers/brokers.js';
import { CLI } from '../../helpers/cli.js';
import { useTeardown, type Teardown } from '../../helpers/teardown.js';
import { mosquittoBinary, needsMosquitto, tempDir } from '../run/support.js';

interface Ran {
  code: number | null;
  stderr: string;
  out: string;
}

/** `mqtt-chaos run` under `limit` (a shell `ulimit` command), with `inherit` extra open descriptors. */
async function runLimited(td: Teardown, limit: string, yaml: string, inherit = 0): Promise<Ran> {
  const dir = await tempDir(td, 'fd');
  const file = join(dir, 'scenario.yaml');
  await writeFile(file, yaml);
  const out = join(dir, 'out');
  const extra = inherit > 0 ? openSync(file, 'r') : undefined;
  const child = spawn('/bin/sh', ['-c', `${limit} && exec "$0" "$@"`, process.execPath, CLI, 'run', file, '--out', out], {
    stdio: ['ignore', 'ignore', 'pipe', ...new Array<number>(inherit).fill(extra ?? 0)],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  if (extra !== undefined) closeSync(extra);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  td.add(`cli pid ${child.pid}`, async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    await exited;
  });
  const timer = setTimeout(() => child.pid !== undefined && child.kill('SIGKILL'), 90_000);
  const code = await exited;
  clearTimeout(timer);
  return { code, stderr, out };
}

function resultIn(out: string): Result {
  const dirs = existsSync(out) ? readdirSync(out) : [];
  assert.equal(dirs.length, 1, `one invocation folder in ${out}`);
  return JSON.parse(readFileSync(join(out, dirs[0]!, 'result.json'), 'utf8')) as Result;
}

const scenario = (clients: number, via: 'proxy' | 'direct', broker = 'managed-mosquitto') => `
name: fd
broker: ${broker}
protocols: ["5"]
groups:
  devices:
    count: ${clients}
    role: subscriber
    via: ${via}
    session: { clean: false, expiry: 600 }
    topic: "fd/{run}/{i}"
    reconnect: { delay: 100ms, max: 500ms }
  backend:
    count: 1
    role: publisher
    via: direct
phases:
  - connect: {}
  - subscribe: {}
${via === 'proxy' ? '  - fault: { kind: cut, groups: [devices] }\n' : ''}  - publish: { from: backend, to: devices, perTarget: 2, qos: 1 }
${via === 'proxy' ? '  - heal: {}\n' : ''}  - drain: { timeout: 20s }
`;

const RAISE = '(raise it with ulimit -Hn / LimitNOFILE= / docker --ulimit nofile=…)';

describe('open-file limits', { skip: needsMosquitto }, () => {
  it('a hard limit below the need stops before anything starts: one line, exit 3', async (t) => {
    const td = useTeardown(t);
    const ran = await runLimited(td, 'ulimit -n 300', scenario(100, 'direct'));
    assert.equal(ran.code, 3, ran.stderr);
    // 101 clients + 256 held by the harness itself.
    assert.equal(ran.stderr.trim().split('\n').at(-1), `mqtt-chaos: needs 357 open files in the harness process, the hard limit is 300 ${RAISE}`);
    assert.doesNotMatch(ran.stderr, /\n\s+at /, 'no stack trace');
  });

  it('a soft limit below the need is raised to the hard one (Node does at start; children inherit it)', async (t) => {
    const td = useTeardown(t);
    // 331 clients: the harness needs 587 and its fault server 660 sockets, both above 300.
    const ran = await runLimited(td, 'ulimit -S -n 300', scenario(330, 'proxy'));
    assert.equal(ran.code, 0, ran.stderr);
    const run = resultIn(ran.out).runs[0]!;
    assert.equal(run.redelivery.expected, 660);
    assert.equal(run.redelivery.delivered, 660, 'every message through the fault server');
  });

  it('sockets refused at runtime (EMFILE) stop the run: one line, exit 3, partial result', async (t) => {
    const td = useTeardown(t);
    // A broker outside the limit; 300 inherited descriptors the preflight cannot know of.
    const broker = await startMosquitto(td, mosquittoBinary!);
    const ran = await runLimited(td, 'ulimit -n 480', scenario(150, 'direct', `{ url: "mqtt://${broker.address}" }`), 300);
    assert.equal(ran.code, 3, ran.stderr);
    const last = ran.stderr.trim().split('\n').at(-1) ?? '';
    assert.equal(last, `mqtt-chaos: needs more than 480 open files in the harness process (socket creation failed with EMFILE), the hard limit is 480 ${RAISE}`);
    assert.ok(ran.stderr.split('\n').filter((l) => /EMFILE/.test(l)).length <= 8, `not one line per client:\n${ran.stderr}`);
    const run = resultIn(ran.out).runs[0]!;
    assert.match(run.incomplete ?? '', /EMFILE/, 'the run is marked incomplete, its result kept');
  });
});
