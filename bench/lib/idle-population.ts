/**
 * One measurement of the idle-client bench, run in a fresh process so that fixed costs
 * (threads, modules) are alike in every child and cancel out between two sizes:
 * `count` idle persistent subscribers, either the harness's (the real worker pool driven
 * by connect and subscribe commands, as the engine does) or bare mqtt.js clients in as
 * many worker threads. Once all are connected and subscribed and the process has settled,
 * prints one JSON line (IdleSample): RSS and every thread's heap after GC.
 *
 * Usage: node --expose-gc --require heap-probe.cjs idle-population.js
 *          harness|bare <host> <port> <count> <shards> <3.1.1|5> <clientId prefix>
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { ProtocolVersion } from '../../src/brokers/types.js';
import type { GroupPlan } from '../../src/scenario/plan.js';
import { newInvocation } from '../../src/workers/invocation.js';
import { startShards } from '../../src/workers/pool.js';
import { splitExactly, type ShardInit } from '../../src/workers/protocol.js';
import type { BareClientsData } from './bare-clients.js';
import { probeHeaps, type ThreadHeap } from './heap-probe.cjs';

export interface Reading {
  rss: number;
  heaps: ThreadHeap[];
}

export interface IdleSample {
  mode: 'harness' | 'bare';
  count: number;
  /** Soon after the last SUBACK: the connect burst's leftovers are still resident. */
  early: Reading;
  /** At rest (see SETTLE_MS): what an idle client costs. */
  settled: Reading;
}

const EARLY_MS = 3_000;
/**
 * Idle long enough for V8's memory reducer (it starts some 8 s after allocation slows):
 * it shrinks the young generation the connect burst grew and gives back free old-space
 * pages. Sampled earlier, a thread still holds tens of MB of burst leftovers.
 */
const SETTLE_MS = Math.max(EARLY_MS, Number(process.env.BENCH_IDLE_SETTLE_MS ?? 30_000));
/** The harness's connect rate, clients/s over all shards; unset: unlimited, as a scenario's default. */
const RATE = process.env.BENCH_IDLE_RATE ? Number(process.env.BENCH_IDLE_RATE) : undefined;
const PROBE_LIMIT_MS = 10_000;
const READY_LIMIT_MS = 120_000;

const [mode, host = '127.0.0.1', portText, countText, shardsText, protocolText, prefix = 'idle'] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const shards = Number(shardsText);
const protocol: ProtocolVersion = protocolText === '5' ? '5' : '3.1.1';
const clientId = `${prefix}-{i}`;
const topic = `${prefix}/{i}/cmd`;
const keepAliveSec = 60;

/** GC everywhere, then the process RSS (after the threads collected, so freed pages are gone). */
async function read(threads: number): Promise<Reading> {
  const heaps = await probeHeaps(threads, PROBE_LIMIT_MS);
  if (heaps.length < threads) throw new Error(`only ${heaps.length} of ${threads} threads answered the heap probe`);
  return { rss: process.memoryUsage().rss, heaps };
}

/** The early reading, then the settled one, timed from now (every client connected and subscribed). */
async function sample(threads: number): Promise<IdleSample> {
  const started = performance.now();
  await sleep(EARLY_MS);
  const early = await read(threads);
  await sleep(SETTLE_MS - (performance.now() - started));
  return { mode: mode as IdleSample['mode'], count, early, settled: await read(threads) };
}

async function harness(): Promise<IdleSample> {
  const plan: GroupPlan = {
    name: 'idle',
    count,
    role: 'subscriber',
    clientId,
    clean: false,
    sessionExpiry: 0xffffffff,
    keepAliveSec,
    qos: 1,
    topic,
    via: 'direct',
    reconnect: { backoff: 'fixed', delayMs: 3_000, jitterMs: 1_000 },
  };
  const invocation = newInvocation();
  const inits: ShardInit[] = splitExactly(count, shards).map((slice, shard) => ({
    shard,
    protocol,
    shards,
    seed: 1,
    invocation,
    topics: { idle: topic },
    groupSizes: { idle: count },
    groups: [{ plan, ...slice, endpoints: [{ host, port }] }],
    broker: { host, port },
  }));
  const pool = await startShards(inits, (event) => {
    if (event.kind === 'error') process.stderr.write(`shard ${event.shard}: ${event.message}\n`);
  });
  try {
    await pool.run({ kind: 'connect', groups: [{ name: 'idle', ...(RATE ? { ratePerSec: RATE } : {}) }] });
    await pool.run({ kind: 'subscribe', groups: ['idle'] });
    const statuses = await pool.status();
    const subscribed = statuses.reduce((n, s) => n + s.subscribedNow, 0);
    if (subscribed !== count) throw new Error(`${subscribed} of ${count} harness clients connected and subscribed`);
    const result = await sample(shards + 1);
    await pool.finish();
    return result;
  } finally {
    await pool.destroy();
  }
}

async function bare(): Promise<IdleSample> {
  const script = new URL('./bare-clients.js', import.meta.url);
  const workers = splitExactly(count, shards).map(({ first, count: owned }) => {
    const workerData: BareClientsData = { host, port, protocolVersion: protocol === '5' ? 5 : 4, keepalive: keepAliveSec, clientId, topic, first, count: owned };
    return new Worker(script, { workerData });
  });
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('bare clients not ready in time')), READY_LIMIT_MS);
            worker.once('message', (message: { ready?: true; failed?: string }) => {
              clearTimeout(timer);
              if (message.ready) resolve();
              else reject(new Error(`bare client: ${message.failed}`));
            });
            worker.once('error', reject);
          }),
      ),
    );
    return await sample(shards + 1);
  } finally {
    await Promise.all(
      workers.map(async (worker) => {
        worker.postMessage('stop');
        await Promise.race([new Promise((resolve) => worker.once('exit', resolve)), sleep(5_000)]);
        await worker.terminate();
      }),
    );
  }
}

try {
  if (mode !== 'harness' && mode !== 'bare') throw new Error(`mode must be harness or bare, not ${mode}`);
  if (!(port > 0) || !(count > 0) || !(shards > 0)) throw new Error('port, count and shards must be positive numbers');
  const result = mode === 'harness' ? await harness() : await bare();
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (err) {
  process.stderr.write(`idle-population: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
