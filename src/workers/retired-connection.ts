/**
 * The first connection of a session takeover, once its client has moved to the second:
 * still open as far as the broker knows, and watched until the broker closes it. What it
 * sees goes into its own attempt (the broker's DISCONNECT, the close), so the ledger holds
 * two overlapping connections of one client. Messages that still reach it go to the
 * client's sink, as a device still reads what its old socket delivers.
 */
import type { IPublishPacket, MqttClient, Packet } from 'mqtt';
import type { ConnectAttempt } from '../metrics/ledger.js';
import { oneLine } from './client-options.js';

/** The client's MessageSink (client.ts), named by shape so the two modules do not import each other. */
interface Sink {
  receive(payload: Buffer, qos: 0 | 1 | 2, connackAt: number | undefined): void;
  held(messageId: number, payload: Buffer): void;
  released(messageId: number): void;
}

export interface RetiredHooks {
  sink?: Sink;
  /** The broker's DISCONNECT on the old connection (v5), for the broker's-words tally. */
  disconnected(code: number, reason: string | undefined): void;
}

export class RetiredConnection {
  readonly closed: Promise<void>;
  #done = false;
  #closing: 'abrupt' | undefined;
  #stopped = false;

  constructor(
    private readonly inst: MqttClient,
    readonly attempt: ConnectAttempt,
    hooks: RetiredHooks,
  ) {
    let resolveClosed: () => void = () => undefined;
    this.closed = new Promise((resolve) => (resolveClosed = resolve));
    inst.on('packetreceive', (packet: Packet) => {
      if (this.#stopped) return;
      if (packet.cmd === 'disconnect') {
        const code = packet.reasonCode ?? 0;
        attempt.disconnectCode = code;
        attempt.error ??= `server DISCONNECT: ${code}`;
        hooks.disconnected(code, packet.properties?.reasonString);
      } else if (packet.cmd === 'publish' && packet.qos === 2) hooks.sink?.held(packet.messageId!, packet.payload as Buffer);
      else if (packet.cmd === 'pubrel') hooks.sink?.released(packet.messageId!);
    });
    inst.on('message', (_topic: string, payload: Buffer, packet: IPublishPacket) => {
      if (!this.#stopped) hooks.sink?.receive(payload, packet.qos, attempt.connackAt);
    });
    inst.on('error', (err: Error) => {
      if (!this.#stopped) attempt.error ??= oneLine(err);
    });
    inst.on('close', () => {
      if (this.#done) return;
      this.#done = true;
      if (!this.#stopped) {
        attempt.closedAt = performance.now();
        attempt.closedBy = this.#closing ?? 'lost';
      }
      resolveClosed();
    });
  }

  get open(): boolean {
    return !this.#done;
  }

  /** Dropped on our command (an explicit disconnect of the group; its path may still be silent, so no DISCONNECT): recorded as abrupt. */
  end(): Promise<void> {
    if (this.#done) return Promise.resolve();
    this.#closing = 'abrupt';
    this.inst.end(true);
    return this.closed;
  }

  /** The run is over: closed without a record, as every other connection open at the end. */
  stop(): Promise<void> {
    this.#stopped = true;
    if (this.#done) return Promise.resolve();
    this.inst.end(true);
    return this.closed;
  }
}
