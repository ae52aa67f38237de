import { mergeHistograms } from '../src/checks/latency.js';
import type { RunRecord } from '../src/engine/run-record.js';
import { findMosquittoPub, mosquittoPubBaseline, mqttjsBaselineInWorker, type BaselineSpec, type PublishResult } from './lib/baseline.js';
import { interval, type CpuSnapshot } from './lib/cpu.js';
import { measuredRun, withMosquitto } from './lib/measured-run.js';
import type { BenchRow } from './lib/row.js';
import { benchFaultServer, quickFaultServerSizes } from './fault-server.js';

/**
 * The harness measured through its real path (scenario -> runScenario -> worker shards ->
 * mqtt.js) against a fresh managed Mosquitto per benchmark, with the CPU of every party
 * (this process with its worker threads, the fault server, the broker) over the same
 * interval, and plain-publisher baselines against the same broker in the same run.
 */
const protocol = '5';
const payloadBytes = 64;
const env = (name: string, full: number, small: number): number => Number(process.env[name] ?? (process.env.BENCH_QUICK === '1' ? small : full));

/** Sizes, read when the suite starts: BENCH_QUICK=1 for a run of well under a minute; each overridable. */
export function benchSizes() {
  return {
    quick: process.env.BENCH_QUICK === '1',
    clients: env('BENCH_CLIENTS', 3000, 300),
    messages: env('BENCH_MESSAGES', 50_000, 5000),
    rate: env('BENCH_RATE', 1000, 500),
    rateSeconds: env('BENCH_RATE_SECONDS', 5, 2),
    /** Throughput runs, interleaved harness / baselines, best of each kept. */
    repeat: env('BENCH_REPEAT', 1, 1),
    latencyTargets: 10,
    protocol,
    payloadBytes,
  };
}
type Sizes = ReturnType<typeof benchSizes>;

const header = (name: string): string => `name: ${name}\nfaults: embedded\nprotocols: ["${protocol}"]\nseed: 1\n`;

function publishScenario(name: string, qos: 0 | 1 | 2, targets: number, perTarget: number, extra: { rate?: number; via?: string } = {}): string {
  return `${header(name)}groups:
  pub: { count: 1, role: publisher, via: direct }
  sub: { count: ${targets}, role: subscriber, topic: "bench/{i}", qos: ${qos}, via: ${extra.via ?? 'direct'} }
phases:
  - connect: {}
  - subscribe: {}
  - publish: { from: pub, to: sub, perTarget: ${perTarget}, qos: ${qos}, payloadBytes: ${payloadBytes}${extra.rate ? `, rate: ${extra.rate}/s` : ''} }
  - drain: { timeout: 30s }
`;
}

/** A publish scenario through the engine: msg/s from the workers' ledgers, CPU from publish start to drain end. */
async function harnessPublish(scenario: string, broker: { url: string; pid: number }): Promise<PublishResult> {
  const { record, phases } = await measuredRun(scenario, broker);
  const { delivered, spanMs } = delivery(record);
  return { delivered, rate: delivered / (spanMs / 1000), cpu: interval(phases[2]!.start, phases[3]!.end, delivered) };
}

/** Messages delivered (first copies), and first send to last arrival in ms, from the workers' ledgers. */
function delivery(record: RunRecord): { delivered: number; spanMs: number } {
  let first = Infinity;
  let last = -Infinity;
  let delivered = 0;
  for (const ledger of record.ledgers) {
    for (const run of ledger.sent) if (run.sentAt.length > 0) first = Math.min(first, run.sentAt[0]!);
    for (const run of ledger.received) {
      delivered += run.seqs.length;
      for (const at of run.firstAt) last = Math.max(last, at);
    }
  }
  return { delivered, spanMs: last - first };
}

const span = (from: CpuSnapshot, to: CpuSnapshot, units: number, per: string): BenchRow['cpu'] => ({ ...interval(from, to, units), per });

async function connectAndIdle(sizes: Sizes): Promise<BenchRow[]> {
  const n = sizes.clients;
  const body = `${header('bench-connect')}groups:
  idle: { count: ${n}, role: subscriber, topic: "bench/{i}", keepAlive: 60s, via: direct }
phases:
  - connect: {}
  - wait: 3s
`;
  return withMosquitto(async (broker) => {
    const { phases } = await measuredRun(body, broker);
    const [connect, idle] = [phases[0]!, phases[1]!];
    const kb = (bytes: number): number => bytes / n / 1000;
    return [
      { metric: `connect ${n} clients`, value: n / ((connect.end.at - connect.start.at) / 1000), unit: 'clients/s', target: '', cpu: span(connect.start, connect.end, n, 'conn') },
      {
        metric: `${n} idle clients (3 s)`,
        value: kb(idle.end.harnessRss - connect.start.harnessRss),
        unit: `KB harness RSS/client (broker ${kb(idle.end.brokerRss - connect.start.brokerRss).toFixed(2)} KB)`,
        target: '',
        cpu: span(idle.start, idle.end, n, 'client'),
      },
    ];
  });
}

/** A publisher (the harness, or a baseline) measured once: first copies delivered, msg/s, CPU per message. */
interface Contender {
  name: string;
  measure(): Promise<PublishResult>;
}

function contenders(broker: { url: string; pid: number }, qos: 0 | 1 | 2, m: number, mosquittoPub: string | undefined): Contender[] {
  const spec: BaselineSpec = { url: broker.url, brokerPid: broker.pid, protocol, qos, payloadBytes, messages: m, stallMs: 5000 };
  return [
    { name: 'harness', measure: () => harnessPublish(publishScenario(`bench-qos${qos}`, qos, 1, m), broker) },
    { name: 'mqtt.js loop', measure: () => mqttjsBaselineInWorker(spec) },
    ...(mosquittoPub ? [{ name: 'mosquitto_pub', measure: () => mosquittoPubBaseline(mosquittoPub, spec) }] : []),
  ];
}

/**
 * Harness 1 publisher -> 1 subscriber at `qos`, and the baselines (same shape) against the
 * same broker, interleaved `repeat` times; each keeps its best run (a noisy machine only
 * ever slows a run down).
 */
async function publishThroughput(sizes: Sizes, qos: 0 | 1 | 2): Promise<BenchRow[]> {
  const m = sizes.messages;
  const mosquittoPub = await findMosquittoPub();
  return withMosquitto(async (broker) => {
    const all = contenders(broker, qos, m, mosquittoPub);
    const best = new Map<string, PublishResult>();
    for (let r = 0; r < sizes.repeat; r++) {
      for (const c of all) {
        const result = await c.measure();
        if (result.rate > (best.get(c.name)?.rate ?? -1)) best.set(c.name, result);
      }
    }
    const rows: BenchRow[] = [];
    const ratios: BenchRow[] = [];
    const harness = best.get('harness')!;
    for (const [name, result] of best) {
      rows.push({ metric: `QoS ${qos} ${name} 1 → 1`, value: result.rate, unit: 'msg/s', target: '', cpu: { ...result.cpu, per: 'msg' }, ...(result.delivered < m ? { note: `${result.delivered} of ${m} delivered` } : {}) });
      if (name === 'harness') continue;
      const throughput = harness.rate / result.rate;
      const cpuPerMsg = harness.cpu.harness.usPerUnit / result.cpu.harness.usPerUnit;
      ratios.push({ metric: `QoS ${qos} harness ÷ ${name}`, value: throughput, unit: `× msg/s, ${cpuPerMsg.toFixed(2)} × CPU/msg`, target: '', ratios: { throughput, cpuPerMsg } });
    }
    return [...rows, ...ratios];
  });
}

/** QoS 1 at a fixed rate, 1 publisher -> 10 subscribers: end-to-end latency and what the rate costs. */
async function latencyAtRate(sizes: Sizes): Promise<BenchRow[]> {
  const { rate, rateSeconds, latencyTargets } = sizes;
  const perTarget = Math.max(1, Math.round((rate * rateSeconds) / latencyTargets));
  return withMosquitto(async (broker) => {
    const { record, phases } = await measuredRun(publishScenario('bench-latency', 1, latencyTargets, perTarget, { rate }), broker);
    const latency = mergeHistograms(record.ledgers.map((l) => l.histograms.e2e)).percentiles;
    const cpu = span(phases[2]!.start, phases[2]!.end, perTarget * latencyTargets, 'msg');
    const label = `QoS 1 at ${rate} msg/s, 1 → ${latencyTargets}`;
    // What the same pacing costs a plain mqtt.js publisher: a wakeup per message, not the harness's bookkeeping.
    const messages = perTarget * latencyTargets;
    const paced = await mqttjsBaselineInWorker({ url: broker.url, brokerPid: broker.pid, protocol, qos: 1, payloadBytes, messages, stallMs: 5000, ratePerSec: rate });
    return [
      { metric: `${label}: harness latency p50`, value: latency?.p50 ?? Number.NaN, unit: 'ms', target: '', cpu },
      { metric: `${label}: harness latency p99`, value: latency?.p99 ?? Number.NaN, unit: 'ms', target: '' },
      { metric: `QoS 1 at ${rate} msg/s: mqtt.js loop 1 → 1`, value: paced.rate, unit: 'msg/s', target: '', cpu: { ...paced.cpu, per: 'msg' } },
    ];
  });
}

/** QoS 1 throughput with the subscriber behind the embedded fault server (a proxy without toxics). */
async function viaFaultServer(sizes: Sizes): Promise<BenchRow[]> {
  const m = sizes.messages;
  return withMosquitto(async (broker) => {
    const result = await harnessPublish(publishScenario('bench-proxy', 1, 1, m, { via: 'proxy' }), broker);
    const note = result.delivered < m ? { note: `${result.delivered} of ${m} delivered` } : {};
    return [{ metric: 'QoS 1 harness 1 → 1 via fault proxy', value: result.rate, unit: 'msg/s', target: '', cpu: { ...result.cpu, per: 'msg', proxied: true }, ...note }];
  });
}

export async function benchHarness(): Promise<BenchRow[]> {
  const sizes = benchSizes();
  const rows: BenchRow[] = [];
  const step = async (name: string, run: () => Promise<BenchRow[]>): Promise<void> => {
    const started = performance.now();
    rows.push(...(await run()));
    process.stderr.write(`  ${name}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  };
  await step('connect and idle', () => connectAndIdle(sizes));
  for (const qos of [0, 1, 2] as const) await step(`publish QoS ${qos}`, () => publishThroughput(sizes, qos));
  await step('latency at a fixed rate', () => latencyAtRate(sizes));
  await step('via the fault server', () => viaFaultServer(sizes));
  await step('fault server, raw TCP', async () => {
    const raw = await benchFaultServer(sizes.quick ? quickFaultServerSizes : { roundTrips: 10_000, throughputMs: 2000, idle: 5000 });
    return raw.map((r) => ({ ...r, metric: `fault server: ${r.metric}` }));
  });
  return rows;
}

