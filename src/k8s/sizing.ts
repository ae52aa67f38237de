import { HARNESS_RESERVE, largestPopulation } from '../engine/open-files-preflight.js';
import type { PhasePlan, Plan, Qos, RunPlan } from '../scenario/plan.js';

/**
 * The figures the requests are sized from, each with where it was measured and how to
 * measure it again. They are this project's measurements on one 2-core machine
 * (2026-11-26), not the cluster's: docs/kubernetes.md says how to check them there.
 */
export const MEASURED = {
  /** 719 MB harness max RSS for 10,000 persistent sessions under a cut: the larger of the two figures in the table (19,500: 1.19 GB, 61 KB a client). */
  bytesPerClient: {
    value: 71_900,
    says: 'harness max RSS 719 MB for 10,000 persistent sessions cut and healed, base included (docs/what-one-machine-drives.md; rerun: /usr/bin/time -v mqtt-chaos run scenarios/reconnect-storm.yaml); an idle client settles at 15 KB (docs/benchmarks.md), a cut costs more',
  },
  /** The fault server's memory per idle proxied connection. */
  faultBytesPerConnection: {
    value: 5_910,
    says: 'the fault server per idle proxied connection (docs/benchmarks.md; rerun: npm run bench -- fault-server)',
  },
  /** Harness CPU per connection at an unlimited connect rate: 76% of one core for 988 clients/s. */
  cpuMicrosPerConnect: {
    value: 770,
    says: 'harness CPU per connection, connecting 3000 clients at once (docs/benchmarks.md; rerun: npm run bench -- harness)',
  },
  /** Harness CPU per message, publisher and subscriber together, by QoS. */
  cpuMicrosPerMessage: {
    value: { 0: 25.89, 1: 64.21, 2: 120 } as Record<Qos, number>,
    says: 'harness CPU per message, publisher and subscriber together (docs/benchmarks.md; rerun: npm run bench -- harness)',
  },
} as const;

/** Not measured: Node's own heap, the worker pool's and the fault-server processes' base, on top of the per-client figures. */
export const BASE_BYTES = 256 * 2 ** 20;
/** A phase at an unlimited rate takes what it gets: one core is requested, and no CPU limit stops it taking more. */
export const UNLIMITED_MILLICORES = 1000;
/** An agent that only holds idle clients still runs Node, a worker pool and a fault server. */
export const MIN_MILLICORES = 250;

/** What one agent of N holds at most, and what it asks the cluster for. */
export interface AgentSizing {
  agents: number;
  /** The largest run's clients over all agents (runs go one after another). */
  clients: number;
  /** The most any one agent holds: each group split over the agents, rounded up. */
  clientsPerAgent: number;
  /** Of those, behind the agent's fault servers. */
  proxiedPerAgent: number;
  memoryBytes: number;
  millicores: number;
  /** What the agent's process must be allowed to open: a socket per client and the harness's own. */
  openFiles: number;
}

const share = (count: number, agents: number) => Math.ceil(count / agents);

function perAgent(run: RunPlan, agents: number, proxiedOnly: boolean): number {
  return run.groups.filter((g) => !proxiedOnly || g.via === 'proxy').reduce((n, g) => n + share(g.count, agents), 0);
}

/**
 * The CPU a phase needs on the busiest agent, from its rate; undefined: the phase has none.
 * A group connects no more clients in a second than it has: 3 publishers at 8,000/s are 3 connects.
 */
function phaseMillicores(phase: PhasePlan, run: RunPlan, agents: number): number | undefined {
  if (phase.kind === 'connect') {
    if (phase.groups.some((g) => g.ratePerSec === undefined)) return UNLIMITED_MILLICORES;
    const count = (name: string) => run.groups.find((g) => g.name === name)?.count ?? 0;
    const perSec = phase.groups.reduce((n, g) => n + Math.min(share(g.ratePerSec!, agents), share(count(g.name), agents)), 0);
    return (perSec * MEASURED.cpuMicrosPerConnect.value) / 1000;
  }
  if (phase.kind === 'publish') {
    if (phase.ratePerSec === undefined) return UNLIMITED_MILLICORES;
    return (share(phase.ratePerSec, agents) * MEASURED.cpuMicrosPerMessage.value[phase.qos]) / 1000;
  }
  return undefined;
}

/** Sizes one agent of `agents` for the plan: its largest run, each group split evenly. */
export function sizeAgent(plan: Plan, agents: number): AgentSizing {
  const clients = largestPopulation(plan);
  const clientsPerAgent = Math.max(0, ...plan.runs.map((run) => perAgent(run, agents, false)));
  const proxiedPerAgent = Math.max(0, ...plan.runs.map((run) => perAgent(run, agents, true)));
  const memoryBytes = BASE_BYTES + clientsPerAgent * MEASURED.bytesPerClient.value + proxiedPerAgent * MEASURED.faultBytesPerConnection.value;
  const busiest = Math.max(MIN_MILLICORES, ...plan.runs.flatMap((run) => run.phases.map((p) => phaseMillicores(p, run, agents) ?? 0)));
  return {
    agents,
    clients,
    clientsPerAgent,
    proxiedPerAgent,
    memoryBytes,
    millicores: Math.ceil(busiest / 50) * 50,
    openFiles: clientsPerAgent + HARNESS_RESERVE,
  };
}

/** Kubernetes quantities: whole MiB up, millicores. */
export function memoryQuantity(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20)}Mi`;
}
export function cpuQuantity(millicores: number): string {
  return `${millicores}m`;
}
