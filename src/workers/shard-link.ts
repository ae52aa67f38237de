/**
 * The main thread's end of one shard's MessagePort: turns its events into settled
 * promises (ready, the `done` of the current command, status answers, the ledger), and
 * fails whatever is pending when the shard reports an error or its task ends.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ShardLedger } from '../metrics/ledger.js';
import type { ClearRequest, Command, ShardEvent, ShardStatus } from './protocol.js';

/** How long a closed port waits for the task's rejection, which carries the crash's reason. */
const CRASH_REASON_WAIT_MS = 1000;

export type DoneEvent = Extract<ShardEvent, { kind: 'done' }>;

interface Deferred<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

function deferred<T>(): Deferred<T> & { promise: Promise<T> } {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A shard can fail while nobody waits on these: that must not be an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export class ShardLink {
  readonly #ready = deferred<void>();
  #done: Deferred<DoneEvent> | undefined;
  readonly #statusWaiters: Deferred<ShardStatus>[] = [];
  readonly #ledger = deferred<ShardLedger | undefined>();
  #ended = false;
  /** The shard sent its ledger or its error: it ended on purpose, not by a crash. */
  #handedIn = false;
  #crashed = false;
  #crashTimer: NodeJS.Timeout | undefined;
  #failure: string | undefined;
  /** Set before the pool is destroyed: the tasks' ends are expected then, not errors. */
  closing = false;

  constructor(
    readonly shard: number,
    readonly port: MessagePort,
    private readonly onEvent: (event: ShardEvent) => void,
    private readonly onCrash?: (shard: number, message: string) => void,
  ) {
    port.on('message', (event: ShardEvent) => this.#onMessage(event));
    // The shard closes its end after its last message: messages posted before a close are
    // delivered before it, so the ledger (if any) has arrived when 'close' comes. The task's
    // own result travels on another channel and may overtake the ledger.
    port.on('close', () => {
      this.#ended = true;
      this.#ledger.resolve(undefined);
      if (this.closing || this.#handedIn) {
        this.#failPending(this.#endedError());
        return;
      }
      // The thread died. Piscina's rejection of its task says why: wait for it, briefly.
      this.#crashTimer = setTimeout(() => this.taskFailed(new Error('its thread ended without a ledger')), CRASH_REASON_WAIT_MS);
      this.#crashTimer.unref();
    });
  }

  get ready(): Promise<void> {
    return this.#ready.promise;
  }

  /** Posts a phase command; resolves with the shard's `done`. */
  command(command: Exclude<Command, { kind: 'status' } | { kind: 'finish' }>): Promise<DoneEvent> {
    if (this.#ended) return Promise.reject(this.#endedError());
    if (this.#done) return Promise.reject(new Error(`shard ${this.shard}: a command is already running`));
    const done = deferred<DoneEvent>();
    this.#done = done;
    this.port.postMessage(command);
    return done.promise;
  }

  status(): Promise<ShardStatus> {
    if (this.#ended) return Promise.reject(this.#endedError());
    const answer = deferred<ShardStatus>();
    this.#statusWaiters.push(answer);
    this.port.postMessage({ kind: 'status' } satisfies Command);
    return answer.promise;
  }

  /** The ledger; undefined when the shard ended without one (a crash). With `clear`, the run's sessions are cleared first. */
  finish(clear?: ClearRequest): Promise<ShardLedger | undefined> {
    if (!this.#ended) this.port.postMessage({ kind: 'finish', ...(clear ? { clear } : {}) } satisfies Command);
    return this.#ledger.promise;
  }

  /** The piscina task failed: the worker died or was terminated, without a ledger. */
  taskFailed(err: unknown): void {
    if (!this.closing && !this.#handedIn && !this.#crashed) {
      this.#crashed = true;
      this.#ended = true;
      clearTimeout(this.#crashTimer);
      const reason = err instanceof Error ? err.message : String(err);
      const message = `worker ended: ${reason}`;
      this.onEvent({ kind: 'error', shard: this.shard, message });
      this.#fail(message);
      this.onCrash?.(this.shard, reason);
    }
    this.port.close();
  }

  #onMessage(event: ShardEvent): void {
    switch (event.kind) {
      case 'ready':
        this.#ready.resolve();
        break;
      case 'done': {
        const done = this.#done;
        this.#done = undefined;
        done?.resolve(event);
        break;
      }
      case 'status':
        this.#statusWaiters.shift()?.resolve(event.status);
        break;
      case 'ledger':
        this.#ended = true;
        this.#handedIn = true;
        this.#ledger.resolve(event.ledger);
        break;
      case 'error':
        // The shard ends itself after an error (posting its ledger): no more commands.
        this.#ended = true;
        this.#handedIn = true;
        this.#fail(event.message);
        break;
    }
    this.onEvent(event);
  }

  #fail(message: string): void {
    this.#failure ??= message;
    this.#failPending(new Error(`shard ${this.shard}: ${message}`));
  }

  #failPending(err: Error): void {
    this.#ready.reject(err);
    const done = this.#done;
    this.#done = undefined;
    done?.reject(err);
    for (const waiter of this.#statusWaiters.splice(0)) waiter.reject(err);
  }

  #endedError(): Error {
    return new Error(`shard ${this.shard} has ended${this.#failure ? ` (${this.#failure})` : ''}`);
  }
}
