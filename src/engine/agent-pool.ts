/**
 * The engine's Shards over agents: the same barrier, status and finish as the worker pool
 * (workers/pool.ts), each forwarded to the agents that own the shards. An agent holds a
 * contiguous block of shards, so the run's exact split of every group is unchanged: which
 * process runs a shard does not change what it does. An agent that is lost rejects what
 * waits on it, is reported once through `onLost` with its share, and is left out of
 * finish; the others' ledgers are kept.
 */
import type { ShardLedger } from '../metrics/ledger.js';
import { clientsOf, type ShardEvent, type ShardInit, type ShardStatus } from '../workers/protocol.js';
import type { AgentConnection } from './agent-connection.js';
import type { ClockOffset } from './agent-clock.js';
import type { ShardOwner, Shards } from './shards.js';

export interface AgentShare {
  agent: AgentConnection;
  clock: ClockOffset;
  inits: ShardInit[];
}

/** An agent the run lost, and the clients it ran: what the run is missing. */
export interface LostAgent {
  agent: number;
  name: string;
  why: string;
  shards: number[];
  /** Per group, the client indices it owned (contiguous: its shards are). */
  share: { group: string; first: number; count: number }[];
}

export interface AgentShards extends Shards {
  /** The agent of each shard and the clients it holds, in shard order (for per-agent progress). */
  readonly owners: readonly ShardOwner[];
}

export function shareOf(inits: readonly ShardInit[]): LostAgent['share'] {
  const byGroup = new Map<string, { first: number; count: number }>();
  for (const init of inits) {
    for (const g of init.groups) {
      if (g.count === 0) continue;
      const had = byGroup.get(g.plan.name);
      byGroup.set(g.plan.name, had ? { first: Math.min(had.first, g.first), count: had.count + g.count } : { first: g.first, count: g.count });
    }
  }
  return [...byGroup].map(([group, slice]) => ({ group, ...slice }));
}

/** Agents with no shard this run (more agents than shards) are left idle. */
export async function startAgentShards(
  shares: readonly AgentShare[],
  onEvent: (event: ShardEvent) => void,
  onCrash: (shard: number, message: string) => void,
  onLost: (lost: LostAgent) => void,
): Promise<AgentShards> {
  const working = shares.filter((s) => s.inits.length > 0);
  let closing = false;
  for (const { agent, inits } of working) {
    agent.onEvent = onEvent;
    agent.onCrash = onCrash;
    agent.whenEnded((why) => {
      if (closing) return;
      onLost({ agent: agent.info.agent, name: agent.name, why, shards: inits.map((i) => i.shard), share: shareOf(inits) });
    });
  }
  const started = await Promise.allSettled(
    working.map(({ agent, inits, clock }) => agent.request({ kind: 'start', inits, clockOffsetMs: clock.offsetMs })),
  );
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const destroyAll = async (): Promise<void> => {
    closing = true;
    await Promise.all(working.map(({ agent }) => agent.request({ kind: 'destroy' }).catch(() => undefined)));
  };
  if (failed) {
    await destroyAll();
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
  const owners = working.flatMap(({ agent, inits }) => inits.map((init) => ({ agent: agent.info.agent, clients: clientsOf(init) })));
  return {
    owners,
    run: async (command) => {
      if (command.kind === 'status' || command.kind === 'finish') throw new Error(`${command.kind} is not a phase command`);
      await Promise.all(working.map(({ agent }) => agent.request({ kind: 'send', target: 'all', command })));
    },
    status: async () => {
      const replies = await Promise.all(working.map(({ agent }) => agent.request({ kind: 'status' })));
      return replies.flatMap((r): ShardStatus[] => (r.kind === 'statuses' ? r.statuses : []));
    },
    finish: async (clear) => {
      const replies = await Promise.all(
        working.map(({ agent }) => agent.request({ kind: 'finish', ...(clear ? { clear } : {}) }).catch(() => undefined)),
      );
      return replies.flatMap((r): ShardLedger[] => (r?.kind === 'ledgers' ? r.ledgers : []));
    },
    destroy: destroyAll,
  };
}
