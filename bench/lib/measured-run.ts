import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMosquittoBinary } from '../../src/brokers/capabilities.js';
import { startMosquitto, type ManagedMosquitto } from '../../src/brokers/mosquitto.js';
import { runScenario } from '../../src/engine/orchestrator.js';
import type { RunRecord } from '../../src/engine/run-record.js';
import { expandPlan, parseScenario } from '../../src/scenario/index.js';
import { childPids, cpuSnapshot, type CpuSnapshot } from './cpu.js';

/**
 * No queue limit, so a publisher faster than its subscriber (mosquitto_pub) is not measured
 * against messages the broker dropped; no log line per connection, so the broker's CPU is
 * its MQTT work.
 */
const benchBrokerOptions = { max_queued_messages: 0, connection_messages: false };

/** A managed Mosquitto for one benchmark, with its pid for /proc; `use` runs against it, then it is stopped. */
export async function withMosquitto<T>(use: (broker: ManagedMosquitto & { pid: number }) => Promise<T>): Promise<T> {
  const binary = await findMosquittoBinary();
  if (!binary) throw new Error('no mosquitto on PATH, /usr/sbin or /usr/local/sbin: install it (Debian: mosquitto)');
  const dir = await mkdtemp(join(tmpdir(), 'mqtt-chaos-bench-'));
  const broker = await startMosquitto({ binary, runDir: dir, options: benchBrokerOptions });
  try {
    if (broker.pid === undefined) throw new Error('mosquitto started without a pid');
    return await use(broker as ManagedMosquitto & { pid: number });
  } finally {
    await broker.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export interface MeasuredRun {
  record: RunRecord;
  /** CPU and memory of every party at the start and the end of each phase, by phase index. */
  phases: { start: CpuSnapshot; end: CpuSnapshot }[];
}

/**
 * One scenario (a single run) through the real engine (runScenario: workers, phases,
 * ledgers) against `broker`, with snapshots taken at every phase boundary.
 * `body` is the scenario without its broker, which is filled in.
 */
export async function measuredRun(body: string, broker: { url: string; pid: number }): Promise<MeasuredRun> {
  const dir = await mkdtemp(join(tmpdir(), 'mqtt-chaos-bench-run-'));
  const starts = new Map<number, CpuSnapshot>();
  const phases: MeasuredRun['phases'] = [];
  let children: number[] = [];
  try {
    const text = `broker: { url: "${broker.url}" }\nmemory: { probes: none }\n${body}`;
    const plan = expandPlan(parseScenario(text, 'bench'), 'bench');
    const outcome = await runScenario(plan, {
      runDir: dir,
      signal: new AbortController().signal,
      log: () => {},
      onProgress: (event) => {
        // The fault servers are up before the first phase and stay to the last.
        if (event.type === 'run-start') children = childPids(process.pid, [broker.pid]);
        if (event.type === 'phase-start') starts.set(event.phase, cpuSnapshot(broker.pid, children));
        if (event.type === 'phase-end') phases[event.phase] = { start: starts.get(event.phase)!, end: cpuSnapshot(broker.pid, children) };
      },
    });
    if (outcome.error) throw outcome.error;
    const record = outcome.records[0];
    if (!record) throw new Error('the run produced no record');
    if (record.incomplete) throw new Error(`the run stopped early: ${record.incomplete}`);
    return { record, phases };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
