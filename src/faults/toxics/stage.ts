import type { Toxic } from './catalog.js';

/** A piece of a stream as it moves through a link; `ts` is when the proxy read it (ms). */
export interface Chunk {
  data: Buffer;
  ts: number;
}

/** Where a stage sends what it lets through. */
export interface Outlet {
  push(chunk: Chunk): void;
  end(): void;
}

/** What a stage reports back to its link, for back-pressure accounting. */
export interface StageHost {
  dropped(bytes: number): void;
}

/**
 * How one toxic type treats a stream. Mirrors Toxiproxy's `Pipe` loops: `process` must
 * forward or drop the chunk at once, or `hold` the stage until it has.
 */
export interface Behaviour {
  /** A run begins: when the link starts, and again after every interrupt (Go re-runs the toxic). */
  start?(stage: Stage): void;
  process(stage: Stage, chunk: Chunk): void;
  /** The input ended and everything before it was handled; default: close the output. */
  finish?(stage: Stage): void;
  /** Removing this toxic closes the connection (Toxiproxy's CleanupToxic: `timeout`). */
  readonly closesOnRemove?: boolean;
}

/**
 * One toxic in one direction of one connection: a FIFO that a behaviour drains in order.
 * Toxicity is drawn per run, so per connection and direction, redrawn when the chain
 * around it changes — as Toxiproxy does.
 */
export class Stage implements Outlet {
  out: Outlet;
  active = false;
  /** Per-run scratch (Go's locals in Pipe), cleared on every run. */
  run: Record<string, number> = {};
  /** Per-link state that survives runs (Go's StatefulToxic). */
  readonly state: Record<string, number> = {};
  closed = false;
  private queue: Chunk[] = [];
  private ended = false;
  private finishing = false;
  private holdTimer: NodeJS.Timeout | undefined;
  private holdInterruptible = true;
  private onInterrupt: (() => void) | undefined;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(
    readonly toxic: Toxic,
    private readonly behaviour: Behaviour,
    out: Outlet,
    private readonly host: StageHost,
  ) {
    this.out = out;
  }

  push(chunk: Chunk): void {
    if (this.closed) return this.host.dropped(chunk.data.length);
    this.queue.push(chunk);
    this.pump();
  }

  end(): void {
    this.ended = true;
    this.pump();
  }

  forward(chunk: Chunk): void {
    this.out.push(chunk);
  }

  drop(chunk: Chunk): void {
    this.host.dropped(chunk.data.length);
  }

  /**
   * Pauses this stage for `ms`; `fire` continues the work. On an interrupt, `interrupted`
   * says what becomes of the data in flight (Toxiproxy never drops it on the floor).
   */
  hold(ms: number, fire: () => void, interrupted?: () => void, interruptible = true): void {
    this.onInterrupt = interrupted;
    this.holdInterruptible = interruptible;
    this.holdTimer = setTimeout(() => {
      this.holdTimer = undefined;
      this.onInterrupt = undefined;
      if (this.closed) return;
      fire();
      this.pump();
    }, Math.max(0, ms));
  }

  /** A timer that runs beside the stream (timeout's idle clock); re-arming restarts it. */
  arm(ms: number, fire: () => void): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(fire, ms);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    for (const chunk of this.queue) this.host.dropped(chunk.data.length);
    this.queue = [];
    this.out.end();
  }

  /** Starts a run: draws toxicity and lets the behaviour set up. */
  begin(): void {
    this.active = Math.random() < this.toxic.toxicity;
    this.run = {};
    if (this.active) this.behaviour.start?.(this);
    this.pump();
  }

  /** Stops the current run, as Go's InterruptToxic; returns false if the stage is closed. */
  interrupt(): boolean {
    if (this.closed) return false;
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    if (this.holdTimer && this.holdInterruptible) {
      clearTimeout(this.holdTimer);
      this.holdTimer = undefined;
      const interrupted = this.onInterrupt;
      this.onInterrupt = undefined;
      interrupted?.();
    }
    this.finishing = false;
    return true;
  }

  /** Removal without cleanup: whatever waits here goes on unchanged. */
  passOn(): void {
    const queued = this.queue;
    this.queue = [];
    for (const chunk of queued) this.out.push(chunk);
    if (this.ended) this.out.end();
    this.closed = true;
    this.clearTimers();
  }

  get removalCloses(): boolean {
    return this.behaviour.closesOnRemove === true;
  }

  private pump(): void {
    while (!this.holdTimer && !this.closed) {
      const chunk = this.queue.shift();
      if (!chunk) {
        if (this.ended && !this.finishing) {
          this.finishing = true;
          if (this.active && this.behaviour.finish) this.behaviour.finish(this);
          else this.close();
        }
        return;
      }
      if (this.active) this.behaviour.process(this, chunk);
      else this.out.push(chunk);
    }
  }

  private clearTimers(): void {
    clearTimeout(this.holdTimer);
    clearTimeout(this.watchdog);
    this.holdTimer = undefined;
    this.watchdog = undefined;
    this.onInterrupt = undefined;
  }
}
