/**
 * Shared by the broker-memory tests: a small Prometheus text endpoint on 127.0.0.1:0, a
 * port nothing listens on, and readers of a run's memory result that fail with context.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MemoryFigures, MemoryResult } from '../../../src/result/memory.js';
import type { RunResult } from '../../../src/result/result.js';
import type { Teardown } from '../../helpers/teardown.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Serves `handler` on 127.0.0.1:0 until teardown; returns its base URL and a request count. */
export async function serveHttp(td: Teardown, handler: Handler): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  td.add('http server', () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests: () => requests };
}

/** A loopback port that was free a moment ago and has nothing listening now. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function memoryOf(run: RunResult): MemoryResult {
  assert.ok(run.memory, `run ${run.id} has no memory result`);
  return run.memory;
}

/** The figures of one probe, which must have had readings. */
export function figuresOf(run: RunResult, probe: string): MemoryFigures {
  const memory = memoryOf(run);
  const status = memory.probes.find((p) => p.name === probe);
  assert.ok(status?.available, `${run.id}: probe ${probe} had no readings: ${JSON.stringify(status)}`);
  return memory.figures[probe]!;
}

/** A point's reading of one probe. */
export function reading(run: RunResult, label: string, probe: string): number {
  const point = memoryOf(run).points.find((p) => p.label === label);
  const value = point?.values[probe];
  assert.ok(typeof value === 'number', `${run.id}: no ${probe} reading at "${label}": ${JSON.stringify(point)}`);
  return value;
}

/** Everything worth reading when a memory assertion fails. */
export function describeMemory(run: RunResult): string {
  const m = run.memory;
  if (!m) return `${run.id}: no memory`;
  return `${run.id}: probes ${JSON.stringify(m.probes)}\npoints ${JSON.stringify(m.points)}\nfigures ${JSON.stringify(m.figures)}\nbasis ${JSON.stringify(m.basis)}`;
}
