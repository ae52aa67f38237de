/**
 * Each agent process has its own performance.now() origin. The coordinator measures the
 * offset NTP-style over the agent link: it notes its clock before (t0) and after (t1) a
 * round trip, the agent its own at the answer (a); offset = (t0 + t1) / 2 - a, within
 * ± (t1 - t0) / 2. Of several samples the one with the shortest round trip is kept: its
 * bound is the tightest. The agent's shards then record on the coordinator's clock
 * (workers/shifted-clock.ts), so its ledger needs no conversion afterwards.
 */
import type { AgentConnection } from './agent-connection.js';

export interface ClockOffset {
  /** Add to the agent's performance.now() to get the coordinator's. */
  offsetMs: number;
  /** Half the best round trip: the offset is right within this. */
  uncertaintyMs: number;
  samples: number;
}

const SAMPLES = 16;

export async function measureClockOffset(agent: AgentConnection, samples = SAMPLES): Promise<ClockOffset> {
  let best: { offsetMs: number; uncertaintyMs: number } | undefined;
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    const at = await agent.clockSample();
    const t1 = performance.now();
    const uncertaintyMs = (t1 - t0) / 2;
    if (!best || uncertaintyMs < best.uncertaintyMs) best = { offsetMs: (t0 + t1) / 2 - at, uncertaintyMs };
  }
  return { ...best!, samples };
}
