import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startBroker } from '../brokers/start-broker.js';
import type { BrokerSpec, BrokerTarget } from '../brokers/types.js';
import type { Plan, RunPlan } from '../scenario/plan.js';
import { shardCount, startShards } from '../workers/pool.js';
import { splitExactly, type Endpoint, type ShardInit } from '../workers/protocol.js';
import { groupEndpoints, spreadForRun } from './connection-spread.js';
import { FaultController } from './fault-controller.js';
import { within } from '../clock.js';
import { describePhase, drivePhase, type Shards } from './phase-driver.js';
import { MemorySampler, type MemoryRecord } from './memory-sampler.js';
import type { BrokerInfo, RunRecord, TimelineEvent } from './run-record.js';
import { RunProgress, type ProgressListener } from './run-progress.js';

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
  /** Progress events (phases, clients' counters) for a renderer; optional. */
  onProgress?: ProgressListener;
}

/** Workers get this long to hand in their ledgers before their threads are ended. */
const finishTimeoutMs = 30_000;

/** The work, unless the run is aborted first (a phase stuck on a dead broker must not hold Ctrl-C). */
async function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
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
    broker: { host: target.host, port: target.port },
  }));
}

/**
 * One run of the matrix: a fresh broker (so runs do not share sessions), the groups'
 * proxies, the worker shards, every phase in lockstep; then the ledgers. Whatever
 * happens, everything it started is stopped before it returns or throws.
 */
export async function executeRun(ctx: RunContext): Promise<RunRecord> {
  const { run, signal, log } = ctx;
  const progress = ctx.onProgress ? new RunProgress(ctx.onProgress, run) : undefined;
  const runDir = join(ctx.runDir, run.id);
  await mkdir(runDir, { recursive: true });
  const startedAt = performance.now();
  const startedAtIso = new Date().toISOString();
  const timeline: TimelineEvent[] = [];
  const spread = spreadForRun(ctx.plan, run, ctx.broker, ctx.faultServerUrls.length, log);
  const target = await startBroker(ctx.broker, { runDir, log, allowRemote: ctx.plan.allowRemote, listeners: spread.brokerPorts });
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
  let sampler: MemorySampler | undefined;
  let memory: MemoryRecord | undefined;
  try {
    // Before any client connects: its `start` reading is the baseline. Never throws.
    sampler = await MemorySampler.start(ctx.plan.memory, target, { allowRemote: ctx.plan.allowRemote, log, prefix: `  [${run.id}] ` });
    const endpoints = await groupEndpoints(run, spread, target, faults);
    shards = await startShards(shardInits(ctx, endpoints, target), (event) => {
      if (event.kind === 'error') log(`worker ${event.shard}: ${event.message}`);
    });
    progress?.watch(shards);
    for (const [index, phase] of run.phases.entries()) {
      if (signal.aborted) throw signal.reason;
      const started = performance.now();
      progress?.phaseStart(index, phase, describePhase(phase));
      await untilAborted(signal, drivePhase(index, phase, run, shards, faults, timeline, signal, base.broker));
      if (phase.kind === 'measure') await sampler?.point(phase.label, index);
      const took = Math.round(performance.now() - started);
      log(`  [${run.id}] phase ${index + 1}/${run.phases.length}: ${describePhase(phase)} (${took} ms)`);
      progress?.phaseEnd(index, describePhase(phase), took);
    }
  } catch (err) {
    incomplete = err instanceof Error ? err.message : String(err);
  } finally {
    await progress?.stop();
    // Its `end` reading is taken before the clients are torn down.
    memory = await sampler?.stop();
    if (shards) ledgers = await within(finishTimeoutMs, 'workers did not finish', shards.finish()).catch(() => []);
    await shards?.destroy().catch(() => undefined);
    await faults.dispose();
    await target.stop().catch(() => undefined);
  }
  return { ...base, endedAt: performance.now(), ledgers, ...(incomplete ? { incomplete } : {}), ...(memory ? { memory } : {}) };
}
