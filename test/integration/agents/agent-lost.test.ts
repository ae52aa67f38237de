/**
 * An agent killed with SIGKILL mid-run: the coordinator sees its link close at once, stops
 * the run (no phase waits on it), keeps the other agents' ledgers, and the run is
 * INCOMPLETE with a shortfall naming the agent and the clients it ran. Nothing is left
 * running: the killed agent's threads died with it, the others were told to stop.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHarnessError } from '../../../src/errors.js';
import { groupOf } from '../../../src/checks/subscribers.js';
import { startMosquitto } from '../../helpers/brokers.js';
import { useTeardown } from '../../helpers/teardown.js';
import { mosquittoBinary, needsMosquitto, planFrom, tempDir } from '../run/support.js';
import { runWithAgents } from './support.js';
import { childrenOf } from '../run/support.js';
import { waitUntil } from '../../helpers/tcp.js';

const scenario = (url: string): string => `name: agent-lost
broker: { url: "${url}" }
faults: embedded
protocols: ["5"]
groups:
  devices:
    count: 9
    role: subscriber
    session: { clean: false, expiry: 60 }
    qos: 1
    topic: "lost/{run}/{i}"
  backend:
    count: 2
    role: publisher
    via: direct
phases:
  - connect: {}
  - subscribe: {}
  - wait: 30s
  - publish: { from: backend, to: devices, perTarget: 2, qos: 1 }
  - drain: { timeout: 10s }
`;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('agents: one lost mid-run', { skip: needsMosquitto }, () => {
  it('SIGKILL of agent 2 during a wait: INCOMPLETE, its share named, the others\' ledgers kept, nothing left running', async (t) => {
    const td = useTeardown(t);
    const broker = await startMosquitto(td, mosquittoBinary!);
    const dir = await tempDir(td, 'agent-lost');
    const plan = await planFrom(dir, scenario(`mqtt://127.0.0.1:${broker.port}`));
    let killed: number | undefined;
    const seen: string[] = [];
    // The killed agent's own children (its fault server): they must not live on as orphans.
    const orphans: number[] = [];
    const ran = await runWithAgents(td, plan, dir, {
      agents: { kind: 'local', count: 3 },
      onLog: (line, pids) => {
        // The subscribe phase is done: the wait has begun. Agent 2 is the second to join.
        if (killed === undefined && /phase 2\/5: subscribe/.test(line)) {
          const agent2 = /agent 2 \(pid (\d+)/.exec(seen.join('\n'))?.[1];
          killed = Number(agent2);
          assert.ok(pids.includes(killed), `agent 2 (pid ${killed}) is one of the local agents ${pids.join(', ')}`);
          orphans.push(...childrenOf(killed));
          process.kill(killed, 'SIGKILL');
        }
        seen.push(line);
      },
    });
    const log = ran.log.join('\n');
    assert.ok(killed !== undefined, `the kill happened\n${log}`);
    assert.equal(alive(killed), false, 'the killed agent is gone');
    for (const pid of ran.agentPids) assert.equal(alive(pid), false, `agent pid ${pid} is gone`);
    assert.ok(orphans.length > 0, 'the killed agent had started its fault server');
    await waitUntil(() => orphans.every((pid) => !alive(pid)), 10_000, `the killed agent's fault server (${orphans.join(', ')}) to exit`);

    assert.ok(isHarnessError(ran.outcome.error) && ran.outcome.error.code === 'E_ENVIRONMENT', `the invocation ends as an environment failure (exit 3)\n${log}`);
    const record = ran.outcome.records[0]!;
    assert.match(record.incomplete ?? '', new RegExp(`^agent 2 \\(pid ${killed} on .+\\) was lost during phase 3 \\(wait 30s\\)`), log);
    assert.deepEqual(
      record.timeline.filter((e) => e.kind === 'environment-fault').map((e) => e.kind === 'environment-fault' && e.cause),
      ['agent-lost'],
    );
    assert.deepEqual(record.ledgers.map((l) => l.shard).sort(), [0, 2], 'agents 1 and 3 handed in their ledgers');
    const refs = record.ledgers.flatMap((l) => l.clients.map((c) => c.ref)).sort();
    assert.deepEqual(refs, ['backend/0', 'devices/0', 'devices/1', 'devices/2', 'devices/6', 'devices/7', 'devices/8'], 'every client of the other agents, none of agent 2');
    assert.ok(refs.every((r) => ['backend', 'devices'].includes(groupOf(r))));

    const run = ran.result.runs[0]!;
    assert.equal(run.verdict, 'incomplete');
    const lost = run.shortfalls?.find((s) => s.kind === 'agent-lost');
    assert.ok(lost, `an agent-lost shortfall: ${JSON.stringify(run.shortfalls)}`);
    assert.match(lost.text, new RegExp(`^agent 2 \\(pid ${killed} on .+\\) was lost \\(its link closed during phase 3 \\(wait 30s\\)\\): its 4 clients \\(devices 3–5, backend 1–1\\) have no ledger$`));
    assert.deepEqual([lost.done, lost.of], [0, 4]);
    assert.deepEqual(run.agents?.map((a) => a.lost !== undefined), [false, true, false]);
  });

  it('an agent that stops answering (SIGSTOP) is dropped after the silence limit: INCOMPLETE, its share named, nothing left running', async (t) => {
    const td = useTeardown(t);
    process.env.MQTT_CHAOS_TEST_AGENT_SILENCE_MS = '2000';
    td.add('silence limit', () => void delete process.env.MQTT_CHAOS_TEST_AGENT_SILENCE_MS);
    const broker = await startMosquitto(td, mosquittoBinary!);
    const dir = await tempDir(td, 'agent-silent');
    const plan = await planFrom(dir, scenario(`mqtt://127.0.0.1:${broker.port}`));
    let stopped: number | undefined;
    const seen: string[] = [];
    const orphans: number[] = [];
    const ran = await runWithAgents(td, plan, dir, {
      agents: { kind: 'local', count: 2 },
      onLog: (line) => {
        seen.push(line);
        if (stopped === undefined && /phase 2\/5: subscribe/.test(line)) {
          stopped = Number(/agent 1 \(pid (\d+)/.exec(seen.join('\n'))?.[1]);
          orphans.push(...childrenOf(stopped));
          process.kill(stopped, 'SIGSTOP');
        }
      },
    });
    const log = ran.log.join('\n');
    assert.ok(stopped !== undefined, log);
    assert.equal(alive(stopped), false, 'the stopped agent was killed by its PID when the coordinator stopped its agents');
    assert.ok(orphans.length > 0, 'the stopped agent had started its fault server');
    await waitUntil(() => orphans.every((pid) => !alive(pid)), 10_000, `the stopped agent's fault server (${orphans.join(', ')}) to exit`);
    const record = ran.outcome.records[0]!;
    assert.match(record.incomplete ?? '', new RegExp(`^agent 1 \\(pid ${stopped} on .+\\) was lost during phase 3 \\(wait 30s\\) \\(it answered nothing for \\d+ s\\)`), log);
    assert.deepEqual(record.ledgers.map((l) => l.shard), [1], 'agent 2 handed in its ledger');
    const lost = ran.result.runs[0]!.shortfalls?.find((s) => s.kind === 'agent-lost');
    assert.match(lost?.text ?? '', /^agent 1 \(pid \d+ on .+\) was lost \(it answered nothing for \d+ s during phase 3 \(wait 30s\)\): its 6 clients \(devices 0–4, backend 0–0\) have no ledger$/);
  });
});
