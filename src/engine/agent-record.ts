/** What a run records of its agents: who ran which clients, on which clock, and which were lost. */
import type { AgentResult } from '../result/agents.js';
import type { ShardInit } from '../workers/protocol.js';
import type { AgentFleet } from './agent-fleet.js';
import { shareOf, type LostAgent } from './agent-pool.js';

const ROUND = 1000;

export function agentRecords(fleet: AgentFleet, inits: readonly ShardInit[], lost: readonly LostAgent[]): AgentResult[] {
  return fleet.deal(inits).map(({ agent, clock, inits: mine }) => {
    const share = shareOf(mine);
    const gone = lost.find((l) => l.agent === agent.info.agent);
    return {
      agent: agent.info.agent,
      host: agent.info.host,
      pid: agent.info.pid,
      address: agent.info.address,
      shards: mine.map((i) => i.shard),
      clients: share.reduce((n, s) => n + s.count, 0),
      share,
      clockOffsetMs: Math.round(clock.offsetMs * ROUND) / ROUND,
      clockUncertaintyMs: Math.round(clock.uncertaintyMs * ROUND) / ROUND,
      ...(gone ? { lost: gone.why } : {}),
    };
  });
}
