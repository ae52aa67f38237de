import type { PhasePlan, RunPlan } from '../scenario/plan.js';
import type { GroupStatus, ShardStatus } from '../workers/protocol.js';
import type { ShardOwner, Shards } from './shards.js';

/**
 * Progress of an invocation as plain events, for whoever renders it (the CLI: a redrawn
 * line on a terminal, periodic lines in CI, NDJSON with --json). The engine knows nothing
 * of terminals: it calls `onProgress` and moves on; a slow or failing listener cannot stall
 * or break a run.
 */
export type ProgressEvent =
  | {
      type: 'run-start';
      run: string;
      label: string;
      protocol: string;
      /** 0-based position of the run in the plan, and how many runs there are. */
      index: number;
      runs: number;
      phases: number;
      clients: number;
      /** What the plan says the phases take at least (waits, rate-limited connects and publishes); null: nothing known. */
      estimateMs: number | null;
      /** The same per phase. */
      phaseEstimatesMs: (number | null)[];
    }
  | {
      type: 'phase-start';
      run: string;
      phase: number;
      phases: number;
      kind: PhasePlan['kind'];
      label: string;
      estimateMs: number | null;
      /** A fault phase's fault kind (cut, latency, broker-restart…). */
      fault?: string;
      /** The groups a fault or heal phase acts on. */
      groups?: string[];
    }
  | { type: 'phase-end'; run: string; phase: number; phases: number; label: string; tookMs: number }
  /**
   * The worker shards' counters summed, every STATUS_INTERVAL_MS while the clients exist,
   * and once more after the last phase; `groups`: the same per group.
   */
  | {
      type: 'status';
      run: string;
      phase: number;
      clients: number;
      connected: number;
      subscribed: number;
      sent: number;
      received: number;
      groups: Record<string, GroupStatus>;
      /** With agents: each one's connected clients and its share, in agent order. */
      agents?: { agent: number; connected: number; clients: number }[];
    }
  /** A broker memory sample as the sampler keeps it (probe: its name, e.g. rss). */
  | { type: 'memory'; run: string; probe: string; bytes: number }
  | { type: 'run-end'; run: string; tookMs: number; incomplete?: string; unsupported?: string };

export type ProgressListener = (event: ProgressEvent) => void;

export const STATUS_INTERVAL_MS = 500;

/** The least a phase takes by the plan, or null when the plan does not say (drain, subscribe…). */
export function phaseEstimateMs(phase: PhasePlan, run: RunPlan): number | null {
  const count = (name: string): number => run.groups.find((g) => g.name === name)?.count ?? 0;
  switch (phase.kind) {
    case 'wait':
      return phase.durationMs;
    case 'publish':
      return phase.ratePerSec ? ((count(phase.to) * phase.perTarget) / phase.ratePerSec) * 1000 : null;
    case 'connect': {
      const limited = phase.groups.filter((g) => g.ratePerSec).map((g) => (count(g.name) / g.ratePerSec!) * 1000);
      return limited.length > 0 ? Math.max(...limited) : null;
    }
    default:
      // A phase that settles for a set time before its reading (measure).
      return 'settleMs' in phase && typeof phase.settleMs === 'number' ? phase.settleMs : null;
  }
}

export function runEstimateMs(run: RunPlan): number | null {
  const known = run.phases.map((p) => phaseEstimateMs(p, run)).filter((ms): ms is number => ms !== null);
  return known.length > 0 ? Math.round(known.reduce((a, b) => a + b, 0)) : null;
}

/** Calls the listener, never letting it throw into the engine. */
export function emitSafely(listener: ProgressListener | undefined, event: ProgressEvent): void {
  if (!listener) return;
  try {
    listener(event);
  } catch {
    // Rendering progress is never worth a run.
  }
}

/**
 * One run's progress: phase boundaries, and the shards' counters polled while the clients
 * exist (one poll at a time; stopped before the shards are finished).
 */
export class RunProgress {
  #phase = -1;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #stopped = false;
  readonly #clients: number;

  constructor(
    private readonly listener: ProgressListener,
    private readonly run: RunPlan,
    private readonly intervalMs = STATUS_INTERVAL_MS,
  ) {
    this.#clients = run.groups.reduce((n, g) => n + g.count, 0);
  }

  #poll: ((last: boolean) => void) | undefined;

  /** `owners`: the agent of each shard, when agents run them (per-agent counts in the status). */
  watch(shards: Shards, owners?: readonly ShardOwner[]): void {
    if (this.#stopped) return;
    const poll = (last = false): void => {
      if (this.#polling || (this.#stopped && !last)) return;
      this.#polling = shards
        .status()
        .then((statuses) => {
          if (!this.#stopped || last) {
            const agents = owners ? perAgent(statuses, owners) : undefined;
            emitSafely(this.listener, { type: 'status', run: this.run.id, phase: this.#phase, clients: this.#clients, ...sum(statuses), ...(agents ? { agents } : {}) });
          }
        })
        .catch(() => undefined)
        .finally(() => {
          this.#polling = undefined;
        });
    };
    this.#poll = poll;
    this.#timer = setInterval(poll, this.intervalMs);
    this.#timer.unref();
    poll();
  }

  phaseStart(index: number, phase: PhasePlan, label: string): void {
    this.#phase = index;
    emitSafely(this.listener, {
      type: 'phase-start',
      run: this.run.id,
      phase: index,
      phases: this.run.phases.length,
      kind: phase.kind,
      label,
      estimateMs: phaseEstimateMs(phase, this.run),
      ...(phase.kind === 'fault' ? { fault: phase.fault.kind } : {}),
      ...(phase.kind === 'fault' || phase.kind === 'heal' ? { groups: phase.groups } : {}),
    });
  }

  memory(probe: string, bytes: number): void {
    if (!this.#stopped) emitSafely(this.listener, { type: 'memory', run: this.run.id, probe, bytes });
  }

  phaseEnd(index: number, label: string, tookMs: number): void {
    emitSafely(this.listener, { type: 'phase-end', run: this.run.id, phase: index, phases: this.run.phases.length, label, tookMs });
  }

  /**
   * Stops polling and waits for a poll in flight, so no status request meets finished
   * shards; with `lastStatus`, one more poll first, so the last counters are the run's.
   */
  async stop(lastStatus = false): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#settle();
    if (lastStatus && this.#poll) {
      this.#poll(true);
      await this.#settle();
    }
  }

  /** Bounded: a shard that stopped answering must not hold the run's cleanup. */
  async #settle(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#polling, new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)))]);
    clearTimeout(timer);
  }
}

function sum(statuses: readonly ShardStatus[]): { connected: number; subscribed: number; sent: number; received: number; groups: Record<string, GroupStatus> } {
  let connected = 0;
  let subscribed = 0;
  let sent = 0;
  let received = 0;
  const groups: Record<string, GroupStatus> = {};
  for (const s of statuses) {
    connected += s.connected;
    subscribed += s.subscribedNow;
    sent += s.sent;
    received += s.received;
    for (const [name, g] of Object.entries(s.groups ?? {})) {
      const total = (groups[name] ??= { connected: 0, sent: 0, settled: 0, sentTo: 0, received: 0, reconnects: 0 });
      for (const key of Object.keys(g) as (keyof GroupStatus)[]) total[key] += g[key];
    }
  }
  return { connected, subscribed, sent, received, groups };
}

function perAgent(statuses: readonly ShardStatus[], owners: readonly ShardOwner[]): { agent: number; connected: number; clients: number }[] {
  const byAgent = new Map<number, { agent: number; connected: number; clients: number }>();
  for (const { agent } of owners) byAgent.set(agent, { agent, connected: 0, clients: 0 });
  owners.forEach(({ agent, clients }, i) => {
    const entry = byAgent.get(agent)!;
    entry.clients += clients;
    entry.connected += statuses[i]?.connected ?? 0;
  });
  return [...byAgent.values()];
}
