import type { ToxicType } from './catalog.js';
import type { Behaviour, Chunk, Stage } from './stage.js';

/** Go's rand.Int63n(n) for n > 0. */
const randomBelow = (n: number): number => Math.floor(Math.random() * n);
const attr = (stage: Stage, key: string): number => stage.toxic.attributes[key] ?? 0;

/** Each chunk leaves `latency ± jitter` ms after it arrived: pipelined, no throughput cap. */
const latency: Behaviour = {
  process(stage, chunk) {
    const jitter = attr(stage, 'jitter');
    let delay = attr(stage, 'latency');
    if (jitter > 0) delay += randomBelow(jitter * 2) - jitter;
    const sleep = delay - (performance.now() - chunk.ts);
    if (sleep <= 0) return stage.forward(chunk);
    stage.hold(
      sleep,
      () => {
        chunk.ts += sleep;
        stage.forward(chunk);
      },
      () => stage.forward(chunk),
    );
  },
};

/** `rate` KB/s (1 KB = 1000 B); chunks over 100 ms worth leave in 100 ms slices. */
const bandwidth: Behaviour = {
  process(stage, chunk) {
    const rate = attr(stage, 'rate');
    if (rate <= 0) {
      stage.run.sleep = 0;
      return stage.forward(chunk);
    }
    stage.run.sleep = (stage.run.sleep ?? 0) + chunk.data.length / rate;
    sendSlices(stage, chunk, rate * 100);
  },
};

function sendSlices(stage: Stage, chunk: Chunk, sliceBytes: number): void {
  if (chunk.data.length > sliceBytes) {
    stage.hold(
      100,
      () => {
        stage.forward({ data: chunk.data.subarray(0, sliceBytes), ts: chunk.ts });
        chunk.data = chunk.data.subarray(sliceBytes);
        stage.run.sleep = (stage.run.sleep ?? 0) - 100;
        sendSlices(stage, chunk, sliceBytes);
      },
      () => stage.forward(chunk),
    );
    return;
  }
  const started = performance.now();
  stage.hold(
    stage.run.sleep ?? 0,
    () => {
      stage.run.sleep = (stage.run.sleep ?? 0) - (performance.now() - started);
      stage.forward(chunk);
    },
    () => stage.forward(chunk),
  );
}

/** Data passes; the close is passed on `delay` ms late. */
const slowClose: Behaviour = {
  process: (stage, chunk) => stage.forward(chunk),
  finish(stage) {
    stage.hold(attr(stage, 'delay'), () => stage.close());
  },
};

/**
 * Drops everything; closes after `timeout` ms without data (Go re-creates its timer on
 * every read), never when 0 — a black hole. Removing it closes the connection.
 */
const timeout: Behaviour = {
  closesOnRemove: true,
  start(stage) {
    armTimeout(stage);
  },
  process(stage, chunk) {
    stage.drop(chunk);
    armTimeout(stage);
  },
};

function armTimeout(stage: Stage): void {
  const ms = attr(stage, 'timeout');
  if (ms > 0) stage.arm(ms, () => stage.close());
}

/** On the first data: drop it, wait `timeout` ms, close (an RST where the link set linger 0). */
const resetPeer: Behaviour = {
  process(stage, chunk) {
    stage.drop(chunk);
    stage.hold(attr(stage, 'timeout'), () => stage.close(), undefined, false);
  },
};

/** Splits chunks around `average_size` ± `size_variation` bytes, `delay` µs apart. */
const slicer: Behaviour = {
  process(stage, chunk) {
    const bounds = sliceBounds(stage, 0, chunk.data.length);
    sendSlice(stage, chunk, bounds, 1);
  },
};

function sendSlice(stage: Stage, chunk: Chunk, bounds: number[], i: number): void {
  if (i >= bounds.length) return;
  stage.forward({ data: chunk.data.subarray(bounds[i - 1], bounds[i]), ts: chunk.ts });
  const rest = (): void => stage.forward({ data: chunk.data.subarray(bounds[i]), ts: chunk.ts });
  stage.hold(attr(stage, 'delay') / 1000, () => sendSlice(stage, chunk, bounds, i + 2), rest);
}

/**
 * Toxiproxy's recursive halving with random variation: returns [start, end, start, end, …].
 * Unlike Go's, the split point is kept strictly inside the range: an average_size of 0 or
 * a variation larger than the piece would otherwise recurse forever or slice backwards.
 */
function sliceBounds(stage: Stage, start: number, end: number): number[] {
  const average = attr(stage, 'average_size');
  const variation = attr(stage, 'size_variation');
  if (end - start - average <= variation || end - start < 2) return [start, end];
  let mid = start + Math.floor((end - start) / 2);
  if (variation > 0) mid += randomBelow(variation * 2) - variation;
  mid = Math.min(end - 1, Math.max(start + 1, mid));
  return [...sliceBounds(stage, start, mid), ...sliceBounds(stage, mid, end)];
}

/** Lets `bytes` through per connection and direction, then closes. */
const limitData: Behaviour = {
  process(stage, chunk) {
    const limit = attr(stage, 'bytes');
    const sent = stage.state.sent ?? 0;
    const remaining = Math.max(0, limit - sent);
    if (remaining < chunk.data.length) {
      stage.drop({ data: chunk.data.subarray(remaining), ts: chunk.ts });
      chunk = { data: chunk.data.subarray(0, remaining), ts: chunk.ts };
    }
    if (chunk.data.length > 0) {
      stage.forward(chunk);
      stage.state.sent = sent + chunk.data.length;
    }
    if (limit - (stage.state.sent ?? 0) <= 0) stage.close();
  },
};

/** Passes everything on: registered by Toxiproxy, so the API accepts it. */
const noop: Behaviour = { process: (stage, chunk) => stage.forward(chunk) };

export const behaviours: Record<ToxicType, Behaviour> = {
  noop,
  latency,
  bandwidth,
  slow_close: slowClose,
  timeout,
  reset_peer: resetPeer,
  slicer,
  limit_data: limitData,
};
