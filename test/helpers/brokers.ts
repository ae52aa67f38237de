/**
 * MQTT brokers for fault tests: an in-process Aedes on 127.0.0.1:0, and — where the
 * binary exists — a Mosquitto child process on a free loopback port with a generated
 * config, stopped by its PID. Both are released by the teardown registry.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Aedes } from 'aedes';
import { Teardown } from './teardown.js';
import { Conn, freePort, sleep } from './tcp.js';

export interface TestBroker {
  readonly kind: 'aedes' | 'mosquitto';
  readonly port: number;
  readonly address: string;
  /** Aedes only: the broker object, for its events. */
  readonly aedes?: Aedes;
}

export async function startAedes(td: Teardown): Promise<TestBroker> {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  td.add('aedes broker', async () => {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { kind: 'aedes', port, address: `127.0.0.1:${port}`, aedes };
}

/** The Mosquitto binary, if installed (on PATH or in /usr/sbin). */
export function findMosquitto(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, 'mosquitto');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** `host`: the address it listens on (a test's own veth address, say); loopback by default. */
export async function startMosquitto(td: Teardown, binary: string, host = '127.0.0.1'): Promise<TestBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'mqtt-chaos-mosq-'));
  td.add('mosquitto config dir', () => rm(dir, { recursive: true, force: true }));
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  await writeFile(
    config,
    [`listener ${port} ${host}`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', ''].join('\n'),
  );
  const child = spawn(binary, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 20_000) stderr += d.toString();
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  td.add(`mosquitto pid ${child.pid}`, async () => {
    if (exited || child.pid === undefined) return;
    process.kill(child.pid, 'SIGTERM');
    const killer = setTimeout(() => {
      if (!exited && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, 3000);
    await exit;
    clearTimeout(killer);
  });
  // Ready when it accepts a TCP connection: at most 50 tries over about 5 s.
  for (let i = 0; i < 50; i++) {
    if (exited) throw new Error(`mosquitto exited at start: ${stderr.trim()}`);
    const probe = new Teardown(1000);
    try {
      const conn = await Conn.open(port, probe, host, 1000);
      conn.destroy();
      await probe.run();
      return { kind: 'mosquitto', port, address: `${host}:${port}` };
    } catch {
      await probe.run();
      await sleep(100);
    }
  }
  throw new Error(`mosquitto did not listen on ${port} within 5 s: ${stderr.trim()}`);
}
