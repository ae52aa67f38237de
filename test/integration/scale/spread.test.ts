/**
 * Port and address spreading with a few hundred clients: `scale.connectionsPerPort: 100`
 * forces what a population past the ephemeral range gets. 300 proxied clients need 3
 * proxy listen ports and 3 broker listeners for the proxies' upstream connections; 252
 * direct clients need 3 source addresses (127.0.0.1-3). The broker's log shows which
 * listener and source address every connection came by; every message is accounted for.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { useTeardown } from '../../helpers/teardown.js';
import { describeRun, needsMosquitto, planFrom, runPlan, tempDir } from '../run/support.js';

const PER_PORT = 100;
const PROXIED = 300;
const DIRECT = 250;
const PER_TARGET = 3;

const SCENARIO = `
name: spread
broker: managed-mosquitto
faults: embedded
protocols: ["5"]
scale: { connectionsPerPort: ${PER_PORT} }
groups:
  devices:
    count: ${PROXIED}
    role: subscriber
    session: { clean: false, expiry: 3600 }
    topic: "spread/{run}/dev/{i}"
    reconnect: { delay: 200ms, max: 1s }
  local:
    count: ${DIRECT}
    role: subscriber
    via: direct
    session: { clean: false, expiry: 3600 }
    topic: "spread/{run}/local/{i}"
  backend:
    count: 2
    role: publisher
    via: direct
phases:
  - connect: {}
  - subscribe: {}
  - fault: { kind: cut, groups: [devices] }
  - wait: 300ms
  - publish: { from: backend, to: devices, perTarget: ${PER_TARGET}, qos: 1 }
  - publish: { from: backend, to: local, perTarget: ${PER_TARGET}, qos: 1 }
  - heal: {}
  - drain: { timeout: 20s }
`;

/** "New connection from 127.0.0.2:40312 on port 41234." lines of a Mosquitto log. */
function connections(log: string): { source: string; port: number }[] {
  return [...log.matchAll(/New connection from ([\d.]+):\d+ on port (\d+)\./g)].map((m) => ({ source: m[1]!, port: Number(m[2]) }));
}

describe('connections spread over proxy ports, broker listeners and source addresses', { skip: needsMosquitto }, () => {
  it(`${PROXIED} proxied and ${DIRECT + 2} direct clients at ${PER_PORT} per pair: 3 of each, every message accounted for`, async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'spread');
    const ran = await runPlan(td, await planFrom(dir, SCENARIO), dir);
    const run = ran.result.runs[0]!;
    const why = describeRun(run, ran.log);
    assert.equal(run.incomplete, undefined, why);
    assert.ok(
      ran.log.some((l) => l.includes(`${PER_PORT} connections per (source, destination) pair: 3 proxy listen ports, 3 broker listeners, 3 source addresses`)),
      why,
    );

    const runDirs = await readdir(join(dir, 'runs'));
    const seen = connections(await readFile(join(dir, 'runs', runDirs[0]!, 'mosquitto.log'), 'utf8'));
    const perPort = new Map<number, number>();
    for (const c of seen) perPort.set(c.port, (perPort.get(c.port) ?? 0) + 1);
    assert.equal(perPort.size, 3, `connections came in on 3 listeners: ${JSON.stringify([...perPort])}`);
    // Each listener carried one proxy's share (reconnects after the heal count again).
    for (const [port, n] of perPort) assert.ok(n >= PROXIED / 3, `listener ${port}: ${n} connections`);
    const sources = new Set(seen.map((c) => c.source));
    assert.deepEqual([...sources].sort(), ['127.0.0.1', '127.0.0.2', '127.0.0.3'], 'direct clients bound 3 source addresses');

    const r = run.redelivery;
    assert.equal(r.expected, (PROXIED + DIRECT) * PER_TARGET, why);
    assert.equal(r.delivered, r.expected, `every expected message delivered\n${why}`);
    assert.equal(r.lost, 0, why);
    assert.equal(r.offlineDelivered, PROXIED * PER_TARGET, `the cut devices got their backlog\n${why}`);
    assert.equal(run.reconnect.notReconnected, 0, why);
  });
});
