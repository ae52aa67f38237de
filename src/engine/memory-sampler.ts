import type { MemoryProbe, MemorySample } from '../brokers/memory-probe.js';
import { chooseProbes } from '../brokers/memory-probes.js';
import type { BrokerTarget } from '../brokers/types.js';
import type { MemoryPlan } from '../scenario/plan.js';
import type { MemoryProbeRecord, PointFreshness } from '../result/memory.js';

/**
 * Broker memory on the run timeline: every probe read at a fixed interval, on the run clock
 * (performance.now(), as the timeline's phase and fault marks), plus readings at named
 * points — `start` before the first phase, each `measure` phase, `end` after the last phase —
 * that the memory figures are derived from (checks/memory.ts). Plain data out; never throws.
 */


/** A reading of every probe at one moment; null: that probe had no value. */
export interface MemoryPoint {
  label: string;
  /** Run clock, ms. */
  at: number;
  /** The `measure` phase's index; absent for `start` and `end`. */
  phase?: number;
  values: Record<string, number | null>;
  freshness?: PointFreshness;
}

export interface MemoryRecord {
  intervalMs: number;
  probes: MemoryProbeRecord[];
  /** [run clock ms, bytes, probe name], in time order per probe. */
  samples: [number, number, string][];
  points: MemoryPoint[];
  notes: string[];
}

export interface SamplerOptions {
  allowRemote: boolean;
  /** Lines for the user, e.g. a probe that is unavailable. */
  log: (line: string) => void;
  /** Prefix of those lines, e.g. "  [5] ". */
  prefix?: string;
  firstValueMs?: number;
  /** Tests put their own probes here; default chooseProbes. */
  choose?: typeof chooseProbes;
  /** Each new sample as it is kept (live metrics); must not throw. */
  onSample?: (probe: string, bytes: number) => void;
}

interface Slot {
  probe: MemoryProbe;
  record: MemoryProbeRecord;
  lastAt: number | undefined;
  busy: Promise<void> | undefined;
  /** It had a value at its latest read (so a lost one is said once, not every interval). */
  up: boolean;
}

export class MemorySampler {
  readonly #slots: Slot[];
  readonly #record: MemoryRecord;
  readonly #options: SamplerOptions;
  #timer: NodeJS.Timeout | undefined;
  /** The start lines are out: later changes of a probe's state are said as they happen. */
  #announced = false;
  #stopped: Promise<MemoryRecord> | undefined;

  private constructor(probes: MemoryProbe[], plan: MemoryPlan, notes: string[], options: SamplerOptions) {
    this.#options = options;
    this.#slots = probes.map((probe) => ({
      probe,
      record: { name: probe.name, source: probe.source, samples: 0, gaps: 0 },
      lastAt: undefined,
      busy: undefined,
      up: false,
    }));
    this.#record = { intervalMs: plan.intervalMs, probes: this.#slots.map((s) => s.record), samples: [], points: [], notes };
  }

  /**
   * Chooses and starts the probes for this broker, takes the `start` reading and begins
   * sampling. Undefined when the plan has no memory section (a plan built by hand).
   */
  static async start(plan: MemoryPlan | undefined, target: BrokerTarget, options: SamplerOptions): Promise<MemorySampler | undefined> {
    if (!plan) return undefined;
    const chosen = (options.choose ?? chooseProbes)(plan, target, { allowRemote: options.allowRemote, firstValueMs: options.firstValueMs });
    const sampler = new MemorySampler(chosen.probes, plan, chosen.notes, options);
    await Promise.all(sampler.#slots.map((s) => s.probe.start().catch(() => undefined)));
    // An external broker may still hold the last run's sessions in the value it published
    // last (the retained $SYS heap, up to sys_interval old): wait for one from now on.
    await sampler.point('start', undefined, target.kind === 'external' ? performance.now() : undefined);
    sampler.#sayWhatIsRead();
    if (sampler.#slots.length > 0) {
      sampler.#timer = setInterval(() => sampler.#tick(), plan.intervalMs);
      sampler.#timer.unref();
    }
    return sampler;
  }

  /**
   * Reads every probe now and records the point. With `since` (a `measure` phase's start),
   * a probe that publishes on its own is read only from a value newer than that.
   */
  async point(label: string, phase?: number, since?: number): Promise<void> {
    if (this.#stopped) return;
    const values: Record<string, number | null> = {};
    const freshness: NonNullable<MemoryPoint['freshness']> = {};
    await Promise.all(
      this.#slots.map(async (slot) => {
        await slot.busy;
        const asked = performance.now();
        const sample = await this.#read(slot, since);
        values[slot.record.name] = sample?.bytes ?? null;
        if (since !== undefined && slot.probe.sampleSince && sample) {
          const now = performance.now();
          const unchanged = sample.at < since && sample.unchangedAt !== undefined && sample.unchangedAt >= since;
          freshness[slot.record.name] = {
            waitedMs: Math.round(now - asked),
            ageMs: Math.round(now - sample.at),
            newer: sample.at >= since || unchanged,
            ...(unchanged ? { unchanged } : {}),
          };
        }
      }),
    );
    const fresh = Object.keys(freshness).length > 0 ? { freshness } : {};
    this.#record.points.push({ label, at: performance.now(), ...(phase !== undefined ? { phase } : {}), values, ...fresh });
  }

  /** Takes the `end` reading, stops every probe, and hands over the record. Safe to call twice. */
  stop(): Promise<MemoryRecord> {
    this.#stopped ??= (async () => {
      clearInterval(this.#timer);
      await Promise.all(this.#slots.map((s) => s.busy));
      const values: Record<string, number | null> = {};
      for (const slot of this.#slots) values[slot.record.name] = (await this.#read(slot))?.bytes ?? null;
      this.#record.points.push({ label: 'end', at: performance.now(), values });
      await Promise.all(this.#slots.map((s) => s.probe.stop().catch(() => undefined)));
      for (const slot of this.#slots) slot.record.source = slot.probe.source;
      return this.#record;
    })();
    return this.#stopped;
  }

  #tick(): void {
    for (const slot of this.#slots) {
      if (slot.busy) continue;
      slot.busy = this.#read(slot)
        .then(() => undefined)
        .finally(() => (slot.busy = undefined));
    }
  }

  /** One read of one probe: kept as a sample when new, counted and said once when missing. */
  async #read(slot: Slot, since?: number): Promise<MemorySample | undefined> {
    const { probe } = slot;
    const sample = await (since !== undefined && probe.sampleSince ? probe.sampleSince(since) : probe.sample()).catch(() => undefined);
    const { record } = slot;
    if (!sample) {
      const reason = slot.probe.unavailable ?? 'no value';
      if (record.samples > 0) record.gaps++;
      if (slot.up && this.#announced) this.#say(`memory probe ${record.name} lost its value: ${reason}`);
      record.reason = reason;
      slot.up = false;
      return undefined;
    }
    if (!slot.up && this.#announced) this.#say(`memory probe ${record.name} reads ${record.samples > 0 ? 'again' : 'now'}: ${sample.bytes} B`);
    slot.up = true;
    if (sample.at !== slot.lastAt) {
      slot.lastAt = sample.at;
      record.samples++;
      this.#record.samples.push([sample.at, sample.bytes, record.name]);
      this.#options.onSample?.(record.name, sample.bytes);
    }
    return sample;
  }

  #sayWhatIsRead(): void {
    const working = this.#slots.filter((s) => s.up).map((s) => `${s.record.name} (${s.probe.source})`);
    if (working.length > 0) this.#say(`memory: ${working.join(', ')}, every ${this.#record.intervalMs} ms`);
    for (const slot of this.#slots.filter((s) => !s.up)) {
      this.#say(`memory probe ${slot.record.name} unavailable: ${slot.record.reason ?? slot.probe.unavailable ?? 'no value'}`);
    }
    for (const note of this.#record.notes) this.#say(`memory: ${note}`);
    this.#announced = true;
  }

  #say(line: string): void {
    this.#options.log(`${this.#options.prefix ?? ''}${line}`);
  }
}
