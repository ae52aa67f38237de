/**
 * One simulated device: an mqtt.js client driven by our own reconnect loop (seeded jitter
 * instead of mqtt.js's fixed lockstep period) and our own re-subscription (only after a
 * CONNACK with Session Present 0, so a lost session shows instead of being papered over).
 * Every connection attempt is recorded as a ConnectAttempt.
 *
 * Between a `connect` and a `disconnect` command, attempts reuse one mqtt.js instance:
 * its store keeps unacknowledged QoS>0 publishes and re-sends them after a reconnect, as
 * a real client would. An explicit disconnect ends that instance; the next connect starts
 * a fresh one.
 */
import { Duplex } from 'node:stream';
import { MqttClient, type IConnackPacket, type IPublishPacket, type Packet } from 'mqtt';
import type { ClientLog, ClientRef, ConnectAttempt } from '../metrics/ledger.js';
import type { Qos } from '../scenario/plan.js';
import { clientOptions, connectionTo, oneLine, type OptionsInput } from './client-options.js';
import { reconnectDelay } from './jitter.js';
import type { Said, SaidTally } from './said-tally.js';
import { describeSent, noteConnackProperties } from './said-packets.js';
import { hex } from '../protocol/reason-codes.js';
import type { Endpoint } from './protocol.js';
import { RetiredConnection } from './retired-connection.js';
import { delayAcks } from './ack-delay.js';
import { InFlight } from './inflight.js';

const GRACEFUL_LIMIT_MS = 5_000;

/** The SimClient each mqtt.js instance was made for (its listeners are shared: see SimClient.#listeners). */
const owners = new WeakMap<MqttClient, SimClient>();

/** Where a subscriber's messages go; one object per client, so no closure per message. */
export interface MessageSink {
  /** `expiry`: the v5 Message Expiry Interval the PUBLISH carried (s), if any. */
  receive(payload: Buffer, qos: Qos, connackAt: number | undefined, expiry?: number): void;
  /** A QoS 2 PUBLISH arrived (the client answers PUBREC); it is handed over only at its PUBREL. */
  held(messageId: number, payload: Buffer): void;
  released(messageId: number): void;
  /** The broker kept no session: no PUBREL is owed for anything still held. */
  sessionLost(): void;
}

export interface ClientSpec extends OptionsInput {
  ref: ClientRef;
  /** 0-based within its group. */
  index: number;
  /** Resolved ({i} substituted); absent for clients that never subscribe. */
  topic?: string;
  random: () => number;
  sink?: MessageSink;
  /** Where the broker's refusals and changes are counted (one per shard). */
  said?: SaidTally;
}

export class SimClient {
  /** Replaced, not pushed into, on the first attempt: a push into [] reserves 17 slots. */
  attempts: ConnectAttempt[] = [];
  #mqtt: MqttClient | undefined;
  #attempt: ConnectAttempt | undefined;
  /** The current attempt's socket is open (connecting or connected). */
  #open = false;
  /** A campaign is on: reconnect after a loss. */
  #want = false;
  #stopped = false;
  #closing: 'graceful' | 'abrupt' | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Attempts since the last CONNACK that got none: the exponential backoff's exponent. */
  #failures = 0;
  #wantsSubscription = false;
  #subscribedOnce = false;
  /** The broker's last SUBACK code for the topic. */
  #granted: number | undefined;
  /** The last packet sent on the current connection, to say after what the broker closed it. */
  #lastSent: Packet | undefined;
  /** Waiters, made on demand: most clients never have one waiting for long. */
  #onSettled: ((attempt: ConnectAttempt) => void)[] | undefined;
  #onClosed: (() => void)[] | undefined;
  /** First connections of takeovers, still watched (made on demand). */
  #retired: RetiredConnection[] | undefined;
  /** Where the campaign connects after a takeover moved it (its second path); absent: spec.endpoint. */
  #endpoint: Endpoint | undefined;
  /** Subscribers only: the broker's QoS 1/2 messages in flight to this client. */
  readonly #inflight: InFlight | undefined;

  constructor(readonly spec: ClientSpec) {
    if (spec.sink) this.#inflight = new InFlight(spec.protocol === '5' ? spec.group.receiveMaximum : undefined);
  }

  get connected(): boolean {
    return this.#open && this.#attempt?.connackAt !== undefined;
  }

  /** Connected, and its subscription is in place (acknowledged now, or kept by the session). */
  get subscribedNow(): boolean {
    const a = this.#attempt;
    return this.connected && a !== undefined && (a.subscribedAt !== undefined || (a.sessionPresent === true && this.#subscribedOnce));
  }

  /** The mqtt.js instance of the current campaign (publishers send through it). */
  get mqtt(): MqttClient | undefined {
    return this.#mqtt;
  }

  log(): ClientLog {
    const log: ClientLog = { ref: this.spec.ref, clientId: this.spec.clientId, attempts: this.attempts };
    if (this.#granted !== undefined) log.granted = this.#granted;
    if (this.#inflight && this.#inflight.max > 0) {
      log.inflightMax = this.#inflight.max;
      log.inflightOverCap = this.#inflight.overCap;
    }
    return log;
  }

  /** Counts something the broker said, for this client's group. */
  say(said: Said, example: () => string): void {
    this.spec.said?.add(this.spec.group.name, this.spec.ref, said, example);
  }

  /**
   * Starts a campaign; resolves with its first attempt once that has a CONNACK or has
   * failed (later attempts go on in the background), or undefined after stop().
   */
  connect(): Promise<ConnectAttempt | undefined> {
    if (this.#stopped) return Promise.resolve(undefined);
    if (this.connected) return Promise.resolve(this.#attempt);
    const settled = new Promise<ConnectAttempt>((resolve) => (this.#onSettled ??= []).push(resolve));
    this.#want = true;
    if (!this.#open) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#startAttempt();
    }
    return settled;
  }

  /** Resolves with undefined once subscribed, else with why not (it subscribes on the next CONNACK). */
  subscribe(): Promise<string | undefined> {
    if (this.spec.topic === undefined) return Promise.resolve(undefined);
    this.#wantsSubscription = true;
    if (!this.connected) return Promise.resolve('not connected (subscribes on its next CONNACK)');
    return this.#sendSubscribe();
  }

  /**
   * Ends the campaign: DISCONNECT (graceful) or the socket destroyed (abrupt); resolves on
   * close. mqtt.js sends DISCONNECT only once its unacknowledged publishes are acknowledged:
   * if that takes over GRACEFUL_LIMIT_MS, the socket is destroyed and recorded as abrupt.
   */
  disconnect(mode: 'graceful' | 'abrupt'): Promise<void> {
    const retired = Promise.all((this.#retired?.splice(0) ?? []).map((r) => r.end()));
    return Promise.all([retired, this.#disconnect(mode)]).then(() => undefined);
  }

  #disconnect(mode: 'graceful' | 'abrupt'): Promise<void> {
    this.#want = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const inst = this.#mqtt;
    if (!inst || !this.#open) {
      this.#mqtt = undefined;
      this.#endpoint = undefined;
      return Promise.resolve();
    }
    const closed = new Promise<void>((resolve) => (this.#onClosed ??= []).push(resolve));
    this.#closing = mode;
    if (mode === 'abrupt' || !this.connected) {
      inst.end(true);
      return closed;
    }
    inst.end(false, this.spec.protocol === '5' ? { reasonCode: 0 } : {});
    const limit = setTimeout(() => {
      if (inst !== this.#mqtt || !this.#open) return;
      this.#closing = 'abrupt';
      inst.stream.destroy();
    }, GRACEFUL_LIMIT_MS);
    return closed.finally(() => clearTimeout(limit));
  }

  /** For `finish`: no more attempts or records; the socket destroyed. Resolves on close. */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#want = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const retired = Promise.all((this.#retired?.splice(0) ?? []).map((r) => r.stop()));
    const inst = this.#mqtt;
    if (!inst || !this.#open) return retired.then(() => undefined);
    return Promise.all([retired, new Promise<void>((resolve) => inst.end(true, {}, () => resolve()))]).then(() => undefined);
  }

  /**
   * A session takeover: with its connection still open (for the broker), the device connects
   * again over `endpoint`, its second path, with the same client id and session settings. The
   * first connection is retired (watched until closed, never used again); the second becomes
   * the client's, and its reconnects keep to the second path until an explicit disconnect.
   * Resolves once the second has a CONNACK or failed; undefined when no connection was open.
   */
  takeover(endpoint: Endpoint): Promise<{ old: RetiredConnection; attempt: ConnectAttempt } | undefined> {
    const inst = this.#mqtt;
    const first = this.#attempt;
    if (this.#stopped || !this.connected || !inst || !first) return Promise.resolve(undefined);
    const old = new RetiredConnection(inst, first, {
      ...(this.spec.sink ? { sink: this.spec.sink } : {}),
      disconnected: (code, why) =>
        this.say({ packet: 'DISCONNECT', code }, () => `${this.spec.clientId}: DISCONNECT ${hex(code)}${why ? ` "${why}"` : ''} on the connection taken over`),
    });
    (this.#retired ??= []).push(old);
    // From here the old instance's events are not the client's (#current): the retired connection records them.
    this.#mqtt = undefined;
    this.#open = false;
    this.#endpoint = endpoint;
    this.#want = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const settled = new Promise<ConnectAttempt>((resolve) => (this.#onSettled ??= []).push(resolve));
    this.#startAttempt(true);
    return settled.then((attempt) => ({ old, attempt }));
  }

  #startAttempt(takeover = false): void {
    const attempt: ConnectAttempt = takeover ? { startedAt: performance.now(), takeover: true } : { startedAt: performance.now() };
    if (this.attempts.length === 0) this.attempts = [attempt];
    else this.attempts.push(attempt);
    this.#attempt = attempt;
    this.#open = true;
    this.#lastSent = undefined;
    this.#inflight?.reset();
    if (this.#mqtt) this.#mqtt.connect();
    else this.#mqtt = this.#createInstance();
  }

  #createInstance(): MqttClient {
    const spec = this.#endpoint ? { ...this.spec, endpoint: this.#endpoint } : this.spec;
    const inst = new MqttClient(connectionTo(spec.endpoint), clientOptions(spec));
    owners.set(inst, this);
    if (this.spec.group.ackDelayMs !== undefined && this.spec.sink) delayAcks(inst, this.spec.group.ackDelayMs);
    const on = SimClient.#listeners;
    inst.on('packetreceive', on.packetreceive);
    inst.on('packetsend', on.packetsend);
    inst.on('connect', on.connect);
    inst.on('error', on.error);
    inst.on('close', on.close);
    inst.on('message', on.message);
    return inst;
  }

  /** The client an instance's event is for; undefined for a discarded instance, which must not write into the current attempt. */
  static #current(inst: MqttClient): SimClient | undefined {
    const client = owners.get(inst);
    return client !== undefined && client.#mqtt === inst ? client : undefined;
  }

  /**
   * One set of listeners for every client (five closures per client would cost ~0.4 KB):
   * mqtt.js calls a listener with the instance as `this`.
   */
  static readonly #listeners = {
    packetreceive(this: MqttClient, packet: Packet): void {
      const client = SimClient.#current(this);
      if (client) client.#onPacket(packet);
    },
    packetsend(this: MqttClient, packet: Packet): void {
      const client = SimClient.#current(this);
      if (client) {
        client.#lastSent = packet;
        client.#inflight?.sent(packet);
      }
    },
    connect(this: MqttClient, connack: IConnackPacket): void {
      const client = SimClient.#current(this);
      if (client && client.#wantsSubscription && (!connack.sessionPresent || !client.#subscribedOnce)) void client.#sendSubscribe();
    },
    error(this: MqttClient, err: Error): void {
      const client = SimClient.#current(this);
      const attempt = client && !client.#stopped ? client.#attempt : undefined;
      if (attempt) attempt.error ??= oneLine(err);
    },
    close(this: MqttClient): void {
      const client = SimClient.#current(this);
      if (client) client.#onClose();
    },
    message(this: MqttClient, _topic: string, payload: Buffer, packet: IPublishPacket): void {
      const client = SimClient.#current(this);
      if (client && !client.#stopped) client.spec.sink?.receive(payload, packet.qos, client.#attempt?.connackAt, packet.properties?.messageExpiryInterval);
    },
  };

  #onPacket(packet: Packet): void {
    const attempt = this.#attempt;
    if (this.#stopped || !attempt) return;
    if (packet.cmd === 'connack') {
      const code = (this.spec.protocol === '5' ? packet.reasonCode : packet.returnCode) ?? 0;
      if (this.spec.protocol === '5' && packet.properties) noteConnackProperties(this, attempt, packet.properties);
      if (code === 0) {
        attempt.connackAt = performance.now();
        attempt.sessionPresent = packet.sessionPresent;
        if (!packet.sessionPresent) this.spec.sink?.sessionLost();
        this.#settle(attempt);
      } else {
        attempt.code = code;
        attempt.error ??= `CONNACK refused: ${code}`;
        const why = packet.properties?.reasonString;
        this.say({ packet: 'CONNACK', code }, () => `${this.spec.clientId}: CONNACK ${this.spec.protocol === '5' ? hex(code) : code}${why ? ` "${why}"` : ''}`);
      }
    } else if (packet.cmd === 'publish') {
      this.#inflight?.received(packet);
      // Watched so a broker that never releases a QoS 2 message is seen, not just a loss.
      if (packet.qos === 2) this.spec.sink?.held(packet.messageId!, packet.payload as Buffer);
    } else if (packet.cmd === 'pubrel') {
      this.spec.sink?.released(packet.messageId!);
    } else if (packet.cmd === 'disconnect') {
      // A v5 server's DISCONNECT (session taken over, server shutting down...): the reason.
      const code = packet.reasonCode ?? 0;
      attempt.error ??= `server DISCONNECT: ${code}`;
      attempt.disconnectCode = code;
      const why = packet.properties?.reasonString;
      const after = this.#lastSent ? ` after ${describeSent(this.#lastSent)}` : '';
      this.say({ packet: 'DISCONNECT', code }, () => `${this.spec.clientId}: DISCONNECT ${hex(code)}${why ? ` "${why}"` : ''}${after}`);
    }
  }

  #onClose(): void {
    if (!this.#open) return;
    this.#open = false;
    const attempt = this.#attempt;
    if (attempt?.connackAt === undefined && this.#mqtt) releaseFailedConnection(this.#mqtt);
    if (attempt && !this.#stopped) {
      attempt.closedAt = performance.now();
      attempt.closedBy = this.#closing ?? 'lost';
      if (attempt.closedBy === 'lost' && this.#lastSent) attempt.afterPacket = describeSent(this.#lastSent);
      this.#settle(attempt);
    }
    if (this.#closing) {
      // The campaign ended on our command: the next connect starts with a fresh instance.
      this.#closing = undefined;
      this.#mqtt = undefined;
      this.#endpoint = undefined;
    }
    const closed = this.#onClosed;
    this.#onClosed = undefined;
    for (const resolve of closed ?? []) resolve();
    // Backoff grows with the attempts since the last CONNACK, and starts over after one.
    this.#failures = attempt?.connackAt === undefined ? this.#failures + 1 : 0;
    if (this.#want && !this.#stopped) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (this.#want && !this.#stopped) this.#startAttempt();
      }, reconnectDelay(this.spec.group.reconnect, this.spec.random, this.#failures));
    }
  }

  #settle(attempt: ConnectAttempt): void {
    const settled = this.#onSettled;
    this.#onSettled = undefined;
    for (const resolve of settled ?? []) resolve(attempt);
  }

  #sendSubscribe(): Promise<string | undefined> {
    const inst = this.#mqtt;
    const attempt = this.#attempt;
    const topic = this.spec.topic;
    if (!inst || !attempt || topic === undefined) return Promise.resolve('not connected');
    return new Promise((resolve) => {
      inst.subscribe(topic, { qos: this.spec.group.qos }, (err, granted, packet?: { granted?: unknown[] }) => {
        // The SUBACK's own code: on a failure mqtt.js reports the QoS asked in `granted`.
        const raw = packet?.granted?.[0] as number | { qos?: number } | undefined;
        const qos = typeof raw === 'number' ? raw : (raw?.qos ?? (err ? undefined : granted?.[0]?.qos));
        if (qos !== undefined) {
          this.#granted = qos;
          this.say({ packet: 'SUBACK', code: qos }, () => `${this.spec.clientId}: SUBACK ${topic} → ${qos >= 0x80 ? hex(qos) : `QoS ${qos}`}`);
        }
        if (qos === undefined && err) return resolve(oneLine(err));
        if (qos === undefined || qos >= 0x80) return resolve(`SUBACK refused: ${qos ?? 'no grant'}`);
        if (attempt === this.#attempt && !this.#stopped) attempt.subscribedAt = performance.now();
        this.#subscribedOnce = true;
        resolve(undefined);
      });
    });
  }
}

/** mqtt.js 5 internals that hold a closed connection until the next connect() replaces them. */
interface ConnectionInternals {
  stream: MqttClient['stream'];
  _currentPump?: unknown;
}

/** Stands in for a released socket: destroyed, as that socket was (a write or end fails alike). */
const released = new Duplex({ read() {}, write: (_chunk, _encoding, done) => done() }).destroy();

/**
 * A failed attempt's objects (socket, its pipe into mqtt.js's parser, the CONNECT
 * written: ~8 KB) stay referenced by the instance until the next attempt, 1-10 s later:
 * long enough to be promoted to V8's old space, which a storm of refused attempts then
 * fills by MBs a second until a full GC (issue 7). Dropping those references at close
 * lets them die young. Only for an attempt without CONNACK: nothing it received can be
 * waiting in the parser queue (the current pump), so nothing is dropped; and mqtt.js
 * touches the stream again only in connect(), which sets a new one, or in end(), which
 * SimClient never calls on a closed connection.
 */
function releaseFailedConnection(inst: MqttClient): void {
  const internals = inst as unknown as ConnectionInternals;
  internals.stream = released;
  internals._currentPump = undefined;
}
