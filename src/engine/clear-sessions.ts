/**
 * Whether a run clears the sessions it leaves on the broker, how long it may take, and
 * the one line that says what came of it. A broker that outlives the run would otherwise
 * keep every persistent session (3.1.1 ones forever) with its queued messages, for the
 * next run to resume.
 */
import type { BrokerTarget } from '../brokers/types.js';
import type { ClearRequest, ShardEvent } from '../workers/protocol.js';
import { count } from '../checks/words.js';

/** Connections open at once, over all shards. */
const CONCURRENCY = 200;
const LIMIT_MS = 20_000;
/** After Ctrl-C the user is waiting: a short try, and a second Ctrl-C still exits at once. */
const INTERRUPTED_LIMIT_MS = 5_000;

/**
 * What `finish` asks of every shard, or undefined when nothing is cleared: a managed
 * Mosquitto or an embedded Aedes is stopped at the run's end and its sessions with it
 * (neither keeps a persistence file across runs), and `--keep-sessions` leaves them.
 */
export function clearRequest(target: BrokerTarget, keepSessions: boolean, interrupted: boolean, shards: number): ClearRequest | undefined {
  if (target.kind !== 'external' || keepSessions) return undefined;
  return { limitMs: interrupted ? INTERRUPTED_LIMIT_MS : LIMIT_MS, concurrency: Math.max(1, Math.ceil(CONCURRENCY / shards)) };
}

/** Sums the shards' `sessions-cleared` events into one line. */
export class ClearedTally {
  #cleared = 0;
  #notCleared = 0;
  #why: string | undefined;
  #heard = false;

  add(event: ShardEvent): void {
    if (event.kind !== 'sessions-cleared') return;
    this.#heard = true;
    this.#cleared += event.cleared;
    this.#notCleared += event.notCleared;
    if (event.why !== undefined) this.#why ??= event.why;
  }

  /** Undefined when no shard reported (none was asked, or none answered). */
  line(): string | undefined {
    if (!this.#heard) return undefined;
    const cleared = `cleared ${count(this.#cleared)} sessions on the broker`;
    if (this.#notCleared === 0) return cleared;
    return `${cleared}; ${count(this.#notCleared)} could not be cleared (${this.#why ?? 'no reason given'})`;
  }
}
