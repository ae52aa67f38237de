/**
 * Ctrl-C and SIGTERM during every kind of phase, against a fault server the test runs
 * (as a user's own Toxiproxy): the CLI exits 130 or 143 with a result.json marked
 * interrupted that keeps what was measured, deletes the proxies it created and only those,
 * stops the Mosquitto it started, leaves no temporary file; and the next run goes through.
 * Each case's scenario makes its target phase last seconds (rate-limited connect and
 * publish, latency, a long wait or settle, a drain on messages that cannot arrive, a fault
 * server slow to answer), so the signal lands inside it; the timeline proves it did.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PhasePlan } from '../../src/scenario/plan.js';
import type { Result } from '../../src/result/result.js';
import { CLI } from '../helpers/cli.js';
import { alive, invocationDir, noStackTrace, outDir, readResult, runCli, survivors, waitExit, type Cli } from '../helpers/cli-process.js';
import { Api, startServer, type ProxyJson } from '../helpers/faults.js';
import { expectRefused, sleep, waitUntil } from '../helpers/tcp.js';
import { Teardown, useTeardown } from '../helpers/teardown.js';
import { requireMosquitto } from '../helpers/requires.js';

const mosquitto = requireMosquitto();
const skip = !existsSync(CLI) ? `not built: ${CLI}` : mosquitto ? false : 'mosquitto is not installed';

/** How long the slow fault server holds each change to an existing proxy. */
const SLOW_API_MS = 5000;

const GROUPS = `name: signals
broker: managed-mosquitto
protocols: ["5"]
groups:
  devices:
    count: 6
    role: subscriber
    session: { clean: false, expiry: 30 }
    qos: 1
    topic: "signals/{run}/{i}"
    keepAlive: 60s
    reconnect: { delay: 200ms, jitter: 100ms }
  backend:
    count: 1
    role: publisher
    via: direct
  senders:
    count: 1
    role: publisher
phases:
`;

interface Case {
  kind: PhasePlan['kind'];
  signal: 'SIGINT' | 'SIGTERM';
  /** The last one is the phase the signal is sent in. */
  phases: string[];
  /** Through the fault server that holds each change for SLOW_API_MS. */
  slowFaults?: boolean;
}

const CASES: Case[] = [
  { kind: 'connect', signal: 'SIGTERM', phases: ['connect: { groups: [devices], rate: 1/s }'] },
  { kind: 'subscribe', signal: 'SIGINT', phases: ['connect: {}', 'fault: { kind: latency, groups: [devices], latency: 3s }', 'subscribe: {}'] },
  { kind: 'publish', signal: 'SIGTERM', phases: ['connect: {}', 'subscribe: {}', 'publish: { from: backend, to: devices, perTarget: 4, rate: 3/s }'] },
  { kind: 'fault', signal: 'SIGINT', phases: ['connect: {}', 'fault: { kind: cut, groups: [devices] }'], slowFaults: true },
  { kind: 'heal', signal: 'SIGTERM', phases: ['connect: {}', 'fault: { kind: cut, groups: [devices] }', 'heal: {}'], slowFaults: true },
  { kind: 'wait', signal: 'SIGINT', phases: ['connect: {}', 'wait: 60s'] },
  { kind: 'wait', signal: 'SIGTERM', phases: ['connect: {}', 'wait: 60s'] },
  {
    kind: 'drain',
    signal: 'SIGINT',
    phases: ['connect: {}', 'subscribe: {}', 'fault: { kind: cut, groups: [devices] }', 'publish: { from: backend, to: devices, perTarget: 1 }', 'drain: { timeout: 60s }'],
  },
  // A publish into a partition is never acknowledged, and a graceful DISCONNECT waits for the acks (5 s at most).
  {
    kind: 'disconnect',
    signal: 'SIGTERM',
    phases: ['connect: {}', 'subscribe: {}', 'fault: { kind: partition, groups: [senders] }', 'publish: { from: senders, to: devices, perTarget: 1 }', 'disconnect: { groups: [senders] }'],
  },
  { kind: 'measure', signal: 'SIGINT', phases: ['connect: {}', 'measure: { label: idle, settle: 60s }'] },
  { kind: 'measure-expiry', signal: 'SIGTERM', phases: ['measure-expiry: { groups: [devices], maxWait: 90s }'] },
];

const EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * The fault server as seen through a slow network: every change to an existing proxy
 * (a cut, a toxic, a heal) is held SLOW_API_MS before it is passed on; creating, listing
 * and deleting proxies go straight through.
 */
async function startSlowForwarder(td: Teardown, target: string): Promise<string> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const change = (req.method === 'POST' && /^\/proxies\/[^/]+/.test(path)) || (req.method === 'DELETE' && path.includes('/toxics/'));
      setTimeout(
        () => {
          const forward = request(
            { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: req.headers },
            (answer) => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
            },
          );
          forward.on('error', () => res.destroy());
          forward.end(Buffer.concat(chunks));
        },
        change ? SLOW_API_MS : 0,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  td.add('slow forwarder', () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function proxies(api: Api): Promise<Record<string, ProxyJson>> {
  const res = await api.call('GET', '/proxies');
  assert.equal(res.status, 200);
  return JSON.parse(res.text) as Record<string, ProxyJson>;
}

/** Every phase-start the CLI printed as NDJSON so far. */
function phaseStarts(cli: Cli): number[] {
  return cli
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{"type":"phase-start"'))
    .map((l) => (JSON.parse(l) as { phase: number }).phase);
}

/** Files a writer left half-done (atomic writes go through `*.tmp`). */
function temporaryFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tmp'));
}

describe('SIGINT and SIGTERM during each kind of phase', { skip }, () => {
  const suite = new Teardown(10_000);
  let api: Api;
  let direct: string;
  let slow: string;
  /** A proxy someone else made on the same fault server: no run may touch it. */
  let bystander: ProxyJson;

  before(async () => {
    const server = await startServer(suite);
    direct = server.url;
    slow = await startSlowForwarder(suite, direct);
    api = new Api(direct);
    bystander = await api.createProxy('someone-elses', '127.0.0.1:1');
  });
  after(() => suite.run());

  for (const c of CASES) {
    test(`${c.signal} during ${c.kind}: exit ${EXIT[c.signal]}, result.json marked interrupted, no proxy of the run left, the broker stopped`, async (t) => {
      const td = useTeardown(t);
      const out = await outDir(td, 'mqtt-chaos-signals-');
      const scenario = join(out, 'signals.yaml');
      writeFileSync(scenario, GROUPS + c.phases.map((p) => `  - ${p}\n`).join(''));
      const target = c.phases.length - 1;
      const cli = runCli(td, ['run', scenario, '--out', join(out, 'reports'), '--json', '--toxiproxy', c.slowFaults ? slow : direct]);

      await waitUntil(() => phaseStarts(cli).includes(target) || cli.hasExited(), 60_000, `phase ${target + 1} (${c.kind}) to start`);
      assert.equal(cli.hasExited(), false, `exited before phase ${target + 1}:\n${cli.stderr()}`);
      // Let the phase's work get under way (a request in flight, clients connecting).
      await sleep(300);
      const sentAt = performance.now();
      process.kill(cli.child.pid!, c.signal);
      const exit = await waitExit(cli, 40_000);
      // A figure for the reader, not an assertion (timing lives in bench/).
      t.diagnostic(`exited ${Math.round(performance.now() - sentAt)} ms after ${c.signal}`);
      assert.deepEqual(exit, { code: EXIT[c.signal], signal: null }, `stderr:\n${cli.stderr()}`);
      noStackTrace(cli);

      const dir = invocationDir(join(out, 'reports'), 'signals');
      const result = readResult(dir);
      assert.equal(result.runs.length, 1);
      const run = result.runs[0]!;
      assert.equal(run.incomplete, `interrupted (${c.signal})`, 'the run says why it is incomplete');
      assert.equal(run.verdict, 'incomplete', 'an interrupted run is INCOMPLETE, never a pass');
      const marks = (kind: string): number[] => run.timeline.filter((e) => e.kind === kind).map((e) => (e as { phase: number }).phase);
      assert.ok(marks('phase-start').includes(target), `phase ${target + 1} began: ${JSON.stringify(run.timeline)}`);
      assert.ok(!marks('phase-end').includes(target), `the signal came while phase ${target + 1} (${c.kind}) ran, not after it`);
      assert.deepEqual(marks('phase-end'), [...Array(target).keys()], 'every phase before it is on the timeline');
      const printed = JSON.parse(cli.stdout().trimEnd().split('\n').at(-1)!) as Result;
      assert.deepEqual(printed.runs[0]!.timeline, run.timeline, '--json printed the same partial result last');
      if (c.kind === 'publish') assert.ok(run.redelivery.delivered > 0, `what was delivered before the signal is kept: ${JSON.stringify(run.redelivery)}`);
      assert.deepEqual(temporaryFiles(out), [], 'no temporary file left');

      const left = await proxies(api);
      assert.deepEqual(Object.keys(left), ['someone-elses'], 'the run deleted its proxies, and only its own');
      assert.deepEqual(left['someone-elses'], bystander, 'the proxy the run did not create is as it was');

      const pid = Number(/\(pid (\d+)\)/.exec(run.broker.description)?.[1]);
      assert.ok(pid > 0, `the broker's pid is in the result: ${run.broker.description}`);
      assert.ok(cli.children.has(pid), `the broker (pid ${pid}) was seen as a child of the CLI`);
      assert.equal(alive(pid), false, `the Mosquitto the run started (pid ${pid}) is stopped`);
      await expectRefused(Number(new URL(run.broker.url).port), td);
      assert.deepEqual(survivors(cli), [], 'no process the CLI started outlived it');
    });
  }

  test('a run right after the interrupted ones goes through: nothing left over trips it', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td, 'mqtt-chaos-signals-');
    const scenario = join(out, 'signals.yaml');
    const phases = ['connect: {}', 'subscribe: {}', 'publish: { from: backend, to: devices, perTarget: 2 }', 'drain: { timeout: 30s }'];
    writeFileSync(scenario, GROUPS + phases.map((p) => `  - ${p}\n`).join(''));
    const cli = runCli(td, ['run', scenario, '--out', join(out, 'reports'), '--toxiproxy', direct]);
    const exit = await waitExit(cli, 60_000);
    assert.deepEqual(exit, { code: 0, signal: null }, `stderr:\n${cli.stderr()}`);
    const run = readResult(invocationDir(join(out, 'reports'), 'signals')).runs[0]!;
    assert.equal(run.verdict, 'pass');
    assert.equal(run.redelivery.delivered, 12, '6 devices × 2 messages');
    assert.deepEqual(Object.keys(await proxies(api)), ['someone-elses']);
    assert.deepEqual(survivors(cli), []);
  });
});
