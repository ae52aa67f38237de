import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { cpuSnapshot, interval, type Interval } from './cpu.js';

export interface BaselineSpec {
  url: string;
  brokerPid: number;
  protocol: '3.1.1' | '5';
  qos: 0 | 1 | 2;
  payloadBytes: number;
  messages: number;
  /** Give up when nothing arrives for this long. */
  stallMs: number;
  /** Paced as the harness paces (a sleep until each message's slot); unpaced when absent. */
  ratePerSec?: number;
}

export interface PublishResult {
  delivered: number;
  /** Messages per second, first send to last arrival. */
  rate: number;
  cpu: Interval;
}

/** The harness's in-flight window per publisher (src/workers/publish-phase.ts), so both sides queue alike. */
function window(client: MqttClient, spec: BaselineSpec): number {
  if (spec.protocol === '5') return Math.min(100, client.serverProperties?.receiveMaximum ?? 100);
  return spec.qos === 2 ? 20 : 100;
}

const connect = (spec: BaselineSpec, clientId: string): Promise<MqttClient> =>
  mqtt.connectAsync(spec.url, { clientId, clean: true, protocolVersion: spec.protocol === '5' ? 5 : 4, reconnectPeriod: 0 });

/** A subscriber on `topic` counting arrivals; resolves when `messages` came or none did for stallMs. */
async function subscriber(spec: BaselineSpec, topic: string) {
  const client = await connect(spec, `bench-baseline-sub-${process.pid}`);
  await client.subscribeAsync(topic, { qos: spec.qos });
  let count = 0;
  let lastAt = 0;
  let wake: (() => void) | undefined;
  client.on('message', () => {
    count++;
    lastAt = performance.now();
    if (count >= spec.messages) wake?.();
  });
  const arrived = async (): Promise<{ count: number; lastAt: number }> => {
    while (count < spec.messages) {
      const before = count;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, spec.stallMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (count === before) break;
    }
    return { count, lastAt };
  };
  return { client, arrived };
}

/**
 * The least a client-library user would write: one mqtt.js publisher sending one reused
 * payload in a loop, with the harness's window of unacknowledged messages, to one
 * mqtt.js subscriber in this process.
 */
export async function mqttjsBaseline(spec: BaselineSpec): Promise<PublishResult> {
  const topic = 'bench/baseline/mqttjs';
  const sub = await subscriber(spec, topic);
  const pub = await connect(spec, `bench-baseline-pub-${process.pid}`);
  try {
    const payload = Buffer.alloc(spec.payloadBytes, 1);
    const limit = window(pub, spec);
    let inFlight = 0;
    let wake: (() => void) | undefined;
    const settled = (): void => {
      inFlight--;
      wake?.();
    };
    const from = cpuSnapshot(spec.brokerPid);
    const intervalMs = spec.ratePerSec ? 1000 / spec.ratePerSec : 0;
    for (let k = 0; k < spec.messages; k++) {
      const wait = intervalMs > 0 ? from.at + k * intervalMs - performance.now() : 0;
      if (wait >= 1) await sleep(wait);
      else if (k % 64 === 63) await yieldToLoop();
      while (inFlight >= limit) {
        const acked = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), spec.stallMs);
          wake = () => {
            clearTimeout(timer);
            resolve(true);
          };
        });
        if (!acked) throw new Error(`mqtt.js baseline: no acknowledgement for ${spec.stallMs} ms`);
      }
      inFlight++;
      pub.publish(topic, payload, { qos: spec.qos }, settled);
    }
    const { count, lastAt } = await sub.arrived();
    const to = { ...cpuSnapshot(spec.brokerPid), at: lastAt || performance.now() };
    return { delivered: count, rate: count / ((to.at - from.at) / 1000), cpu: interval(from, to, count) };
  } finally {
    await Promise.all([pub.endAsync(true), sub.client.endAsync(true)]);
  }
}

/** mqttjsBaseline in a new worker thread: a harness run's clients start in new threads too, JIT-cold. */
export function mqttjsBaselineInWorker(spec: BaselineSpec): Promise<PublishResult> {
  const worker = new Worker(new URL('./baseline-worker.js', import.meta.url), { workerData: spec });
  return new Promise<PublishResult>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the baseline thread exited with ${code} before its result`)));
  }).finally(() => worker.terminate());
}

/** mosquitto_pub on PATH (Debian: mosquitto-clients), or undefined. */
export async function findMosquittoPub(): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = `${dir}/mosquitto_pub`;
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

/**
 * mosquitto_pub -l (one message per stdin line) to an mqtt.js subscriber here. CPU is
 * publisher + subscriber, as for the others: mosquitto_pub's from the shell's `times`
 * (children's user and system time) after it exits, plus this process's.
 */
export async function mosquittoPubBaseline(binary: string, spec: BaselineSpec): Promise<PublishResult> {
  const topic = 'bench/baseline/mosquitto_pub';
  const sub = await subscriber(spec, topic);
  try {
    const { port } = new URL(spec.url);
    const line = `${'x'.repeat(spec.payloadBytes - 1)}\n`;
    const from = cpuSnapshot(spec.brokerPid);
    const command = `"$0" -h 127.0.0.1 -p ${port} -V ${spec.protocol === '5' ? 'mqttv5' : 'mqttv311'} -q ${spec.qos} -t ${topic} -l; times`;
    const child = spawn('sh', ['-c', command, binary], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (data: Buffer) => (out += data.toString()));
    child.stdin.end(line.repeat(spec.messages));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const { count, lastAt } = await sub.arrived();
    await exited;
    // `times`: the shell's own user/system line, then its children's.
    const times = out.trim().split('\n').at(-1)?.match(/(\d+)m([\d.]+)s/g) ?? [];
    const childUs = times.map((t) => {
      const [, m, s] = /(\d+)m([\d.]+)s/.exec(t)!;
      return (Number(m) * 60 + Number(s)) * 1e6;
    });
    const to = { ...cpuSnapshot(spec.brokerPid), at: lastAt || performance.now() };
    const cpu = interval(from, to, count);
    const us = (childUs[0] ?? 0) + (childUs[1] ?? 0) + (to.harnessUs - from.harnessUs);
    cpu.harness = { pctCore: (us / 1000 / cpu.wallMs) * 100, usPerUnit: us / Math.max(count, 1) };
    return { delivered: count, rate: count / (cpu.wallMs / 1000), cpu };
  } finally {
    await sub.client.endAsync(true);
  }
}
