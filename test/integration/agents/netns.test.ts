/**
 * Agents as separate hosts: each agent runs in its own network namespace, with its own
 * address on a bridge this test makes inside this machine (10.231.0.0/24, nothing routed
 * beyond it), and reaches the coordinator and a Mosquitto in the root namespace over it.
 * The agents cannot reach the coordinator's loopback, so each runs its own fault server:
 * the cut must still reach every agent's clients, and the run must pass. Everything is
 * removed at the end: processes (by PID), the namespaces, the bridge.
 *
 * Needs root (ip netns, ip link). CI runs as root: there a missing privilege fails the
 * test; elsewhere it is skipped with the reason.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI } from '../../helpers/cli.js';
import { alive, invocationDir, outDir, readResult, runCli, runCommand, survivors, waitExit } from '../../helpers/cli-process.js';
import { startMosquitto } from '../../helpers/brokers.js';
import { waitUntil } from '../../helpers/tcp.js';
import { useTeardown, type Teardown } from '../../helpers/teardown.js';
import { mosquittoBinary, needsMosquitto } from '../run/support.js';

const ci = /^(1|true|yes)$/i.test(process.env['CI'] ?? '');
const root = process.getuid?.() === 0;
const skip = needsMosquitto || (root || ci ? false : 'needs root for ip netns and veth links (CI runs as root)');

const SUBNET = '10.231.0';
const COORDINATOR = `${SUBNET}.1`;
const tag = `mqc${process.pid % 100000}`;
const BRIDGE = `${tag}br`;

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });

/** A bridge with the coordinator's address, and one namespace per agent plugged into it. */
function makeNetwork(td: Teardown, agents: number): string[] {
  const namespaces: string[] = [];
  td.add(`ip link del ${BRIDGE}`, () => {
    try {
      ip('link', 'del', BRIDGE);
    } catch {
      // not made
    }
  });
  ip('link', 'add', 'name', BRIDGE, 'type', 'bridge');
  ip('addr', 'add', `${COORDINATOR}/24`, 'dev', BRIDGE);
  ip('link', 'set', BRIDGE, 'up');
  for (let i = 0; i < agents; i++) {
    const ns = `${tag}-a${i}`;
    const outside = `${tag}h${i}`;
    td.add(`ip netns del ${ns}`, () => {
      try {
        ip('netns', 'del', ns);
      } catch {
        // not made
      }
    });
    ip('netns', 'add', ns);
    ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ip('link', 'set', outside, 'master', BRIDGE);
    ip('link', 'set', outside, 'up');
    ip('-n', ns, 'addr', 'add', `${SUBNET}.${10 + i}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    namespaces.push(ns);
  }
  return namespaces;
}

const scenario = (brokerPort: number): string => `name: agents-netns
broker: { url: "mqtt://${COORDINATOR}:${brokerPort}" }
allowRemote: true
faults: embedded
protocols: ["3.1.1", "5"]
groups:
  devices:
    count: 8
    role: subscriber
    clientId: "ns-{run}-{i}"
    session: { clean: false, expiry: 3600 }
    qos: 1
    topic: "netns/{run}/{i}"
    reconnect: { delay: 200ms, jitter: 100ms }
  backend:
    count: 2
    role: publisher
    via: direct
phases:
  - connect: {}
  - subscribe: {}
  - publish: { from: backend, to: devices, perTarget: 2, qos: 1 }
  - wait: 500ms
  - fault: { kind: cut, groups: [devices] }
  - wait: 500ms
  - publish: { from: backend, to: devices, perTarget: 3, qos: 1 }
  - heal: {}
  - drain: { timeout: 15s }
`;

describe('agents in their own network namespaces', { skip }, () => {
  it('2 agents on 10.231.0.10 and .11 join a coordinator on 10.231.0.1: each cuts its own clients, the run passes, all is cleaned up', async (t) => {
    const td = useTeardown(t);
    const namespaces = makeNetwork(td, 2);
    const broker = await startMosquitto(td, mosquittoBinary!, COORDINATOR);
    const out = await outDir(td);
    const file = join(out, 'netns.yaml');
    writeFileSync(file, scenario(broker.port));
    const token = { MQTT_CHAOS_TOKEN: `netns-${process.pid}` };
    const coordinator = runCli(td, ['run', file, '--listen', `${COORDINATOR}:0`, '--expect-agents', '2', '--allow-remote', '--out', out], token);
    await waitUntil(() => /agents: waiting for 2 on /.test(coordinator.stderr()), 30_000, 'the coordinator to listen');
    const port = new RegExp(`agents: waiting for 2 on ${COORDINATOR.replaceAll('.', '\\.')}:(\\d+)`).exec(coordinator.stderr())?.[1];
    assert.ok(port, coordinator.stderr());

    const started = namespaces.map((ns) => runNs(td, ns, ['agent', '--join', `${COORDINATOR}:${port}`], token));
    const exit = await waitExit(coordinator, 120_000);
    assert.equal(exit.code, 0, coordinator.stderr());
    for (const agent of started) {
      const done = await waitExit(agent, 30_000);
      assert.equal(done.code, 0, agent.stderr());
    }

    const result = readResult(invocationDir(out, 'agents-netns'));
    assert.deepEqual(result.runs.map((r) => [r.id, r.verdict]), [['3.1.1', 'pass'], ['5', 'pass']], coordinator.stderr());
    for (const run of result.runs) {
      assert.equal(run.redelivery.expected, 8 * 5);
      assert.equal(run.redelivery.delivered, 8 * 5);
      assert.equal(run.redelivery.offline, 8 * 3, 'the cut reached every agent\'s clients: their messages were sent while they were away');
      assert.deepEqual(run.agents?.map((a) => a.address.split(':')[0]).sort(), [`${SUBNET}.10`, `${SUBNET}.11`], 'each agent joined from its own address');
      const cut = run.timeline.find((e) => e.kind === 'fault-start');
      assert.ok(cut && cut.kind === 'fault-start' && typeof cut.skewMs === 'number' && cut.skewMs >= 0, `the cut's skew is on the timeline: ${JSON.stringify(cut)}`);
    }
    for (const agent of started) {
      assert.equal(alive(agent.child.pid!), false);
      assert.deepEqual(survivors(agent), [], 'no fault server or worker of an agent outlives it');
    }
    assert.deepEqual(survivors(coordinator), []);
    // Removed here (not only at teardown) so the removal itself is checked.
    for (const ns of namespaces) ip('netns', 'del', ns);
    ip('link', 'del', BRIDGE);
    const left = ip('netns', 'list');
    for (const ns of namespaces) assert.doesNotMatch(left, new RegExp(`^${ns}\\b`, 'm'));
    assert.doesNotMatch(ip('link', 'show'), new RegExp(BRIDGE));
  });
});

/** The CLI inside a namespace: `ip netns exec` execs node in place, so the PID is the agent's. */
function runNs(td: Teardown, ns: string, args: string[], env: NodeJS.ProcessEnv) {
  return runCommand(td, 'ip', ['netns', 'exec', ns, process.execPath, CLI, ...args], env);
}
