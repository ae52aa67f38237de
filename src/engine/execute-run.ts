import { join } from 'node:path';
import { startBroker } from '../brokers/start-broker.js';
import type { BrokerSpec, BrokerTarget } from '../brokers/types.js';
import type { Plan, RunPlan } from '../scenario/plan.js';
import { shardCount, startShards } from '../workers/pool.js';
import { splitExactly, type Endpoint, type ShardEvent, type ShardInit } from '../workers/protocol.js';
import { groupEndpoints, spreadForRun } from './connection-spread.js';
import { FaultController, type FaultDriver } from './fault-controller.js';
import { AgentFaults } from './agent-faults.js';
import { ClearedTally, clearRequest } from './clear-sessions.js';
import { within } from '../clock.js';
import { duration } from '../checks/words.js';
import { describePhase, drivePhase } from './phase-driver.js';
import type { Shards } from './shards.js';
import { MemorySampler, type MemoryRecord } from './memory-sampler.js';
import { HarnessError, isHarnessError } from '../errors.js';
import { EnvironmentFailure, type RunRecord } from './run-record.js';
import type { BrokerInfo, EnvironmentCause, TimelineEvent } from '../result/timeline.js';
import { RunProgress, type ProgressListener } from './run-progress.js';
import type { AgentFleet } from './agent-fleet.js';
import { startAgentShards, type LostAgent } from './agent-pool.js';
import { agentRecords } from './agent-record.js';

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
  /** This invocation's nonce (workers/invocation.ts): the same for every run of it. */
  invocation: number;
  /** Leave the run's sessions on a broker that outlives it (`--keep-sessions`). */
  keepSessions: boolean;
  /** Agents to run the shards in, instead of this process's worker threads. */
  fleet?: AgentFleet;
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
  // With agents, every agent gets the shards its share of the clients needs, at least one.
  const agents = ctx.fleet?.size ?? 0;
  const shards = agents > 0 ? agents * shardCount(Math.ceil(total / agents)) : shardCount(total);
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
    invocation: ctx.invocation,
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

/** A HarnessError for the environment (broker, fault server, listen), not for the scenario. */
function isEnvironmentError(err: unknown): err is HarnessError {
  return isHarnessError(err) && (err.code === 'E_ENVIRONMENT' || err.code === 'E_LISTEN');
}

/**
 * One run of the matrix: a fresh broker (so runs do not share sessions), the groups'
 * proxies, the worker shards, every phase in lockstep; then the ledgers. Whatever
 * happens, everything it started is stopped before it returns or throws.
 *
 * The environment failing under the run (the managed broker's process exits, a worker
 * thread dies, the fault server fails a call) stops it at once, not at a phase timeout:
 * the record keeps what was measured and says why in `environmentFault`.
 */
export async function executeRun(ctx: RunContext): Promise<RunRecord> {
  const { run, log } = ctx;
  const progress = ctx.onProgress ? new RunProgress(ctx.onProgress, run) : undefined;
  // Created by the broker that writes there (a managed one's config and log), not here: a
  // run that never began leaves no empty folder for a "latest report" recipe to pick.
  const runDir = join(ctx.runDir, run.id);
  const startedAt = performance.now();
  const startedAtIso = new Date().toISOString();
  const timeline: TimelineEvent[] = [];
  // Embedded faults with agents: every agent proxies its own clients (agent-faults.ts), the coordinator none.
  const agentProxies = ctx.fleet !== undefined && ctx.plan.faults.kind === 'embedded';
  const spread = spreadForRun(ctx.plan, run, ctx.broker, Math.max(1, ctx.faultServerUrls.length), log);
  const target = await startBroker(ctx.broker, { runDir, log, allowRemote: ctx.plan.allowRemote, listeners: spread.brokerPorts });
  const base = { run, broker: brokerInfo(target, ctx.broker), startedAt, startedAtIso, timeline, ledgers: [] };
  log(`  [${run.id}] broker: ${target.description}`);
  if (!target.protocols.includes(run.protocol)) {
    await target.stop();
    const unsupported = `${target.description} does not support MQTT ${run.protocol}`;
    return { ...base, endedAt: performance.now(), unsupported };
  }
  if (!target.kill && run.phases.some((p) => p.kind === 'fault' && p.fault.kind === 'broker-restart')) {
    await target.stop();
    throw new HarnessError('E_USAGE', `run ${run.id}: its broker-restart fault needs a managed Mosquitto (broker: managed-mosquitto), not ${target.description}`);
  }
  // Aborted by the user's signal or by the environment failing; every phase listens to it.
  const stop = new AbortController();
  const forward = (): void => stop.abort(ctx.signal.reason);
  if (ctx.signal.aborted) forward();
  else ctx.signal.addEventListener('abort', forward, { once: true });
  const signal = stop.signal;
  let phaseIndex = -1;
  let phaseLabel = 'setup';
  let running = true;
  let environmentFault: string | undefined;
  const where = (): string => (phaseIndex < 0 ? 'setup' : `phase ${phaseIndex + 1} (${phaseLabel})`);
  const environmentFailed = (cause: EnvironmentCause, reason: string): void => {
    if (!running || environmentFault !== undefined || signal.aborted) return;
    environmentFault = reason;
    timeline.push({ at: performance.now(), kind: 'environment-fault', phase: phaseIndex, cause, label: reason });
    stop.abort(new HarnessError('E_ENVIRONMENT', reason));
  };
  const unwatchBroker = target.onUnexpectedExit?.((status) =>
    environmentFailed('broker-exit', `broker exited unexpectedly (${status}) during ${where()}`),
  );
  const faults = new FaultController(ctx.faultServerUrls, run.id);
  let driver: FaultDriver = faults;
  let shards: Shards | undefined;
  let incomplete: string | undefined;
  let ledgers: RunRecord['ledgers'] = [];
  let sampler: MemorySampler | undefined;
  let memory: MemoryRecord | undefined;
  const cleared = new ClearedTally();
  let shardsStarted = 0;
  const lostAgents: LostAgent[] = [];
  let inits: ShardInit[] | undefined;
  try {
    // Before any client connects: its `start` reading is the baseline. Never throws.
    sampler = await MemorySampler.start(ctx.plan.memory, target, {
      allowRemote: ctx.plan.allowRemote,
      log,
      prefix: `  [${run.id}] `,
      ...(progress ? { onSample: (probe: string, bytes: number) => progress.memory(probe, bytes) } : {}),
    });
    const endpoints = await groupEndpoints(agentProxies ? { ...run, groups: run.groups.map((g) => ({ ...g, via: 'direct' as const })) } : run, spread, target, faults);
    inits = shardInits(ctx, endpoints, target);
    shardsStarted = inits.length;
    const onEvent = (event: ShardEvent): void => {
      if (event.kind === 'error') log(`worker ${event.shard}: ${event.message}`);
      cleared.add(event);
    };
    const onCrash = (shard: number, message: string): void => environmentFailed('worker-crash', `worker ${shard} crashed during ${where()}: ${message}`);
    if (ctx.fleet) {
      await ctx.fleet.measureClocks();
      const shares = ctx.fleet.deal(inits);
      // Embedded faults: each agent's own fault server, close to its clients (an external Toxiproxy stays the coordinator's).
      if (agentProxies) driver = await AgentFaults.prepare(shares, run, { host: target.host, port: target.port }, ctx.plan.allowRemote, log);
      const agentShards = await startAgentShards(shares, onEvent, onCrash, (lost) => {
        if (!running) return;
        lostAgents.push({ ...lost, why: `${lost.why} during ${where()}` });
        environmentFailed('agent-lost', `${lost.name} was lost during ${where()} (${lost.why})`);
      });
      shards = agentShards;
      progress?.watch(shards, agentShards.owners);
    } else {
      shards = await startShards(inits, onEvent, onCrash);
      progress?.watch(shards);
    }
    for (const [index, phase] of run.phases.entries()) {
      if (signal.aborted) throw signal.reason;
      const started = performance.now();
      phaseIndex = index;
      phaseLabel = describePhase(phase);
      progress?.phaseStart(index, phase, phaseLabel);
      await untilAborted(signal, drivePhase(index, phase, run, shards, driver, timeline, signal, base.broker, target));
      if (phase.kind === 'measure') await sampler?.point(phase.label, index, started);
      const took = Math.round(performance.now() - started);
      log(`  [${run.id}] phase ${index + 1}/${run.phases.length}: ${phaseLabel} (${duration(took)})`);
      progress?.phaseEnd(index, phaseLabel, took);
    }
  } catch (err) {
    // A fault server that failed a call, a broker that did not come back from a restart: the
    // environment too. What the phase saw of a crash (a shard that ended) is less telling
    // than the crash itself, already recorded.
    if (environmentFault === undefined && isEnvironmentError(err) && !ctx.signal.aborted) {
      environmentFailed(err instanceof EnvironmentFailure ? err.environmentCause : 'fault-server', `${err.message} during ${where()}`);
    }
    incomplete = environmentFault ?? (err instanceof Error ? err.message : String(err));
  } finally {
    running = false;
    unwatchBroker?.();
    ctx.signal.removeEventListener('abort', forward);
    // One last status while the clients still exist: live counters end on the run's own.
    await progress?.stop(true);
    // Its `end` reading is taken before the clients are torn down.
    memory = await sampler?.stop();
    if (shards) {
      // On every path, Ctrl-C and a failed phase too: the sessions would outlive the run.
      const clear = clearRequest(target, ctx.keepSessions, ctx.signal.aborted, shardsStarted);
      ledgers = await within(finishTimeoutMs + (clear?.limitMs ?? 0), 'workers did not finish', shards.finish(clear)).catch(() => []);
      const line = cleared.line();
      if (line) log(`  [${run.id}] ${line}`);
      else if (target.kind === 'external' && ctx.keepSessions) log(`  [${run.id}] --keep-sessions: the run's sessions stay on the broker`);
    }
    await shards?.destroy().catch(() => undefined);
    await faults.dispose();
    await target.stop().catch(() => undefined);
  }
  return {
    ...base,
    endedAt: performance.now(),
    ledgers,
    ...(incomplete ? { incomplete } : {}),
    ...(environmentFault ? { environmentFault } : {}),
    ...(memory ? { memory } : {}),
    ...(ctx.fleet ? { agents: agentRecords(ctx.fleet, inits ?? [], lostAgents) } : {}),
  };
}
