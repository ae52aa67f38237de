/**
 * The worker pool, main-thread side: one piscina thread per shard, each running one long
 * task (shard-task.ts) for the whole run, commanded over a MessagePort. The engine sees
 * barriers: a command resolves once every shard it went to has answered `done`.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { within } from '../clock.js';
import type { ShardLedger } from '../metrics/ledger.js';
import type { ClearRequest, ShardEvent, ShardInit, ShardStatus } from './protocol.js';
import type { PhaseCommand } from './shard.js';
import { ShardLink, type DoneEvent } from './shard-link.js';
import type { ShardTaskInput } from './shard-task.js';

/** Clients one worker thread simulates comfortably (sockets, timers, per-message work). */
const CLIENTS_PER_SHARD = 2500;
const READY_LIMIT_MS = 30_000;
const STATUS_LIMIT_MS = 10_000;
/** Below the engine's own finish bound, so late shards are left out, not every ledger. */
const FINISH_LIMIT_MS = 20_000;

export interface ShardPool {
  readonly shards: number;
  /** Posts a phase command to one shard or all; resolves with their `done`s (the barrier). */
  send(target: number | 'all', command: PhaseCommand): Promise<DoneEvent[]>;
  /** The barrier on every shard, for the engine's phase driver. */
  run(command: PhaseCommand): Promise<void>;
  /** Every shard's counters, in shard order. */
  status(): Promise<ShardStatus[]>;
  /**
   * Ends every shard and collects the ledgers, in shard order. A shard that crashed or did
   * not answer in time is left out (an `error` event says which). With `clear`, each shard
   * first clears the sessions the run left on the broker (a `sessions-cleared` event).
   */
  finish(clear?: ClearRequest): Promise<ShardLedger[]>;
  /** Terminates the threads (sockets close abruptly). Safe to call twice, and after finish. */
  destroy(): Promise<void>;
}

/**
 * min(cores, ceil(clients / 2500)), at least 1. Test hook: MQTT_CHAOS_TEST_SHARDS=n (1-8)
 * forces n, so a test can crash one shard of several without thousands of clients.
 */
export function shardCount(totalClients: number, forced = process.env.MQTT_CHAOS_TEST_SHARDS): number {
  const n = Number(forced);
  if (forced !== undefined && Number.isInteger(n) && n >= 1 && n <= 8) return n;
  return Math.max(1, Math.min(availableParallelism(), Math.ceil(totalClients / CLIENTS_PER_SHARD)));
}

/**
 * `onCrash` hears a worker thread that died (an uncaught exception, an exit) while the run
 * still needed it: its ledger is lost, the others' are not.
 */
export async function startShards(
  inits: ShardInit[],
  onEvent: (event: ShardEvent) => void,
  onCrash?: (shard: number, message: string) => void,
): Promise<ShardPool> {
  const threads = inits.length;
  // Process-wide, so set before the worker isolates start. V8 pretenuring sees the connect
  // phase's sockets live on and from then on allocates sockets and streams straight into
  // old space: the refused attempts of a reconnect storm, dead within milliseconds, then
  // pile up there until a full GC, growing the heap for as long as the cut lasts (issue 7).
  setFlagsFromString('--no-allocation-site-pretenuring');
  const pool = new Piscina<ShardTaskInput, void>({
    filename: new URL('./shard-task.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    idleTimeout: Infinity,
    // The default Atomics wait blocks an idle worker's event loop: its sockets would stop pinging.
    atomics: 'disabled',
  });
  const links = inits.map((init) => {
    const { port1, port2 } = new MessageChannel();
    const link = new ShardLink(init.shard, port1, onEvent, onCrash);
    pool.run({ port: port2, init }, { transferList: [port2] }).catch((err: unknown) => link.taskFailed(err));
    return link;
  });
  let destroying: Promise<void> | undefined;
  const destroy = (): Promise<void> => {
    destroying ??= (async () => {
      for (const link of links) link.closing = true;
      await pool.destroy();
      for (const link of links) link.port.close();
    })();
    return destroying;
  };
  try {
    await within(READY_LIMIT_MS, `worker shards not ready within ${READY_LIMIT_MS / 1000} s`, Promise.all(links.map((l) => l.ready)));
  } catch (err) {
    await destroy();
    throw err;
  }

  const linkOf = (shard: number): ShardLink => {
    const link = links.find((l) => l.shard === shard);
    if (!link) throw new Error(`no shard ${shard}`);
    return link;
  };
  const send = (target: number | 'all', command: PhaseCommand): Promise<DoneEvent[]> => {
    const chosen = target === 'all' ? links : [linkOf(target)];
    return Promise.all(chosen.map((l) => l.command(command)));
  };
  return {
    shards: threads,
    send,
    run: async (command) => {
      await send('all', command);
    },
    status: () => Promise.all(links.map((l) => within(STATUS_LIMIT_MS, `shard ${l.shard}: no status answer`, l.status()))),
    finish: async (clear) => {
      const limitMs = FINISH_LIMIT_MS + (clear?.limitMs ?? 0);
      const ledgers = await Promise.all(
        links.map((l) =>
          within(limitMs, 'no ledger in time', l.finish(clear)).catch((err: unknown) => {
            onEvent({ kind: 'error', shard: l.shard, message: err instanceof Error ? err.message : String(err) });
            return undefined;
          }),
        ),
      );
      return ledgers.filter((l): l is ShardLedger => l !== undefined);
    },
    destroy,
  };
}
