/** Shared by the worker pool tests: plans, shard inits, a pool released at teardown. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startBroker } from '../../../src/brokers/start-broker.js';
import type { BrokerSpec, BrokerTarget, ProtocolVersion } from '../../../src/brokers/types.js';
import type { ClientLog, ShardLedger } from '../../../src/metrics/ledger.js';
import type { GroupPlan } from '../../../src/scenario/plan.js';
import { startShards, type ShardPool } from '../../../src/workers/pool.js';
import { splitExactly, type ShardEvent, type ShardInit, type ShardStatus } from '../../../src/workers/protocol.js';
import type { Teardown } from '../../helpers/teardown.js';

let runs = 0;

/** A topic prefix no other test (or leftover session) shares. */
export function uniquePrefix(): string {
  runs += 1;
  return `wt-${process.pid}-${runs}`;
}

/** A broker with a temp run dir; both released at teardown (stop first, then the dir). */
export async function broker(td: Teardown, spec: BrokerSpec): Promise<BrokerTarget> {
  const runDir = await mkdtemp(join(tmpdir(), 'mqtt-chaos-workers-'));
  td.add(`rm ${runDir}`, () => rm(runDir, { recursive: true, force: true }));
  const target = await startBroker(spec, { runDir });
  td.add(target.description, () => target.stop());
  return target;
}

export function subscribers(name: string, count: number, prefix: string, session: Partial<GroupPlan> = {}): GroupPlan {
  return {
    name,
    count,
    role: 'subscriber',
    clientId: `${prefix}-${name}-{i}`,
    clean: false,
    sessionExpiry: 0xffffffff,
    keepAliveSec: 30,
    qos: 1,
    topic: `${prefix}/${name}/{i}`,
    via: 'direct',
    reconnect: { backoff: 'fixed', delayMs: 200, jitterMs: 100 },
    ...session,
  };
}

export function publishers(name: string, count: number, prefix: string): GroupPlan {
  return {
    name,
    count,
    role: 'publisher',
    clientId: `${prefix}-${name}-{i}`,
    clean: true,
    sessionExpiry: 0,
    keepAliveSec: 30,
    qos: 1,
    via: 'direct',
    reconnect: { backoff: 'fixed', delayMs: 200, jitterMs: 100 },
  };
}

/** What the engine builds: every group split exactly over the shards, straight to the broker. */
export function shardInits(groups: GroupPlan[], shards: number, target: BrokerTarget, protocol: ProtocolVersion): ShardInit[] {
  const topics: Record<string, string> = {};
  const groupSizes: Record<string, number> = {};
  for (const g of groups) {
    if (g.topic) topics[g.name] = g.topic;
    groupSizes[g.name] = g.count;
  }
  return Array.from({ length: shards }, (_, shard) => ({
    shard,
    protocol,
    shards,
    seed: 7,
    invocation: 0x5eed,
    topics,
    groupSizes,
    groups: groups.map((plan) => ({ plan, ...splitExactly(plan.count, shards)[shard]!, endpoints: [{ host: target.host, port: target.port }] })),
  }));
}

/** A started pool, destroyed at teardown; its events are kept for assertions. */
export async function pool(td: Teardown, inits: ShardInit[]): Promise<{ pool: ShardPool; events: ShardEvent[] }> {
  const events: ShardEvent[] = [];
  const started = await startShards(inits, (e) => events.push(e));
  td.add('worker pool', () => started.destroy());
  return { pool: started, events };
}

export function total(statuses: ShardStatus[], key: Exclude<keyof ShardStatus, 'groups'>): number {
  return statuses.reduce((n, s) => n + s[key], 0);
}

/** Polls the pool's status until `pred` holds; rejects after `timeoutMs`. */
export async function waitForStatus(p: ShardPool, pred: (s: ShardStatus[]) => boolean, timeoutMs: number, what: string): Promise<ShardStatus[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const statuses = await p.status();
    if (pred(statuses)) return statuses;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${JSON.stringify(statuses)}`);
    await delay(50);
  }
}

export function clientsOf(ledgers: ShardLedger[], group: string): ClientLog[] {
  return ledgers.flatMap((l) => l.clients).filter((c) => c.ref.startsWith(`${group}/`));
}

export function receivedBy(ledgers: ShardLedger[], group: string): ShardLedger['received'] {
  return ledgers.flatMap((l) => l.received).filter((r) => r.subscriber.startsWith(`${group}/`));
}
