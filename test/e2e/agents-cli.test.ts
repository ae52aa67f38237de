/**
 * The agent commands as a user runs them: Ctrl-C on a coordinator with local agents stops
 * every agent (exit 130, result.json marked interrupted, no process left); a coordinator
 * on `--listen` refuses an agent with the wrong token (one line on both sides) and runs
 * with one that has the right one; a non-loopback `--listen` without `--allow-remote` is
 * refused before anything starts.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CLI } from '../helpers/cli.js';
import { alive, invocationDir, noStackTrace, outDir, readResult, runCli, survivors, waitExit } from '../helpers/cli-process.js';
import { freePort, waitUntil } from '../helpers/tcp.js';
import { useTeardown } from '../helpers/teardown.js';
import { requireMosquitto } from '../helpers/requires.js';

const mosquitto = requireMosquitto();
const skip = !existsSync(CLI) ? `not built: ${CLI}` : mosquitto ? false : 'mosquitto is not installed';

const scenario = (name: string, phases: string[]): string => `name: ${name}
broker: managed-mosquitto
faults: embedded
protocols: ["5"]
groups:
  devices:
    count: 4
    role: subscriber
    session: { clean: false, expiry: 60 }
    qos: 1
    topic: "agents/{run}/{i}"
  backend:
    count: 1
    role: publisher
    via: direct
phases:
${phases.map((p) => `  - ${p}`).join('\n')}
`;

const oneLine = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

describe('agents from the command line', { skip }, () => {
  test('Ctrl-C on the coordinator stops every local agent: exit 130, interrupted, nothing left running', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td);
    const file = join(out, 'wait.yaml');
    writeFileSync(file, scenario('agents-sigint', ['connect: {}', 'wait: 60s']));
    const cli = runCli(td, ['run', file, '--agents', '2', '--out', out, '--progress-interval', '200ms']);
    await waitUntil(() => /phase 1\/2: connect/.test(cli.stderr()), 60_000, 'the wait phase to begin');
    // The progress line counts each agent's connected clients: 2 devices + the publisher, 2 devices.
    await waitUntil(() => / · 5\/5 connected · agents 2: 3\/3 2\/2 · /.test(cli.stderr()), 30_000, 'a progress line with both agents connected');
    const pids = [...cli.stderr().matchAll(/agent \d \(pid (\d+) on /g)].map((m) => Number(m[1]));
    assert.equal(pids.length, 2, cli.stderr());
    assert.ok(pids.every(alive));
    process.kill(cli.child.pid!, 'SIGINT');
    const exit = await waitExit(cli, 60_000);
    assert.equal(exit.code, 130, cli.stderr());
    noStackTrace(cli);
    for (const pid of pids) assert.equal(alive(pid), false, `agent pid ${pid} is gone`);
    assert.deepEqual(survivors(cli), [], 'no process the CLI started outlives it');
    const result = readResult(invocationDir(out, 'agents-sigint'));
    assert.equal(result.runs[0]!.verdict, 'incomplete');
    assert.match(result.runs[0]!.incomplete ?? '', /^interrupted \(SIGINT\)/);
    assert.deepEqual(result.runs[0]!.agents?.map((a) => a.clients), [3, 2], 'the agents handed in their ledgers: their clients are recorded');
  });

  test('--listen: a wrong token is refused with one line on both sides; the right one joins and the run passes', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td);
    const file = join(out, 'listen.yaml');
    writeFileSync(file, scenario('agents-listen', ['connect: {}', 'subscribe: {}', 'publish: { from: backend, to: devices, perTarget: 3, qos: 1 }', 'drain: { timeout: 10s }']));
    const coordinator = runCli(td, ['run', file, '--listen', '127.0.0.1:0', '--expect-agents', '1', '--out', out], { MQTT_CHAOS_TOKEN: 'the-right-token' });
    await waitUntil(() => /agents: waiting for 1 on 127\.0\.0\.1:\d+/.test(coordinator.stderr()), 30_000, 'the coordinator to listen');
    const port = /agents: waiting for 1 on 127\.0\.0\.1:(\d+)/.exec(coordinator.stderr())![1];

    const wrong = runCli(td, ['agent', '--join', `127.0.0.1:${port}`], { MQTT_CHAOS_TOKEN: 'a-wrong-token' });
    const refused = await waitExit(wrong, 30_000);
    assert.equal(refused.code, 2, wrong.stderr());
    assert.deepEqual(oneLine(wrong.stderr()), [`mqtt-chaos: the coordinator at 127.0.0.1:${port} refused this agent: wrong token (MQTT_CHAOS_TOKEN differs from the coordinator's)`]);
    await waitUntil(() => /agents: refused 127\.0\.0\.1:\d+: wrong token/.test(coordinator.stderr()), 10_000, 'the coordinator to say it refused the agent');
    assert.equal(coordinator.hasExited(), false, 'the coordinator still waits for its agent');

    const right = runCli(td, ['agent', '--join', `127.0.0.1:${port}`], { MQTT_CHAOS_TOKEN: 'the-right-token' });
    const ran = await waitExit(coordinator, 90_000);
    assert.equal(ran.code, 0, coordinator.stderr());
    const done = await waitExit(right, 30_000);
    assert.equal(done.code, 0, right.stderr());
    assert.match(right.stderr(), /agent: the coordinator is done/);
    const result = readResult(invocationDir(out, 'agents-listen'));
    assert.equal(result.runs[0]!.verdict, 'pass');
    assert.equal(result.runs[0]!.redelivery.delivered, 12);
    assert.equal(result.runs[0]!.agents?.length, 1);
    assert.deepEqual(survivors(coordinator), []);
    assert.deepEqual(survivors(right), [], 'the agent leaves no worker or socket behind');
  });

  test('an agent started before its coordinator waits for it, joins when it listens, and the run passes; with nothing to join: exit 3, one line', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td);
    const file = join(out, 'early.yaml');
    writeFileSync(file, scenario('agents-early', ['connect: {}', 'subscribe: {}', 'publish: { from: backend, to: devices, perTarget: 2, qos: 1 }', 'drain: { timeout: 10s }']));
    const port = await freePort();
    const token = { MQTT_CHAOS_TOKEN: 'early-token' };
    const agent = runCli(td, ['agent', '--join', `127.0.0.1:${port}`], token);
    await waitUntil(() => /trying again for up to 60s/.test(agent.stderr()), 30_000, 'the agent to find no coordinator yet');
    const coordinator = runCli(td, ['run', file, '--listen', `127.0.0.1:${port}`, '--expect-agents', '1', '--out', out], token);
    assert.equal((await waitExit(coordinator, 90_000)).code, 0, coordinator.stderr());
    assert.equal((await waitExit(agent, 30_000)).code, 0, agent.stderr());
    assert.equal(readResult(invocationDir(out, 'agents-early')).runs[0]!.verdict, 'pass');

    const alone = runCli(td, ['agent', '--join', `127.0.0.1:${port}`, '--wait-for-coordinator', '0s'], token);
    assert.equal((await waitExit(alone, 30_000)).code, 3);
    assert.deepEqual(oneLine(alone.stderr()), [`mqtt-chaos: cannot reach the coordinator at 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`]);
  });

  test('--listen outside loopback without --allow-remote: exit 2, one line, nothing started', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td);
    const file = join(out, 'remote.yaml');
    writeFileSync(file, scenario('agents-remote', ['connect: {}']));
    const cli = runCli(td, ['run', file, '--listen', '0.0.0.0:7883', '--expect-agents', '2', '--out', out], { MQTT_CHAOS_TOKEN: 'x' });
    const exit = await waitExit(cli, 30_000);
    assert.equal(exit.code, 2);
    assert.deepEqual(oneLine(cli.stderr()), ['mqtt-chaos: --listen 0.0.0.0:7883: agents would join from outside loopback; add --allow-remote to listen there']);
    assert.deepEqual(cli.children.size, 0);
  });

  test('--listen without MQTT_CHAOS_TOKEN: exit 2, one line', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td);
    const file = join(out, 'notoken.yaml');
    writeFileSync(file, scenario('agents-notoken', ['connect: {}']));
    const cli = runCli(td, ['run', file, '--listen', '127.0.0.1:0', '--expect-agents', '1', '--out', out], { MQTT_CHAOS_TOKEN: '' });
    const exit = await waitExit(cli, 30_000);
    assert.equal(exit.code, 2, cli.stderr());
    assert.match(cli.stderr(), /mqtt-chaos: --listen: set MQTT_CHAOS_TOKEN to the token the agents join with/);
  });
});
