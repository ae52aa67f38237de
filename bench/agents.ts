/**
 * `npm run bench -- agents`: what agents cost and give. N clients (BENCH_CLIENTS, 3000;
 * --quick 300) connect at once to one managed Mosquitto, in this process and then over 1,
 * 2 and 4 local agents (BENCH_AGENTS, "1,2,4"): connect rate (clients / connect-phase
 * time), the harness CPU per connection summed over the agent processes (their worker
 * threads, fault servers excluded: the clients connect directly), and the coordinator's
 * own CPU, as a share of one core, over the same phase. On one machine the agents share
 * its cores, so more agents do not connect faster here; what they buy is descriptors (each
 * agent has its own open-file limit), and the broker's own limit stays the ceiling.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../src/engine/orchestrator.js';
import { expandPlan, parseScenario } from '../src/scenario/index.js';
import { processCpuUs } from './lib/cpu.js';
import { withMosquitto } from './lib/measured-run.js';
import type { BenchRow } from './lib/row.js';

const quick = (): boolean => process.env.BENCH_QUICK === '1';

function sizes(): { clients: number; agents: number[] } {
  const clients = Number(process.env.BENCH_CLIENTS ?? (quick() ? 300 : 3000));
  const agents = (process.env.BENCH_AGENTS ?? '1,2,4').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  return { clients, agents };
}

interface Connected {
  wallMs: number;
  coordinatorUs: number;
  agentsUs: number;
}

async function connectOnce(url: string, clients: number, agents: number | undefined): Promise<Connected> {
  const dir = await mkdtemp(join(tmpdir(), 'mqtt-chaos-bench-agents-'));
  const text = `name: bench-agents
broker: { url: "${url}" }
memory: { probes: none }
faults: embedded
protocols: ["5"]
groups:
  devices: { count: ${clients}, role: subscriber, via: direct, topic: "bench/{i}", qos: 1 }
phases:
  - connect: {}
`;
  let pids: readonly number[] = [];
  let start: { at: number; coordinator: number; agents: number } | undefined;
  let result: Connected | undefined;
  const cpu = (): { at: number; coordinator: number; agents: number } => {
    const { user, system } = process.cpuUsage();
    return { at: performance.now(), coordinator: user + system, agents: pids.reduce((n, pid) => n + processCpuUs(pid), 0) };
  };
  try {
    const outcome = await runScenario(expandPlan(parseScenario(text, 'bench'), 'bench'), {
      runDir: dir,
      signal: new AbortController().signal,
      log: () => {},
      ...(agents ? { agents: { kind: 'local' as const, count: agents }, onAgents: (p: readonly number[]) => void (pids = p) } : {}),
      onProgress: (event) => {
        if (event.type === 'phase-start') start = cpu();
        if (event.type === 'phase-end' && start) {
          const end = cpu();
          result = { wallMs: end.at - start.at, coordinatorUs: end.coordinator - start.coordinator, agentsUs: end.agents - start.agents };
        }
      },
    });
    if (outcome.error) throw outcome.error;
    if (outcome.records[0]?.incomplete) throw new Error(`the run stopped early: ${outcome.records[0].incomplete}`);
    if (!result) throw new Error('no connect phase measured');
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchAgents(): Promise<BenchRow[]> {
  const { clients, agents } = sizes();
  return withMosquitto(async (broker) => {
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const rows: BenchRow[] = [];
    for (const count of [undefined, ...agents]) {
      const who = count === undefined ? 'in this process' : `${count} local agent${count > 1 ? 's' : ''}`;
      const c = await connectOnce(url, clients, count);
      const rate = clients / (c.wallMs / 1000);
      // In this process the coordinator is the harness: its CPU is the clients'.
      const harnessUs = count === undefined ? c.coordinatorUs : c.agentsUs;
      rows.push({ metric: `connect ${clients} clients, ${who}`, value: Math.round(rate), unit: 'clients/s', target: '' });
      rows.push({ metric: `harness CPU per connection, ${who}`, value: Math.round(harnessUs / clients), unit: 'µs', target: '' });
      if (count !== undefined) {
        rows.push({ metric: `coordinator CPU during the connect, ${who}`, value: Math.round((c.coordinatorUs / 1000 / c.wallMs) * 1000) / 10, unit: '% of a core', target: '< 10% (issue 14: 15,000 clients over 3 agents)' });
      }
    }
    return rows;
  });
}
