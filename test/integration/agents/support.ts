/**
 * Shared by the agent tests: a scenario run through the engine as `mqtt-chaos run
 * --agents N` does it (local agent processes of this test process), judged, with a check
 * that no process it started (broker, fault server, agents) outlives it. Those are the
 * test process's children, found by parent PID and killed by PID if one is left.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { judgeScenario } from '../../../src/checks/judge.js';
import type { AgentsRequest } from '../../../src/engine/agents-setup.js';
import { runScenario, type ScenarioOutcome } from '../../../src/engine/orchestrator.js';
import type { Result } from '../../../src/result/result.js';
import type { Plan } from '../../../src/scenario/index.js';
import type { Teardown } from '../../helpers/teardown.js';
import { childrenOf } from '../run/support.js';

export interface AgentRan {
  outcome: ScenarioOutcome;
  result: Result;
  log: string[];
  /** PIDs of the local agents, once they had joined. */
  agentPids: number[];
}

export interface AgentRunOptions {
  agents?: AgentsRequest;
  /** Sees every log line as it is written (a test can act mid-run). */
  onLog?: (line: string, pids: readonly number[]) => void;
  signal?: AbortSignal;
}

export async function runWithAgents(td: Teardown, plan: Plan, dir: string, options: AgentRunOptions = {}): Promise<AgentRan> {
  const before = new Set(childrenOf(process.pid));
  const log: string[] = [];
  const agentPids: number[] = [];
  td.add('leftover child processes', () => {
    for (const pid of childrenOf(process.pid).filter((p) => !before.has(p))) process.kill(pid, 'SIGKILL');
  });
  const outcome = await runScenario(plan, {
    runDir: join(dir, 'runs'),
    signal: options.signal ?? new AbortController().signal,
    log: (line) => {
      log.push(line);
      options.onLog?.(line, agentPids);
    },
    ...(options.agents ? { agents: options.agents, onAgents: (pids: readonly number[]) => void agentPids.push(...pids) } : {}),
  });
  const after = childrenOf(process.pid).filter((pid) => !before.has(pid));
  assert.deepEqual(after, [], `child processes left running after the run: ${after.join(', ')}\n${log.join('\n')}`);
  return { outcome, result: judgeScenario(plan, outcome.records), log, agentPids };
}
