/**
 * An agent's shards record on the coordinator's clock. Each process has its own
 * performance.now() origin, and a ledger's times are compared across processes (a
 * publisher's send time in the payload against a subscriber's receive time; a client's
 * attempts against the coordinator's fault timeline). The coordinator measures the offset
 * (engine/agent-clock.ts) and the agent's worker thread shifts its performance.now() by it
 * before any client exists, so every time the shard records (in some 30 places) is
 * already on the run clock. Only this thread's `performance` object is changed.
 */
const original = performance.now.bind(performance);

/** Sets the shift from the thread's own clock: calling it again replaces, never adds. */
export function shiftClock(offsetMs: number): void {
  Object.defineProperty(performance, 'now', { value: () => original() + offsetMs, configurable: true, writable: true });
}
