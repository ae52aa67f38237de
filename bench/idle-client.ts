import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMosquittoBinary } from '../src/brokers/capabilities.js';
import { startMosquitto } from '../src/brokers/mosquitto.js';
import { shardCount } from '../src/workers/pool.js';
import type { BenchRow } from './lib/row.js';
import type { IdleSample, Reading } from './lib/idle-population.js';
import { distFile, openFileLimit } from './lib/processes.js';

const clients = Number(process.env.BENCH_IDLE_CLIENTS ?? 5_000);
const protocol = process.env.BENCH_IDLE_PROTOCOL === '5' ? '5' : '3.1.1';
const CHILD_LIMIT_MS = 300_000;

/** One fresh child process holding `count` idle clients of one kind; its sample. */
function population(mode: IdleSample['mode'], count: number, shards: number, port: number): Promise<IdleSample> {
  const args = [
    '--expose-gc',
    '--require',
    distFile('bench/lib/heap-probe.cjs'),
    distFile('bench/lib/idle-population.js'),
    ...[mode, '127.0.0.1', port, count, shards, protocol, `idle-${mode}-${count}`].map(String),
  ];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: CHILD_LIMIT_MS, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${mode} × ${count}: ${stderr.trim() || err.message}`));
      resolve(JSON.parse(stdout) as IdleSample);
    });
  });
}

const heapOf = (r: Reading): number => r.heaps.reduce((n, h) => n + h.heapUsed + h.external, 0);
const youngOf = (r: Reading): number => r.heaps.reduce((n, h) => n + h.youngPhysical, 0);

/**
 * What one idle persistent client costs the harness, against a bare mqtt.js client, in
 * the same run: each kind at two sizes (`clients` and a tenth of it) in fresh processes
 * with the same number of worker threads; the cost is the slope between the two, so
 * threads, modules and the pool cancel out. RSS is the whole process (workers are threads).
 *
 * Environment: BENCH_IDLE_CLIENTS (5000), BENCH_IDLE_PROTOCOL (3.1.1 or 5),
 * BENCH_IDLE_SETTLE_MS (30000), BENCH_IDLE_RATE (harness connect rate/s; unlimited).
 */
export async function benchIdleClient(): Promise<BenchRow[]> {
  const binary = await findMosquittoBinary();
  if (!binary) throw new Error('idle-client needs mosquitto (PATH, /usr/sbin or /usr/local/sbin)');
  // Each child holds its clients' sockets; Mosquitto holds the other ends.
  if (clients + 200 > openFileLimit()) throw new Error(`BENCH_IDLE_CLIENTS=${clients} needs more than the open-file limit ${openFileLimit()}`);
  const small = Math.max(1, Math.round(clients / 10));
  const shards = shardCount(clients);
  const dir = await mkdtemp(join(tmpdir(), 'mqtt-chaos-bench-idle-'));
  const broker = await startMosquitto({ binary, runDir: dir, options: {} });
  try {
    const slope = async (mode: IdleSample['mode']) => {
      const big = await population(mode, clients, shards, broker.port);
      const little = await population(mode, small, shards, broker.port);
      const n = clients - small;
      return {
        rss: (big.settled.rss - little.settled.rss) / n,
        heap: (heapOf(big.settled) - heapOf(little.settled)) / n,
        early: (big.early.rss - little.early.rss) / n,
        earlyYoung: (youngOf(big.early) - youngOf(little.early)) / n,
      };
    };
    const bare = await slope('bare');
    const harness = await slope('harness');
    const note =
      `${clients} vs ${small} idle persistent subscribers (MQTT ${protocol}, keep-alive 60 s, QoS 1) to a managed Mosquitto, ${shards} worker thread(s); ` +
      'fresh process per size, GC forced in every thread; settled = after V8 shrank what the connect burst grew';
    return [
      { metric: 'harness RSS per idle client, settled', value: harness.rss / 1024, unit: 'KB', target: '<= 25', note },
      { metric: 'bare mqtt.js RSS per idle client, settled', value: bare.rss / 1024, unit: 'KB', target: '' },
      { metric: 'harness / bare RSS, settled', value: harness.rss / bare.rss, unit: 'ratio', target: '' },
      { metric: 'harness RSS per idle client, 3 s after connecting', value: harness.early / 1024, unit: 'KB', target: '' },
      { metric: 'bare mqtt.js RSS per idle client, 3 s after connecting', value: bare.early / 1024, unit: 'KB', target: '' },
      {
        metric: 'of the harness figure 3 s after connecting: young generation grown',
        value: harness.earlyYoung / 1024,
        unit: 'KB',
        target: '',
        note: 'V8 grows each thread\'s young generation (up to 2 x 16 MB) during the connect burst and shrinks it once idle: a per-thread cost, spread over the clients here',
      },
      { metric: 'harness JS heap + external per idle client', value: harness.heap / 1024, unit: 'KB', target: '' },
      { metric: 'bare mqtt.js JS heap + external per idle client', value: bare.heap / 1024, unit: 'KB', target: '' },
    ];
  } finally {
    await broker.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
