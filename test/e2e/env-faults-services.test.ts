/**
 * The services a run depends on failing it, as a user meets it through `mqtt-chaos run`:
 * a fault server that answers every call with 500, one that loses the run's proxy
 * mid-run, one that is not there; a broker that refuses the harness's clients (a managed
 * Mosquitto that wants a login, an external one given the wrong password). Each is exit 3
 * and one line naming what failed, never a stack trace, with nothing left running.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { startMosquitto } from '../../src/brokers/mosquitto.js';
import type { Result } from '../../src/result/result.js';
import { CLI } from '../helpers/cli.js';
import { invocationDir, outDir, readResult, runCli, survivors, waitExit, type Cli } from '../helpers/cli-process.js';
import { Api, startServer, type ProxyJson } from '../helpers/faults.js';
import { closedPort, waitUntil } from '../helpers/tcp.js';
import { useTeardown, type Teardown } from '../helpers/teardown.js';
import { requireMosquitto, requireMosquittoTool } from '../helpers/requires.js';

const mosquitto = requireMosquitto();
const mosquittoPasswd = requireMosquittoTool('mosquitto_passwd');
const skip = !existsSync(CLI) ? `not built: ${CLI}` : mosquitto ? false : 'mosquitto is not installed';

const tempDir = (td: Teardown): Promise<string> => outDir(td, 'mqtt-chaos-env-services-');

/** Three devices through the fault proxy; `phases` decides what happens to them. */
function scenario(opts: { broker: string; faults: string; phases: string[] }): string {
  return [
    'name: env-services',
    `broker: ${opts.broker}`,
    `faults: ${opts.faults}`,
    'protocols: ["3.1.1"]',
    'groups:',
    '  devices:',
    '    count: 3',
    '    role: subscriber',
    '    session: { clean: false }',
    '    topic: "svc/{run}/{i}"',
    '  backend:',
    '    count: 1',
    '    role: publisher',
    '    via: direct',
    'phases:',
    ...opts.phases.map((p) => `  - ${p}`),
    '',
  ].join('\n');
}

async function runScenarioFile(td: Teardown, yaml: string, env: NodeJS.ProcessEnv = {}): Promise<{ cli: Cli; out: string }> {
  const dir = await tempDir(td);
  const file = join(dir, 'scenario.yaml');
  await writeFile(file, yaml);
  const out = join(dir, 'out');
  return { cli: runCli(td, ['run', file, '--out', out], env), out };
}

const resultOf = (out: string): Result => readResult(invocationDir(out, 'env-services'));

/** Exit `code` (3 unless said) and exactly one line that is not progress; returns that line. */
async function oneLineExit3(cli: Cli, timeoutMs: number, code = 3): Promise<string> {
  const exit = await waitExit(cli, timeoutMs);
  assert.deepEqual(exit, { code, signal: null }, `stderr:\n${cli.stderr()}`);
  assert.doesNotMatch(cli.stderr(), /\n\s+at /, `no stack trace:\n${cli.stderr()}`);
  const said = cli.stderr().split('\n').filter((l) => l !== '' && !/^(scenario |run |found |managed Mosquitto refuses an anonymous|  \[|worker \d+: )/.test(l));
  assert.equal(said.length, 1, `one line says what is wrong:\n${cli.stderr()}`);
  assert.deepEqual(survivors(cli), [], 'every child of the CLI is gone');
  return said[0]!;
}

const simple = ['connect: {}', 'subscribe: {}', 'publish: { from: backend, to: devices, perTarget: 1 }', 'drain: { timeout: 5s }'];

describe('services failing under mqtt-chaos run', { skip }, () => {
  test('a fault server answering 500 to every call but /version: exit 3 naming its URL and the call, the run marked incomplete', async (t) => {
    const td = useTeardown(t);
    const calls: string[] = [];
    const server = createServer((req, res) => {
      calls.push(`${req.method} ${req.url}`);
      if (req.url === '/version') return void res.end('2.5.0');
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end('boom');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    td.add('http 500 server', () => new Promise((resolve) => server.close(resolve)));
    const port = (server.address() as { port: number }).port;
    const url = `http://127.0.0.1:${port}`;

    const { cli, out } = await runScenarioFile(td, scenario({ broker: 'managed-mosquitto', faults: `{ toxiproxy: "${url}" }`, phases: simple }));
    const line = await oneLineExit3(cli, 90_000);
    assert.match(line, new RegExp(`^mqtt-chaos: run 3\\.1\\.1: fault server ${url.replace(/\./g, '\\.')}: create proxy for devices failed: .*500.* during setup$`));
    assert.ok(calls.some((c) => c.startsWith('POST /proxies')), `the proxy was asked for: ${calls.join(', ')}`);
    const run = resultOf(out).runs[0]!;
    assert.match(run.incomplete ?? '', /create proxy for devices failed/);
    assert.ok(run.timeline.some((e) => e.kind === 'environment-fault' && e.cause === 'fault-server' && e.phase === -1));
  });

  test("the run's proxy deleted behind its back: the cut fails, exit 3 naming the call, what was measured kept", async (t) => {
    const td = useTeardown(t);
    const faults = await startServer(td);
    const api = new Api(faults.url);
    const phases = ['connect: {}', 'subscribe: {}', 'publish: { from: backend, to: devices, perTarget: 2 }', 'drain: { timeout: 20s }', 'wait: 20s', 'fault: { kind: cut, groups: [devices] }', 'wait: 30s'];
    const { cli, out } = await runScenarioFile(td, scenario({ broker: 'managed-mosquitto', faults: `{ toxiproxy: "${faults.url}" }`, phases }));
    // Drained: every message has arrived before the proxy goes.
    await waitUntil(() => /phase 4\/7/.test(cli.stderr()) || cli.hasExited(), 60_000, 'the first wait');
    assert.equal(cli.hasExited(), false, `exited early:\n${cli.stderr()}`);
    const listed = JSON.parse((await api.call('GET', '/proxies')).text) as Record<string, ProxyJson>;
    const names = Object.keys(listed);
    assert.equal(names.length, 1, `the run made one proxy: ${names.join(', ')}`);
    await api.deleteProxy(names[0]!);

    const line = await oneLineExit3(cli, 90_000);
    assert.match(line, /^mqtt-chaos: run 3\.1\.1: fault server http:\/\/127\.0\.0\.1:\d+: cut devices failed: .* during phase 6 \(fault cut on devices\)$/);
    const run = resultOf(out).runs[0]!;
    assert.match(run.incomplete ?? '', /cut devices failed/);
    assert.equal(run.redelivery.delivered, 6, 'the deliveries before the fault are kept (3 devices × 2)');
    assert.ok(!run.timeline.some((e) => e.kind === 'phase-start' && e.phase === 6), 'the last wait never started');
  });

  test('a fault server that is not there: exit 3 naming its URL', async (t) => {
    const td = useTeardown(t);
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { cli } = await runScenarioFile(td, scenario({ broker: 'managed-mosquitto', faults: `{ toxiproxy: "${url}" }`, phases: simple }));
    const line = await oneLineExit3(cli, 90_000);
    assert.match(line, new RegExp(`^mqtt-chaos: fault server ${url.replace(/\./g, '\\.')} not reachable`));
  });

  test('a managed Mosquitto that wants a login: exit 3 before any client connects, saying why', async (t) => {
    const td = useTeardown(t);
    const { cli, out } = await runScenarioFile(td, scenario({ broker: '{ mosquitto: { allow_anonymous: false } }', faults: 'embedded', phases: simple }));
    const line = await oneLineExit3(cli, 90_000);
    assert.match(line, /^mqtt-chaos: managed Mosquitto refuses the harness's clients \(Connection refused: Not authorized\): .*allow_anonymous true/);
    // Nothing was measured: no empty result.json to mistake for a run (README, exit codes).
    assert.ok(!existsSync(join(out, readdirSync(out)[0] ?? '', 'result.json')), 'no result.json when no run began');
  });

  test('broker-restart against a broker the harness cannot kill (--broker embedded-aedes): exit 2 before any phase', async (t) => {
    const td = useTeardown(t);
    const file = fileURLToPath(new URL('../../../scenarios/broker-restart.yaml', import.meta.url));
    const out = await tempDir(td);
    const cli = runCli(td, ['run', file, '--broker', 'embedded-aedes', '--protocol', '3.1.1', '--out', out]);
    const line = await oneLineExit3(cli, 90_000, 2);
    assert.match(line, /^mqtt-chaos: run 3\.1\.1: its broker-restart fault needs a managed Mosquitto \(broker: managed-mosquitto\), not embedded Aedes/);
  });

  test('an external broker given the wrong password: exit 3, the refusal named, the password never printed', { skip: !mosquittoPasswd && 'no mosquitto_passwd' }, async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td);
    const passwordFile = join(dir, 'passwd');
    await promisify(execFile)(mosquittoPasswd!, ['-c', '-b', passwordFile, 'chaos-user', 'right-password']);
    const broker = await startMosquitto({ binary: mosquitto!, runDir: dir, options: { allow_anonymous: false, password_file: passwordFile } });
    td.add(`mosquitto pid ${broker.pid}`, () => broker.stop());
    const brokerSpec = `{ url: "${broker.url}", usernameEnv: MQ_USER, passwordEnv: MQ_PASS }`;
    const { cli } = await runScenarioFile(td, scenario({ broker: brokerSpec, faults: 'embedded', phases: simple }), { MQ_USER: 'chaos-user', MQ_PASS: 'wrong-pw-1d2c' });
    const line = await oneLineExit3(cli, 90_000);
    assert.match(line, new RegExp(`^mqtt-chaos: broker ${broker.url.replace(/\./g, '\\.')} refused the connection: Connection refused: (Bad User Name or Password|Not authorized)`));
    assert.ok(!cli.stderr().includes('wrong-pw-1d2c') && !cli.stdout().includes('wrong-pw-1d2c'), 'the password is never printed');
  });
});
