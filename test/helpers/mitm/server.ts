/**
 * A lying broker: a man-in-the-middle TCP server on 127.0.0.1:0 in front of a real broker,
 * that passes MQTT through packet by packet and misbehaves only where a lie (lies.ts) says
 * so. What each lie did is written down in `events`, so a test can check the lie really
 * happened, as many times as it meant, before it judges what the harness made of it.
 *
 * Every socket it opens is closed by `stop()`, which the teardown registry calls.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { IConnectPacket, Packet } from 'mqtt-packet';
import type { Teardown } from '../teardown.js';
import { MitmConnection, type ConnectionHost } from './connection.js';

/** Something a lie did, e.g. { lie: 'drop', clientId: 'dev-5-3', seq: 4 }. */
export interface LieEvent {
  lie: string;
  clientId: string;
  seq?: number;
  detail?: string;
}

/** A rule by which the MITM misbehaves; every hook is optional. */
export interface Lie {
  readonly name: string;
  /** Runs before the client's CONNECT goes to the broker, which waits for it; may rewrite the packet. */
  beforeConnect?(conn: MitmConnection, packet: IConnectPacket, mitm: Mitm): Promise<void> | void;
  /** A packet from the client: return true when the lie handled it (it is not forwarded). */
  fromClient?(conn: MitmConnection, packet: Packet, mitm: Mitm): boolean;
  /** A packet from the broker: return true when the lie handled it (it is not forwarded). */
  fromBroker?(conn: MitmConnection, packet: Packet, mitm: Mitm): boolean;
  closed?(conn: MitmConnection, mitm: Mitm): void;
  /** The broker closed this connection: return true to keep the client's side open. */
  keepsClient?(conn: MitmConnection, mitm: Mitm): boolean;
}

export class Mitm implements ConnectionHost {
  readonly events: LieEvent[] = [];
  readonly connections = new Set<MitmConnection>();
  /** CONNECTs seen per client id, this one included once it has been counted. */
  readonly #connects = new Map<string, number>();
  #nextId = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly upstream: { host: string; port: number },
    readonly lies: readonly Lie[],
  ) {}

  /** Listens on 127.0.0.1:0 in front of `upstream`; stopped by `td`. */
  static async start(td: Teardown, upstream: { host: string; port: number }, lies: readonly Lie[] = []): Promise<Mitm> {
    const sockets = new Set<Socket>();
    let mitm: Mitm | undefined;
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      if (!mitm) return void socket.destroy();
      const conn = new MitmConnection(mitm.#nextId++, socket, mitm);
      mitm.connections.add(conn);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    mitm = new Mitm(server, (server.address() as AddressInfo).port, upstream, lies);
    const started = mitm;
    td.add(`lying broker :${started.port}`, () => started.stop(sockets));
    return started;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** How many CONNECTs this client id has sent through the MITM so far. */
  connectsOf(clientId: string): number {
    return this.#connects.get(clientId) ?? 0;
  }

  /** Whether a connection of this client id is open through the MITM. */
  isOnline(clientId: string): boolean {
    return [...this.connections].some((c) => !c.closed && c.clientId === clientId);
  }

  record(event: LieEvent): void {
    this.events.push(event);
  }

  /** Events of one lie. */
  eventsOf(lie: string): LieEvent[] {
    return this.events.filter((e) => e.lie === lie);
  }

  async beforeConnect(conn: MitmConnection, packet: IConnectPacket): Promise<void> {
    this.#connects.set(packet.clientId, this.connectsOf(packet.clientId) + 1);
    for (const lie of this.lies) await lie.beforeConnect?.(conn, packet, this);
  }

  fromClient(conn: MitmConnection, packet: Packet): boolean {
    return this.lies.some((lie) => lie.fromClient?.(conn, packet, this) ?? false);
  }

  fromBroker(conn: MitmConnection, packet: Packet): boolean {
    return this.lies.some((lie) => lie.fromBroker?.(conn, packet, this) ?? false);
  }

  keepsClient(conn: MitmConnection): boolean {
    return this.lies.some((lie) => lie.keepsClient?.(conn, this) ?? false);
  }

  closed(conn: MitmConnection): void {
    this.connections.delete(conn);
    for (const lie of this.lies) lie.closed?.(conn, this);
  }

  private async stop(sockets: Set<Socket>): Promise<void> {
    for (const conn of [...this.connections]) conn.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
