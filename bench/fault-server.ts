import { build } from 'hdr-histogram-js';
import { connect, type Socket } from 'node:net';
import { Toxiproxy } from 'toxiproxy-node-client';
import { distFile, openFileLimit, rssBytes, startChild, type Child } from './lib/processes.js';

import type { BenchRow } from './lib/row.js';

/** How much each part measures; the defaults are the full run's. */
export interface FaultServerSizes {
  roundTrips: number;
  throughputMs: number;
  idle: number;
}

const cli = distFile('src/cli/main.js');
const peer = distFile('bench/lib/peer.js');

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Ping-pong round trips of 64 bytes, in µs; bounded by count and by time. */
async function roundTrips(port: number, count: number, maxMs: number) {
  const histogram = build({ numberOfSignificantValueDigits: 3 });
  const socket = await open(port);
  const payload = Buffer.alloc(64, 1);
  const deadline = performance.now() + maxMs;
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      let got = 0;
      const onData = (data: Buffer): void => {
        got += data.length;
        if (got < payload.length) return;
        socket.off('data', onData);
        resolve();
      };
      socket.on('data', onData);
      socket.write(payload);
    });
    if (i >= count / 10) histogram.recordValue(Math.round((performance.now() - started) * 1000));
  }
  socket.destroy();
  return { p50: histogram.getValueAtPercentile(50), p99: histogram.getValueAtPercentile(99) };
}

/** MB/s (10^6 B) written with 64 KiB writes for `ms`, honouring back-pressure. */
async function throughput(port: number, ms: number): Promise<number> {
  const socket = await open(port);
  const chunk = Buffer.alloc(64 * 1024, 7);
  let bytes = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (performance.now() - started < ms) {
        bytes += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      resolve();
    };
    pump();
  });
  const seconds = (performance.now() - started) / 1000;
  socket.destroy();
  return bytes / seconds / 1e6;
}

async function idleConnections(proxyPort: number, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i += 500) {
    const batch = Array.from({ length: Math.min(500, count - i) }, () => open(proxyPort));
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

export const fullFaultServerSizes: FaultServerSizes = { roundTrips: 20_000, throughputMs: 3000, idle: 20_000 };
export const quickFaultServerSizes: FaultServerSizes = { roundTrips: 2000, throughputMs: 500, idle: 1000 };

export async function benchFaultServer(sizes: FaultServerSizes = fullFaultServerSizes): Promise<BenchRow[]> {
  const children: Child[] = [];
  try {
    const echo = await startChild(peer, ['echo'], /^\d+$/);
    const sink = await startChild(peer, ['sink'], /^\d+$/);
    const server = await startChild(cli, ['toxiproxy', '--port', '0'], /listening on/);
    children.push(echo, sink, server);
    const api = new Toxiproxy(/http:\/\/[\d.:]+/.exec(server.line)?.[0] ?? '');
    const listenPort = async (name: string, upstream: string): Promise<number> => {
      const proxy = await api.createProxy({ name, listen: '127.0.0.1:0', upstream });
      return Number(proxy.listen.split(':').pop());
    };
    const echoPort = Number(echo.line);
    const sinkPort = Number(sink.line);
    const echoProxy = await listenPort('echo', `127.0.0.1:${echoPort}`);
    const sinkProxy = await listenPort('sink', `127.0.0.1:${sinkPort}`);

    const direct = await roundTrips(echoPort, sizes.roundTrips, 15_000);
    const proxied = await roundTrips(echoProxy, sizes.roundTrips, 15_000);
    const directRate = await throughput(sinkPort, sizes.throughputMs);
    const proxiedRate = await throughput(sinkProxy, sizes.throughputMs);

    // Each proxied connection holds two descriptors in the server; keep within its limit.
    const limit = openFileLimit();
    const idleCount = Math.min(sizes.idle, Math.floor((limit - 200) / 2));
    const pid = server.process.pid ?? 0;
    const before = rssBytes(pid);
    const sockets = await idleConnections(echoProxy, idleCount);
    await new Promise((r) => setTimeout(r, 2000));
    const after = rssBytes(pid);
    for (const socket of sockets) socket.destroy();
    const fdNote =
      idleCount < sizes.idle
        ? `${idleCount} connections: ${sizes.idle} need ~${2 * sizes.idle + 200} descriptors in the server, open-file limit here is ${limit}`
        : undefined;

    return [
      { metric: 'round trip direct p50', value: direct.p50, unit: 'µs', target: '' },
      { metric: 'round trip via proxy p50', value: proxied.p50, unit: 'µs', target: '' },
      { metric: 'added round trip p50', value: proxied.p50 - direct.p50, unit: 'µs', target: '<= 150 (Go: ~300)' },
      { metric: 'added round trip p99', value: proxied.p99 - direct.p99, unit: 'µs', target: '<= 1000 (Go: ~900)' },
      { metric: 'throughput direct', value: directRate, unit: 'MB/s', target: '' },
      { metric: 'throughput via proxy', value: proxiedRate, unit: 'MB/s', target: '>= 500 (Go: 420-550)' },
      { metric: 'proxy / direct throughput', value: proxiedRate / directRate, unit: 'ratio', target: '' },
      {
        metric: 'memory per idle proxied connection',
        value: (after - before) / idleCount / 1000,
        unit: 'KB',
        target: '<= 10 (Go: ~42)',
        ...(fdNote ? { note: fdNote } : {}),
      },
    ];
  } finally {
    for (const child of children.reverse()) await child.stop();
  }
}
