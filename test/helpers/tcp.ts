/**
 * Loopback TCP helpers for fault tests: a client connection that records what happens to
 * it (bytes with arrival times, FIN, close, errors), and an upstream server whose
 * accepted sockets are recorded the same way (optionally echoing). Every wait is bounded.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Teardown } from './teardown.js';

export const now = (): number => performance.now();

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `pred` every few ms until it holds; rejects after `timeoutMs` with `what`. */
export async function waitUntil(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!pred()) {
    if (now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

export interface Chunk {
  at: number;
  data: Buffer;
}

/** Records everything that happens on one socket. */
export class SocketRecorder {
  readonly chunks: Chunk[] = [];
  received = 0;
  endedAt: number | undefined;
  closedAt: number | undefined;
  hadError = false;
  error: NodeJS.ErrnoException | undefined;

  constructor(readonly socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.chunks.push({ at: now(), data });
      this.received += data.length;
    });
    socket.on('end', () => {
      this.endedAt ??= now();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.error ??= err;
    });
    socket.on('close', (hadError: boolean) => {
      this.closedAt ??= now();
      this.hadError = hadError;
    });
  }

  get data(): Buffer {
    return Buffer.concat(this.chunks.map((c) => c.data));
  }

  get closed(): boolean {
    return this.closedAt !== undefined;
  }

  /** When the byte at offset `n - 1` arrived (i.e. the first n bytes were complete). */
  timeOfByte(n: number): number | undefined {
    let total = 0;
    for (const chunk of this.chunks) {
      total += chunk.data.length;
      if (total >= n) return chunk.at;
    }
    return undefined;
  }

  /** Writes and returns the time just before the write. */
  write(data: string | Buffer): number {
    const at = now();
    this.socket.write(data);
    return at;
  }

  waitBytes(n: number, timeoutMs: number): Promise<void> {
    return waitUntil(() => this.received >= n, timeoutMs, `${n} bytes (have ${this.received})`);
  }

  waitClosed(timeoutMs: number): Promise<void> {
    return waitUntil(() => this.closed, timeoutMs, 'the socket to close');
  }

  /** Waits for either FIN or close (whichever the peer's cut produces first). */
  waitEndOrClose(timeoutMs: number): Promise<void> {
    return waitUntil(
      () => this.endedAt !== undefined || this.closed,
      timeoutMs,
      'the socket to end or close',
    );
  }

  /** The time of the first sign that the other side went away (FIN, reset or close). */
  get goneAt(): number | undefined {
    const times = [this.endedAt, this.closedAt].filter((t): t is number => t !== undefined);
    return times.length ? Math.min(...times) : undefined;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A client connection on loopback. */
export class Conn extends SocketRecorder {
  connectedAt = 0;

  /** Connects or rejects (e.g. ECONNREFUSED); the socket is released by `td`. */
  static open(port: number, td: Teardown, host = '127.0.0.1', timeoutMs = 5000): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      td.add(`client socket to ${host}:${port}`, () => socket.destroy());
      socket.setNoDelay(true);
      const conn = new Conn(socket);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} took over ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        conn.connectedAt = now();
        resolve(conn);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      });
    });
  }

  /** Sends `payload` and waits for as many more bytes to arrive; returns the round trip in ms. */
  async roundTrip(payload: string | Buffer, timeoutMs = 5000): Promise<number> {
    const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    const target = this.received + length;
    const start = this.write(payload);
    await this.waitBytes(target, timeoutMs);
    return this.timeOfByte(target)! - start;
  }
}

/** Expects a connection attempt to be refused; returns the error code seen. */
export async function expectRefused(port: number, td: Teardown, host = '127.0.0.1'): Promise<string> {
  try {
    const conn = await Conn.open(port, td, host, 3000);
    conn.destroy();
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
  throw new Error(`connection to ${host}:${port} was accepted; expected it refused`);
}

/** A socket accepted by a PeerServer. */
export class Peer extends SocketRecorder {}

/**
 * The upstream of a proxy: records each accepted socket; echoes unless told not to.
 * With echo, a FIN from the proxy is answered with FIN (the echo ends its side too).
 */
export class PeerServer {
  readonly peers: Peer[] = [];
  private constructor(
    readonly server: Server,
    readonly port: number,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(td: Teardown, options: { echo?: boolean } = {}): Promise<PeerServer> {
    const echo = options.echo ?? true;
    const sockets = new Set<Socket>();
    const server = createServer({ allowHalfOpen: false }, (socket) => {
      sockets.add(socket);
      socket.setNoDelay(true);
      const peer = new Peer(socket);
      socket.on('close', () => sockets.delete(socket));
      if (echo) socket.on('data', (d: Buffer) => socket.write(d));
      holder.peers.push(peer);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const holder = new PeerServer(server, (server.address() as AddressInfo).port);
    td.add(`peer server :${holder.port}`, () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return holder;
  }

  waitPeers(n: number, timeoutMs: number): Promise<void> {
    return waitUntil(() => this.peers.length >= n, timeoutMs, `${n} upstream connections`);
  }
}

/** A loopback port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A free loopback port for programs that need one given (e.g. Mosquitto). */
export const freePort = closedPort;

/** Occupies a loopback port until `td` runs; returns it. */
export async function occupiedPort(td: Teardown): Promise<number> {
  const server = createServer((s) => s.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  td.add('port holder', () => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}
