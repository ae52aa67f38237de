/**
 * One client connection through the lying broker: the client's socket, the MITM's own
 * connection to the real broker, and an mqtt-packet parser each way. Every packet is
 * parsed and re-generated, so a lie can drop, hold, copy or rewrite it; with no lie, what
 * leaves is what came in.
 *
 * The client speaks first: its CONNECT gives the protocol version both parsers need, and
 * the upstream connection is opened only after the lies have seen that CONNECT (one may
 * rewrite it, or first make the broker forget the client's session). Packets the client
 * sends meanwhile are queued in order behind it.
 *
 * Packets the MITM sends the client on its own (a copy, a replay) get packet ids from a
 * range the broker does not reach in these tests (counting down from 65535); the client's
 * acknowledgements for them are answered or swallowed here and never reach the broker.
 */
import { connect, type Socket } from 'node:net';
import mqttPacket, { type IConnectPacket, type IPublishPacket, type Packet } from 'mqtt-packet';

export type ProtocolLevel = 3 | 4 | 5;

/** What a connection offers the lies. */
export interface ConnectionHost {
  readonly upstream: { host: string; port: number };
  /** Lies run in order; the first that returns true has handled the packet. */
  fromClient(conn: MitmConnection, packet: Packet): boolean;
  fromBroker(conn: MitmConnection, packet: Packet): boolean;
  beforeConnect(conn: MitmConnection, packet: IConnectPacket): Promise<void>;
  closed(conn: MitmConnection): void;
  /** The broker closed its side: true keeps the client's side open regardless (a connection the broker believes closed). */
  keepsClient(conn: MitmConnection): boolean;
}

const FIRST_INJECTED_ID = 65535;

export class MitmConnection {
  clientId = '';
  protocol: ProtocolLevel = 4;
  connectPacket: IConnectPacket | undefined;
  /** Closed on either side; both sockets are then destroyed. */
  closed = false;
  #upstream: Socket | undefined;
  #queued: Buffer[] = [];
  #brokerParser: ReturnType<typeof mqttPacket.parser> | undefined;
  /** Ids of PUBLISHes the MITM sent the client itself, by QoS. */
  readonly #injected = new Map<number, 1 | 2>();
  #nextId = FIRST_INJECTED_ID;

  constructor(
    readonly id: number,
    readonly client: Socket,
    private readonly host: ConnectionHost,
  ) {
    client.setNoDelay(true);
    const parser = mqttPacket.parser({});
    parser.on('packet', (packet: Packet) => this.#onClientPacket(packet, parser));
    parser.on('error', () => this.close());
    client.on('data', (data: Buffer) => {
      if (!this.closed) parser.parse(data);
    });
    client.on('error', () => this.close());
    client.on('close', () => this.close());
  }

  /** Sends a packet to the client, serialised for its protocol version. */
  toClient(packet: Packet): void {
    if (this.closed || this.client.destroyed) return;
    this.client.write(mqttPacket.generate(packet, { protocolVersion: this.protocol }));
  }

  /** Sends a packet to the broker (queued until the upstream connection is open). */
  toBroker(packet: Packet): void {
    if (this.closed) return;
    const bytes = mqttPacket.generate(packet, { protocolVersion: this.protocol });
    if (this.#upstream && this.#queued.length === 0 && this.#upstream.readyState === 'open') this.#upstream.write(bytes);
    else this.#queued.push(bytes);
  }

  /**
   * A PUBLISH the broker never sent this client, under a packet id of the MITM's own; the
   * client's PUBACK (QoS 1), PUBREC and PUBCOMP (QoS 2) for it stop here. Returns the id.
   */
  inject(publish: IPublishPacket): number {
    const messageId = this.#nextId--;
    if (publish.qos > 0) this.#injected.set(messageId, publish.qos as 1 | 2);
    this.toClient({ ...publish, messageId, dup: false });
    return messageId;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
    this.#upstream?.destroy();
    this.host.closed(this);
  }

  #onClientPacket(packet: Packet, parser: ReturnType<typeof mqttPacket.parser>): void {
    if (this.closed) return;
    if (packet.cmd === 'connect' && this.connectPacket === undefined) {
      this.connectPacket = packet;
      this.clientId = packet.clientId;
      this.protocol = (packet.protocolVersion ?? 4) as ProtocolLevel;
      // Later packets from the client (and all from the broker) are of this version.
      (parser as unknown as { settings: { protocolVersion: number } }).settings.protocolVersion = this.protocol;
      // The CONNECT goes first; lies may still rewrite it, so it is generated after them.
      const slot = this.#queued.push(Buffer.alloc(0)) - 1;
      void this.host.beforeConnect(this, packet).then(
        () => {
          this.#queued[slot] = mqttPacket.generate(packet, { protocolVersion: this.protocol });
          this.#openUpstream();
        },
        () => this.close(),
      );
      return;
    }
    if (this.#answersInjected(packet)) return;
    if (!this.host.fromClient(this, packet)) this.toBroker(packet);
  }

  /** The client acknowledging a PUBLISH the MITM injected: handled here, never forwarded. */
  #answersInjected(packet: Packet): boolean {
    const id = packet.messageId;
    if (id === undefined || !this.#injected.has(id)) return false;
    switch (packet.cmd) {
      case 'puback':
        this.#injected.delete(id);
        return true;
      case 'pubrec':
        this.toClient({ cmd: 'pubrel', messageId: id });
        return true;
      case 'pubcomp':
        this.#injected.delete(id);
        return true;
      default:
        return false;
    }
  }

  #openUpstream(): void {
    if (this.closed) return;
    const socket = connect(this.host.upstream);
    this.#upstream = socket;
    socket.setNoDelay(true);
    this.#brokerParser = mqttPacket.parser({ protocolVersion: this.protocol });
    this.#brokerParser.on('packet', (packet: Packet) => {
      if (!this.closed && !this.host.fromBroker(this, packet)) this.toClient(packet);
    });
    this.#brokerParser.on('error', () => this.close());
    socket.on('connect', () => {
      for (const bytes of this.#queued.splice(0)) socket.write(bytes);
    });
    socket.on('data', (data: Buffer) => {
      if (!this.closed) this.#brokerParser?.parse(data);
    });
    socket.on('error', () => this.close());
    socket.on('close', () => {
      if (!this.closed && this.host.keepsClient(this)) return;
      this.close();
    });
  }
}
