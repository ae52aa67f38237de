/**
 * One shard's part of a measure-expiry phase: its sessions of the measured groups, its will
 * observer, its probes, and what all of them saw (ExpiryLedger). See expiry-protocol.ts for
 * the three commands. The shard never judges: early, never-expired and the error are the
 * checks' business.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { encodeHistogram } from '../metrics/histograms.js';
import { expectedExpiryMs } from '../scenario/expiry-phase.js';
import type { MeasureExpiryPhase } from '../scenario/plan.js';
import { assignSessions } from './expiry-assign.js';
import { clientIdOf } from './invocation.js';
import { discardSession, ExpirySession, probeSession, type Connection } from './expiry-client.js';
import { WillObserver } from './expiry-observer.js';
import type { ExpiryCommand, ExpiryCut, ExpiryLedger, ExpirySessionLog } from './expiry-protocol.js';
import type { Endpoint, ShardInit } from './protocol.js';

const YIELD_EVERY = 200;
/** monitorEventLoopDelay's samples include this interval: it is taken off. */
const LOOP_SAMPLE_MS = 5;
const POLL_MS = 50;
/** After the latest bound, the shard stops waiting regardless. */
const OBSERVE_SLACK_MS = 30_000;
const CLEANUP_LIMIT_MS = 15_000;

function resolveIndex(pattern: string, index: number): string {
  return pattern.replaceAll('{i}', String(index));
}

export class ExpiryShard {
  readonly #init: ShardInit;
  readonly #sessions: ExpirySession[] = [];
  readonly #byKey = new Map<string, ExpirySessionLog>();
  #phase: MeasureExpiryPhase | undefined;
  #observer: WillObserver | undefined;
  #observerError: string | undefined;
  #loop: IntervalHistogram | undefined;
  #eventLoop: ExpiryLedger['eventLoop'] = null;

  constructor(init: ShardInit) {
    this.#init = init;
  }

  run(command: ExpiryCommand): Promise<string | undefined> {
    switch (command.kind) {
      case 'expiry-connect':
        return this.#connect(command.phase, command.tag, command.brokerExpiryMs);
      case 'expiry-close':
        return this.#close();
      case 'expiry-observe':
        return this.#observe(command.cuts);
    }
  }

  /** Undefined when no measure-expiry phase ran here. */
  ledger(): ExpiryLedger | undefined {
    if (!this.#phase) return undefined;
    const roundTrip = this.#observer?.roundTrip;
    return {
      sessions: this.#sessions.map((s) => s.log),
      roundTrip: roundTrip && roundTrip.totalCount > 0 ? encodeHistogram(roundTrip) : '',
      eventLoop: this.#eventLoop ?? this.#readLoop(),
      ...(this.#observerError !== undefined ? { observerError: this.#observerError } : {}),
    };
  }

  /**
   * Sessions that may still be on the broker (a phase cut short, a v5 session with an
   * expiry): connected, and neither discarded, nor seen to end by its will, nor probed.
   */
  unended(): Connection[] {
    return this.#sessions
      .filter(({ log }) => log.connackAt !== undefined && !log.cleanedUp && log.willAt === undefined && log.probe?.sessionPresent === undefined)
      .map((s) => this.#direct(s.spec.clientId));
  }

  async stop(): Promise<void> {
    this.#stopLoop();
    await Promise.all([...this.#sessions.map((s) => s.destroy()), this.#observer?.stop()]);
  }

  /** Straight to the broker (probes and the observer never go through the proxy). */
  #direct(clientId: string): Connection {
    const init = this.#init;
    // A hand-built init may leave `broker` out: a direct group's endpoint is the broker too.
    const endpoint: Endpoint | undefined = init.broker ?? init.groups.find((g) => g.plan.via === 'direct')?.endpoints[0];
    if (!endpoint) throw new Error('measure-expiry: the shard was not told where the broker is (ShardInit.broker)');
    return { clientId, endpoint, protocol: init.protocol, ...(init.credentials ? { credentials: init.credentials } : {}) };
  }

  async #connect(phase: MeasureExpiryPhase, tag: string, brokerExpiryMs: number | undefined): Promise<string | undefined> {
    const init = this.#init;
    // The shard in the will topic: each observer subscribes to its own sessions' wills only.
    // With every shard's (`+/+` over all), each observer read every will of a sweep and
    // stamped its own later, behind the others' (a will 74 ms after a probe's CONNACK).
    const prefix = `mqtt-chaos/expiry/${tag}/${init.shard}`;
    const v5 = init.protocol === '5';
    this.#phase = phase;
    for (const name of phase.groups) {
      const owned = init.groups.find((g) => g.plan.name === name);
      if (!owned || owned.count === 0) continue;
      const { plan: group, first, count, endpoints } = owned;
      const assigned = assignSessions(name, group.count, phase.closes, phase.probeShare, phase.windows[name]!, init.seed);
      for (let index = first; index < first + count; index++) {
        const { close, probeOffsetMs } = assigned[index]!;
        const log: ExpirySessionLog = {
          group: name,
          index,
          close,
          expectedMs: v5 ? expectedExpiryMs(group, close, phase.disconnectExpiry) : (brokerExpiryMs ?? 0),
          extraWills: 0,
          ...(probeOffsetMs !== undefined ? { probe: { offsetMs: probeOffsetMs, plannedAt: 0 } } : {}),
        };
        this.#byKey.set(`${name}/${index}`, log);
        const clientId = clientIdOf(group.clientId, index, init.invocation);
        this.#sessions.push(
          new ExpirySession(
            {
              ...this.#direct(clientId),
              endpoint: endpoints[index % endpoints.length]!,
              group,
              ...(group.topic !== undefined ? { topic: resolveIndex(group.topic, index) } : {}),
              ...(v5 ? { will: { topic: `${prefix}/${name}/${index}`, delaySec: phase.willDelay } } : {}),
            },
            log,
          ),
        );
      }
    }
    if (this.#sessions.length === 0) return undefined;
    this.#loop = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
    this.#loop.enable();
    const observerId = `mqtt-chaos-observer-${tag}-${init.shard}`;
    this.#observer = new WillObserver(this.#direct(observerId), prefix, init.shard, (g, i, at) => this.#onWill(g, i, at));
    this.#observerError = await this.#observer.start();
    if (this.#observerError) return this.#observerError;
    this.#observer.startRoundTrips();

    const pending: Promise<void>[] = [];
    for (const name of phase.groups) {
      const sessions = this.#sessions.filter((s) => s.log.group === name);
      const rate = sessions[0]?.spec.group.connectRatePerSec;
      // The group's connectRate, shared by the shards (interleaved, as the connect phase does).
      const gapMs = rate ? (1000 * sessions[0]!.spec.group.count) / (rate * sessions.length) : 0;
      const started = performance.now();
      for (const [k, session] of sessions.entries()) {
        const wait = started + (k + init.shard / init.shards) * gapMs - performance.now();
        if (gapMs > 0 && wait >= 1) await sleep(wait);
        else if (k % YIELD_EVERY === YIELD_EVERY - 1) await yieldToLoop();
        pending.push(session.connect().then(() => session.subscribe()));
      }
    }
    await Promise.all(pending);
    const failed = this.#sessions.filter((s) => s.log.connectError !== undefined);
    if (failed.length === 0) return undefined;
    return `${failed.length} of ${this.#sessions.length} sessions did not connect (e.g. ${failed[0]!.log.connectError}); they are left out`;
  }

  async #close(): Promise<string | undefined> {
    const phase = this.#phase;
    if (!phase || this.#sessions.length === 0) return undefined;
    const v5 = this.#init.protocol === '5';
    // The delays that matter are those while closes, wills and probes are stamped.
    this.#loop?.reset();
    this.#observer?.roundTrip.reset();
    // Graceful and abrupt closes spread evenly over `spreadMs`, so their ends sample every
    // phase of the broker's one-second clock.
    const closing = this.#sessions.filter((s) => s.log.close !== 'partition');
    const started = performance.now();
    await Promise.all(
      closing.map(async (s, k) => {
        await sleep(Math.max(0, started + (k / closing.length) * phase.spreadMs - performance.now()));
        if (s.log.close === 'abrupt') return s.closeAbrupt();
        // From expiry 0 a new interval is a protocol error: with 0x00 a broker that rejects
        // it publishes the will (abnormal close), one that accepts it discards the will.
        const rejectedChange = v5 && phase.disconnectExpiry !== undefined && s.spec.group.sessionExpiry === 0 && phase.disconnectExpiry > 0;
        return s.closeGraceful(rejectedChange ? 0 : 4, v5 ? phase.disconnectExpiry : undefined);
      }),
    );
    // Last, just before the engine cuts: each partitioned client's last packet.
    await Promise.all(this.#sessions.filter((s) => s.log.close === 'partition').map((s) => s.prepareForPartition(phase.syncKeepAlive)));
    const failed = this.#sessions.filter((s) => s.log.connectError === undefined && s.log.closeError !== undefined);
    return failed.length === 0 ? undefined : `${failed.length} sessions could not be closed as planned (e.g. ${failed[0]!.log.closeError})`;
  }

  async #observe(cuts: Record<string, ExpiryCut>): Promise<string | undefined> {
    const phase = this.#phase;
    if (!phase || this.#sessions.length === 0) return undefined;
    const measured = this.#sessions.filter((s) => s.log.connectError === undefined && s.log.closeError === undefined);
    const probes: Promise<void>[] = [];
    let latestBound = performance.now();
    for (const s of measured) {
      const log = s.log;
      if (log.close === 'partition') {
        const cut = cuts[log.group];
        if (!cut) {
          log.closeError = 'no partition was made';
          continue;
        }
        log.closedAt = cut.at;
        log.cutStartedAt = cut.startedAt;
      }
      const base = log.closedAt!;
      const keepAliveMs = log.close === 'partition' ? s.spec.group.keepAliveSec * 1500 : 0;
      log.boundAt = base + log.expectedMs + keepAliveMs + phase.neverAfterMs;
      latestBound = Math.max(latestBound, log.boundAt);
      if (log.probe) probes.push(this.#probeLater(s, base + log.expectedMs + log.probe.offsetMs));
    }
    // 3.1.1 sessions carry no will: only their probes are waited for.
    const wantsWills = this.#init.protocol === '5';
    const settled = (): boolean =>
      measured.every((s) => {
        const log = s.log;
        if (log.closeError !== undefined) return true;
        if (log.probe && log.probe.sessionPresent === undefined && log.probe.error === undefined) return false;
        if (!wantsWills || log.probe?.sessionPresent === true) return true;
        return log.willAt !== undefined || performance.now() >= log.boundAt!;
      });
    const giveUpAt = latestBound + OBSERVE_SLACK_MS;
    while (performance.now() < giveUpAt && !settled()) await sleep(POLL_MS);
    await Promise.all(probes);
    await this.#discardLeftovers(measured);
    this.#eventLoop = this.#readLoop();
    this.#stopLoop();
    await this.#observer?.stop();
    const wills = measured.filter((s) => s.log.willAt !== undefined).length;
    const probed = measured.filter((s) => s.log.probe?.sessionPresent !== undefined).length;
    return `${wills} wills, ${probed} probes`;
  }

  #probeLater(s: ExpirySession, at: number): Promise<void> {
    const log = s.log.probe!;
    log.plannedAt = at;
    return sleep(Math.max(0, at - performance.now())).then(() => probeSession(this.#direct(s.spec.clientId), log));
  }

  /**
   * Sessions that did not end within their bound, or (3.1.1) that a probe resumed, would
   * linger on an external broker: discard them. Probed v5 sessions are already gone.
   */
  async #discardLeftovers(sessions: readonly ExpirySession[]): Promise<void> {
    const v5 = this.#init.protocol === '5';
    const leftovers = sessions.filter((s) => (v5 ? s.log.willAt === undefined && !s.log.probe : !s.log.probe));
    let k = 0;
    const work = leftovers.map(async (s) => {
      if (k++ % YIELD_EVERY === YIELD_EVERY - 1) await yieldToLoop();
      if ((await discardSession(this.#direct(s.spec.clientId))) === undefined) s.log.cleanedUp = true;
    });
    await Promise.race([Promise.all(work), sleep(CLEANUP_LIMIT_MS)]);
  }

  #onWill(group: string, index: number, at: number): void {
    const log = this.#byKey.get(`${group}/${index}`);
    if (!log) return;
    if (log.willAt === undefined) log.willAt = at;
    else log.extraWills++;
  }

  #readLoop(): ExpiryLedger['eventLoop'] {
    const h = this.#loop;
    if (!h || h.count === 0) return null;
    const late = (ns: number): number => Math.max(0, Math.round((ns / 1e6 - LOOP_SAMPLE_MS) * 1000) / 1000);
    return { p99Ms: late(h.percentile(99)), maxMs: late(h.max) };
  }

  #stopLoop(): void {
    this.#loop?.disable();
  }
}
