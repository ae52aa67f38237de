import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startBroker } from '../brokers/start-broker.js';
import type { BrokerSpec, BrokerTarget } from '../brokers/types.js';
import type { Plan, RunPlan } from '../scenario/plan.js';
import { shardCount, startShards } from '../workers/pool.js';
import { splitExactly, type Endpoint, type ShardInit } from '../workers/protocol.js';
import { FaultController } from './fault-controller.js';
import { within } from './clock.js';
import { describePhase, drivePhase, type Shards } from './phase-driver.js';
import type { BrokerInfo, RunRecord, TimelineEvent } from './run-record.js';

export interface RunContext {
  plan: Plan;
  run: RunPlan;
  /** `auto` already resolved, so every run of an invocation uses the same kind of broker. */
  broker: BrokerSpec;
  /** One or more fault servers, sharing out the proxied clients. */
  faultServerUrls: readonly string[];
  runDir: string;
  signal: AbortSignal;
  log: (line: string) => void;
}

/** Workers get this long to hand in their ledgers before their threads are ended. */
const finishTimeoutMs = 30_000;

/** The work, unless the run is aborted first (a phase stuck on a dead broker must not hold Ctrl-C). */
function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    }),
  ]);
}

function brokerInfo(target: BrokerTarget, spec: BrokerSpec): BrokerInfo {
  return {
    kind: target.kind,
    url: target.url,
    description: target.description,
    ...(target.version ? { version: target.version } : {}),
    ...(target.software ? { software: target.software } : {}),
    options: spec.kind === 'managed-mosquitto' ? spec.options : {},
  };
}

/** Splits every group over the shards exactly; each shard gets its slice of each group. */
function shardInits(ctx: RunContext, endpoints: Map<string, Endpoint[]>, target: BrokerTarget): ShardInit[] {
  const { run, plan } = ctx;
  const total = run.groups.reduce((n, g) => n + g.count, 0);
  const shards = shardCount(total);
  const slices = new Map(run.groups.map((g) => [g.name, splitExactly(g.count, shards)]));
  const topics: Record<string, string> = {};
  const groupSizes: Record<string, number> = {};
  for (const g of run.groups) {
    if (g.topic) topics[g.name] = g.topic;
    groupSizes[g.name] = g.count;
  }
  return Array.from({ length: shards }, (_, shard) => ({
    shard,
    protocol: run.protocol,
    shards,
    seed: plan.seed,
    topics,
    groupSizes,
    groups: run.groups.map((plan) => {
      const slice = slices.get(plan.name)?.[shard] ?? { first: 0, count: 0 };
      return { plan, ...slice, endpoints: endpoints.get(plan.name) ?? [{ host: target.host, port: target.port }] };
    }),
    ...(target.credentials ? { credentials: target.credentials } : {}),
  }));
}

/**
 * One run of the matrix: a fresh broker (so runs do not share sessions), the groups'
 * proxies, the worker shards, every phase in lockstep; then the ledgers. Whatever
 * happens, everything it started is stopped before it returns or throws.
 */
export async function executeRun(ctx: RunContext): Promise<RunRecord> {
  const { run, signal, log } = ctx;
  const runDir = join(ctx.runDir, run.id);
  await mkdir(runDir, { recursive: true });
  const startedAt = performance.now();
  const startedAtIso = new Date().toISOString();
  const timeline: TimelineEvent[] = [];
  const target = await startBroker(ctx.broker, { runDir, log, allowRemote: ctx.plan.allowRemote });
  const base = { run, broker: brokerInfo(target, ctx.broker), startedAt, startedAtIso, timeline, ledgers: [] };
  if (!target.protocols.includes(run.protocol)) {
    await target.stop();
    const unsupported = `${target.description} does not support MQTT ${run.protocol}`;
    return { ...base, endedAt: performance.now(), unsupported };
  }
  const faults = new FaultController(ctx.faultServerUrls, run.id);
  let shards: Shards | undefined;
  let incomplete: string | undefined;
  let ledgers: RunRecord['ledgers'] = [];
  try {
    const endpoints = new Map<string, Endpoint[]>();
    for (const group of run.groups) {
      if (group.via === 'proxy') endpoints.set(group.name, await faults.proxiesFor(group.name, target));
    }
    shards = await startShards(shardInits(ctx, endpoints, target), (event) => {
      if (event.kind === 'error') log(`worker ${event.shard}: ${event.message}`);
    });
    for (const [index, phase] of run.phases.entries()) {
      if (signal.aborted) throw signal.reason;
      const started = performance.now();
      await untilAborted(signal, drivePhase(index, phase, run, shards, faults, timeline, signal));
      const took = Math.round(performance.now() - started);
      log(`  [${run.id}] phase ${index + 1}/${run.phases.length}: ${describePhase(phase)} (${took} ms)`);
    }
  } catch (err) {
    incomplete = err instanceof Error ? err.message : String(err);
  } finally {
    if (shards) ledgers = await within(finishTimeoutMs, 'workers did not finish', shards.finish()).catch(() => []);
    await shards?.destroy().catch(() => undefined);
    await faults.dispose();
    await target.stop().catch(() => undefined);
  }
  return { ...base, endedAt: performance.now(), ledgers, ...(incomplete ? { incomplete } : {}) };
}
