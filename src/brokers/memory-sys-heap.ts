import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { reasonOf, type MemoryProbe, type MemorySample } from './memory-probe.js';
import type { SysHeapEvent, SysHeapWorkerData } from './memory-sys-heap-worker.js';

/**
 * Mosquitto's `$SYS/broker/heap/current`: the bytes the broker itself has allocated (not
 * RSS), on builds with memory tracking. Retained and published only when it changes, every
 * sys_interval (1 s for a managed Mosquitto, so a new value about every 2 s; 10 s by default
 * elsewhere). The subscriber runs in a worker thread (memory-sys-heap-worker.ts); a value is
 * timed when it reaches the main thread, on the run clock.
 */
export const HEAP_TOPIC = '$SYS/broker/heap/current';
/** Published every sys_interval: two in a row tell the interval. */
const UPTIME_TOPIC = '$SYS/broker/uptime';
/** A pass's heap message follows its uptime message at once; after this, the pass had none. */
const PASS_GRACE_MS = 250;
/** Mosquitto's sys_interval unless configured, s. */
const DEFAULT_SYS_INTERVAL_S = 10;

export interface SysHeapOptions {
  protocol: 'mqtt' | 'mqtts';
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** How long start() waits for the first (retained) value; later values still count. */
  firstValueMs?: number;
  /**
   * How long after subscribing a missing value means "unavailable" rather than "not yet":
   * 2 × the broker's sys_interval (an external Mosquitto's default 10 s: 20 s). The wait
   * goes on in the background while the run does; only the verdict comes late.
   */
  concludeMs?: number;
}

const WORKER = new URL('./memory-sys-heap-worker.js', import.meta.url);

export class SysHeapProbe implements MemoryProbe {
  readonly name = 'sys-heap';
  #options: SysHeapOptions;
  #worker: Worker | undefined;
  #latest: MemorySample | undefined;
  #problem: string | undefined;
  #subscribed = false;
  #exited = false;
  #stopping: Promise<void> | undefined;
  #waiters: (() => void)[] = [];
  #startedAt: number | undefined;
  /** When the last uptime message came (run clock), and the interval learned from the one before. */
  #uptime: number | undefined;
  /** The latest value is the retained one the broker sent at our subscribe: of unknown age. */
  #latestRetained = false;
  #intervalS: number | undefined;

  constructor(options: SysHeapOptions) {
    this.#options = { firstValueMs: 2000, ...options };
    this.#options.concludeMs ??= this.#options.firstValueMs;
  }

  get source(): string {
    const base = `${HEAP_TOPIC} from ${this.#options.host}:${this.#options.port}`;
    return this.#intervalS === undefined ? base : `${base}, published every ${this.#intervalS} s (learned from ${UPTIME_TOPIC})`;
  }

  get unavailable(): string | undefined {
    if (this.#latest) return undefined;
    if (this.#problem) return this.#problem;
    const concludeMs = this.#options.concludeMs!;
    const waitedMs = this.#startedAt === undefined ? 0 : performance.now() - this.#startedAt;
    const waited = `${seconds(Math.min(waitedMs, concludeMs))} s`;
    if (this.#intervalS !== undefined) {
      return `no ${HEAP_TOPIC} message, though the broker publishes $SYS every ${this.#intervalS} s (learned from ${UPTIME_TOPIC}; waited ${waited}): a Mosquitto built without memory tracking`;
    }
    if (waitedMs < concludeMs) {
      return `no ${HEAP_TOPIC} message yet (waited ${seconds(waitedMs)} s of up to ${seconds(concludeMs)} s, in the background: Mosquitto publishes $SYS every sys_interval, 10 s unless configured)`;
    }
    return this.#subscribed
      ? `no ${HEAP_TOPIC} message (subscribed; waited ${waited}): a Mosquitto built without memory tracking, $SYS off (sys_interval 0), or not Mosquitto`
      : `could not subscribe to ${HEAP_TOPIC} within ${waited}`;
  }

  async start(): Promise<void> {
    if (this.#worker || this.#stopping) return;
    const { firstValueMs = 2000, concludeMs: _, ...rest } = this.#options;
    const data: SysHeapWorkerData = { ...rest, clientId: `mqtt-chaos-memory-${randomBytes(4).toString('hex')}`, topic: HEAP_TOPIC, uptimeTopic: UPTIME_TOPIC };
    this.#startedAt = performance.now();
    let worker: Worker;
    try {
      // execArgv: [] keeps the test runner's and inspector's flags out of the thread.
      worker = new Worker(WORKER, { workerData: data, execArgv: [] });
    } catch (err) {
      this.#problem = `cannot start the $SYS subscriber thread: ${reasonOf(err)}`;
      return;
    }
    this.#worker = worker;
    worker.on('message', (event: SysHeapEvent) => this.#onEvent(event));
    worker.on('error', (err) => {
      this.#problem = `the $SYS subscriber thread failed: ${reasonOf(err)}`;
    });
    worker.on('exit', () => {
      this.#exited = true;
      this.#wake();
    });
    worker.unref();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, firstValueMs);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async sample(): Promise<MemorySample | undefined> {
    return this.#latest;
  }

  /**
   * Mosquitto publishes $SYS every sys_interval + 1 s: uptime first, then the heap in the
   * same pass, but only when it changed. So a value newer than `since` is taken; or, once a
   * pass after `since` brought its uptime and, within PASS_GRACE_MS, no heap, the latest
   * value as unchanged then. At most twice the interval is waited (learned from
   * $SYS/broker/uptime, else an external Mosquitto's default 10 s); then the latest as is.
   */
  async sampleSince(since: number): Promise<MemorySample | undefined> {
    const limitMs = 2 * ((this.#intervalS ?? DEFAULT_SYS_INTERVAL_S) + 1) * 1000;
    const deadline = performance.now() + limitMs;
    while (this.#worker && !this.#exited) {
      const latest = this.#latest;
      // A retained value arrives when we subscribe, but is as old as the pass that published it.
      if (latest && latest.at >= since && !this.#latestRetained) return latest;
      const now = performance.now();
      const pass = this.#uptime;
      if (latest && pass !== undefined && pass >= since && now - pass >= PASS_GRACE_MS) return { ...latest, unchangedAt: pass };
      const left = Math.min(deadline - now, pass !== undefined && pass >= since ? pass + PASS_GRACE_MS - now : Infinity);
      if (deadline - now <= 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, left));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.#latest;
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const worker = this.#worker;
      if (!worker || this.#exited) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ kind: 'stop' });
      const timer = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timer);
    })();
    return this.#stopping;
  }

  #onEvent(event: SysHeapEvent): void {
    switch (event.kind) {
      case 'subscribed':
        this.#subscribed = true;
        return;
      case 'problem':
        this.#problem = event.message;
        // Until a new value arrives, nothing says what the heap is now.
        this.#latest = undefined;
        this.#wake();
        return;
      case 'uptime': {
        // A retained uptime is an earlier pass, not one happening now: no pace, no pass.
        if (event.retained) return;
        // Timed on arrival: the broker's own uptime count rounds its first interval.
        const at = performance.now();
        if (this.#uptime !== undefined) this.#intervalS = Math.max(1, Math.round((at - this.#uptime) / 1000));
        this.#uptime = at;
        this.#wake();
        return;
      }
      case 'value': {
        const bytes = Number(event.text.trim());
        if (!Number.isFinite(bytes) || bytes < 0) {
          this.#problem = `${HEAP_TOPIC} is not a byte count: ${JSON.stringify(event.text.slice(0, 40))}`;
          return;
        }
        this.#latest = { at: performance.now(), bytes };
        this.#latestRetained = event.retained;
        this.#problem = undefined;
        this.#wake();
        return;
      }
    }
  }

  #wake(): void {
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
