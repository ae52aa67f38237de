import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../src/engine/orchestrator.js';
import { judgeScenario } from '../src/checks/judge.js';
import { expandPlan, parseScenario } from '../src/scenario/index.js';
import type { BenchRow } from './lib/row.js';

/** The scale target: persistent subscribers through the fault server, cut, back, every message accounted for. */
const scenario = (subscribers: number): string => `
name: bench-persistent-sessions
broker: managed-mosquitto
faults: embedded
protocols: ["3.1.1"]
groups:
  devices:
    count: ${subscribers}
    role: subscriber
    session: { clean: false }
    keepAlive: 60s
    qos: 1
    topic: "bench/{i}/cmd"
    reconnect: { delay: 3s, jitter: 1s }
  backend:
    count: 4
    role: publisher
    via: direct
phases:
  - connect: {}
  - subscribe: {}
  - fault: { kind: cut, groups: [devices] }
  - wait: 1s
  - publish: { from: backend, to: devices, perTarget: 2, qos: 1 }
  - heal: {}
  - drain: { timeout: 60s }
`;

export async function benchPersistentSessions(): Promise<BenchRow[]> {
  const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? (process.env.BENCH_QUICK === '1' ? 1000 : 10_000));
  const dir = await mkdtemp(join(tmpdir(), 'mqtt-chaos-bench-'));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  try {
    const plan = expandPlan(parseScenario(scenario(subscribers), 'bench'), 'bench');
    const outcome = await runScenario(plan, { runDir: dir, signal: new AbortController().signal, log: () => {} });
    if (outcome.error) throw outcome.error;
    const record = outcome.records[0];
    const run = judgeScenario(plan, outcome.records).runs[0];
    if (!record || !run) throw new Error('the run produced no result');
    const connect = record.timeline.filter((e) => e.phase === 0);
    const connectMs = (connect.at(-1)?.at ?? 0) - (connect[0]?.at ?? 0);
    const r = run.redelivery;
    // Every message lands in exactly one class; expected ones are delivered or lost.
    const accounted = r.expected + r.indeterminate + r.noSession + r.expiredWithSession + r.discarded + r.notReturned;
    return [
      { metric: `${subscribers} subscribers connected via the fault server in`, value: connectMs / 1000, unit: 's', target: '<= 10' },
      { metric: 'harness RSS, peak (main + workers)', value: peakRss / 1e6, unit: 'MB', target: '<= 600' },
      { metric: 'offline messages sent', value: r.offline, unit: '', target: '' },
      { metric: 'expected / delivered / lost', value: r.expected, unit: `/ ${r.delivered} / ${r.lost}`, target: 'lost 0' },
      { metric: 'offline messages accounted for', value: accounted / Math.max(1, r.offline), unit: 'ratio', target: '1' },
      { metric: 'redelivery p99', value: run.redelivery.latency?.p99 ?? Number.NaN, unit: 'ms', target: '' },
    ];
  } finally {
    clearInterval(sampler);
    await rm(dir, { recursive: true, force: true });
  }
}
