/**
 * Heap of every thread of a process, after garbage collection. Preloaded with
 * `node --expose-gc --require` (Node 20 runs --require preloads in worker threads too, not
 * --import ones), it answers in each thread over a BroadcastChannel, so a bench can weigh
 * threads it does not own (the worker pool's); `probeHeaps` asks them all.
 */
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { BroadcastChannel, threadId } from 'node:worker_threads';

const CHANNEL = 'mqtt-chaos-heap-probe';

export interface ThreadHeap {
  threadId: number;
  /** V8 heap in use after GC. */
  heapUsed: number;
  /** Memory outside the heap held by JS objects (Buffers, ArrayBuffers). */
  external: number;
  /** Heap pages resident (used or not), and those of the young generation among them. */
  heapPhysical: number;
  youngPhysical: number;
}

interface Answer extends ThreadHeap {
  id: number;
}

const answering = new BroadcastChannel(CHANNEL);
answering.unref();
answering.onmessage = (event: unknown) => {
  const request = (event as { data: { probe?: unknown } }).data;
  if (typeof request.probe !== 'number') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  // Twice: the first pass may only run finalisers that free more.
  gc?.();
  gc?.();
  const { used_heap_size: heapUsed, external_memory: external, total_physical_size: heapPhysical } = getHeapStatistics();
  const young = getHeapSpaceStatistics().filter((s) => s.space_name === 'new_space' || s.space_name === 'new_large_object_space');
  const youngPhysical = young.reduce((n, s) => n + s.physical_space_size, 0);
  answering.postMessage({ id: request.probe, threadId, heapUsed, external, heapPhysical, youngPhysical } satisfies Answer);
};

let nextProbe = 1;

/** Every thread's heap after GC; resolves once `threads` threads answered, or with those that did by `timeoutMs`. */
export function probeHeaps(threads: number, timeoutMs: number): Promise<ThreadHeap[]> {
  const id = nextProbe++;
  const asking = new BroadcastChannel(CHANNEL);
  const heaps = new Map<number, ThreadHeap>();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      asking.close();
      resolve([...heaps.values()]);
    };
    const timer = setTimeout(done, timeoutMs);
    asking.onmessage = (event: unknown) => {
      const { id: answerTo, ...heap } = (event as { data: Answer }).data;
      if (answerTo !== id) return;
      heaps.set(heap.threadId, heap);
      if (heaps.size >= threads) done();
    };
    asking.postMessage({ probe: id });
  });
}
