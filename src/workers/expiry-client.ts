/**
 * One measured session's connection (mqtt.js, no reconnect), and the short-lived
 * connections that probe or discard a session. Every moment that matters is stamped on the
 * shared monotonic clock: CONNACK, the DISCONNECT written, the socket dropped, the sync
 * PINGRESP, and the close the proxy passes on when the broker ends a partitioned connection.
 *
 * A partitioned client must not end its connection itself: mqtt.js gives up on a silent
 * broker after 1.5 x keep-alive and drops the socket, and both Toxiproxy and the embedded
 * fault server pass that close to the broker, which would then learn of the partition from
 * the client rather than by its own keep-alive. So its keep-alive timer can be frozen.
 */
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient, Packet } from 'mqtt';
import type { ProtocolVersion } from '../brokers/types.js';
import type { GroupPlan } from '../scenario/plan.js';
import { oneLine } from './client-options.js';
import type { ExpiryProbeLog, ExpirySessionLog } from './expiry-protocol.js';
import type { Endpoint } from './protocol.js';

const CONNECT_TIMEOUT_MS = 10_000;
const STEP_LIMIT_MS = 5_000;

export interface Connection {
  clientId: string;
  endpoint: Endpoint;
  protocol: ProtocolVersion;
  credentials?: { username?: string; password?: string };
}

export interface SessionSpec extends Connection {
  group: GroupPlan;
  /** Subscribed once connected, so the session holds state. */
  topic?: string;
  /** v5 only: the Will that marks the session's end. */
  will?: { topic: string; delaySec: number };
}

const now = (): number => performance.now();

/** Resolves with `work`, or with undefined after `ms` (nothing waits forever). */
function bounded<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function baseOptions(c: Connection): IClientOptions {
  return {
    host: c.endpoint.host,
    port: c.endpoint.port,
    protocol: 'mqtt',
    protocolVersion: c.protocol === '5' ? 5 : 4,
    clientId: c.clientId,
    reconnectPeriod: 0,
    resubscribe: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    ...(c.credentials?.username !== undefined ? { username: c.credentials.username } : {}),
    ...(c.credentials?.password !== undefined ? { password: c.credentials.password } : {}),
  };
}

export class ExpirySession {
  #inst: MqttClient | undefined;
  #open = false;
  /** Keep-alive ticks are ignored once frozen: no PINGREQ, no giving up on the broker. */
  #frozen = false;
  #closing = false;
  #lastSentAt: number | undefined;
  #pingResp: (() => void) | undefined;

  constructor(
    readonly spec: SessionSpec,
    readonly log: ExpirySessionLog,
  ) {}

  get connected(): boolean {
    return this.#open && this.log.connackAt !== undefined && this.log.connectError === undefined;
  }

  /** Resolves once the first CONNACK came (or the attempt failed): recorded in the log. */
  connect(): Promise<void> {
    const { spec, log } = this;
    const v5 = spec.protocol === '5';
    const expiry = spec.group.sessionExpiry;
    const freezable = {
      set: (fn: () => void, ms: number) => setInterval(() => this.#frozen || fn(), ms),
      clear: (id: NodeJS.Timeout) => clearInterval(id),
    };
    const options: IClientOptions = {
      ...baseOptions(spec),
      // v5: Clean Start=1 starts a fresh session, which still outlives the connection by its
      // expiry. 3.1.1: CleanSession=0, or there is no session to keep.
      clean: v5,
      keepalive: spec.group.keepAliveSec,
      timerVariant: freezable as unknown as IClientOptions['timerVariant'],
      ...(v5 && expiry > 0 ? { properties: { sessionExpiryInterval: expiry } } : {}),
      ...(v5 && spec.will
        ? {
            will: {
              topic: spec.will.topic,
              payload: Buffer.from(spec.clientId),
              qos: 1 as const,
              retain: false,
              properties: { willDelayInterval: spec.will.delaySec },
            },
          }
        : {}),
    };
    return new Promise((resolve) => {
      const inst = mqtt.connect(options);
      this.#inst = inst;
      this.#open = true;
      inst.on('packetsend', (packet: Packet) => {
        this.#lastSentAt = now();
        if (packet.cmd === 'disconnect' && this.#closing) log.closedAt ??= this.#lastSentAt;
      });
      inst.on('packetreceive', (packet: Packet) => {
        if (packet.cmd === 'connack') {
          const code = (v5 ? packet.reasonCode : packet.returnCode) ?? 0;
          if (code === 0) log.connackAt = now();
          else log.connectError = `CONNACK refused: ${code}`;
          const assigned = v5 ? packet.properties?.sessionExpiryInterval : undefined;
          // The broker's grant is the session's expiry (MQTT 5 §3.2.2.3.2): measure against it, unless a DISCONNECT is to change it.
          if (assigned !== undefined && assigned !== expiry) {
            log.assignedSec = assigned;
            if (log.expectedMs === expiry * 1000) log.expectedMs = assigned * 1000;
          }
          resolve();
        } else if (packet.cmd === 'pingresp') {
          this.#pingResp?.();
        } else if (packet.cmd === 'disconnect') {
          log.serverDisconnect ??= packet.reasonCode ?? 0;
        }
      });
      inst.on('error', (err) => {
        if (log.connackAt === undefined) log.connectError ??= oneLine(err);
      });
      inst.on('close', () => {
        if (!this.#open) return;
        this.#open = false;
        if (log.connackAt === undefined) {
          log.connectError ??= 'closed before CONNACK';
          resolve();
        } else if (!this.#closing) {
          if (log.close === 'partition' && this.#frozen) log.lostAt ??= now();
          else log.closeError ??= 'the connection was lost before the measurement closed it';
        }
      });
    });
  }

  /** SUBSCRIBE and its SUBACK; a refusal is recorded as a connect error (the session is left out). */
  async subscribe(): Promise<void> {
    const { spec, log } = this;
    const inst = this.#inst;
    if (!inst || !this.connected || spec.topic === undefined) return;
    const outcome = await bounded(
      10_000,
      new Promise<string | undefined>((resolve) => {
        inst.subscribe(spec.topic!, { qos: spec.group.qos }, (err, granted) => {
          const qos = granted?.[0]?.qos;
          if (err) resolve(oneLine(err));
          else resolve(qos === undefined || qos >= 0x80 ? `SUBACK refused: ${qos ?? 'no grant'}` : undefined);
        });
      }),
    );
    if (outcome === undefined && log.connectError === undefined) return;
    log.connectError ??= outcome ?? 'no SUBACK in time';
  }

  /** DISCONNECT (v5: with `reasonCode`, and a new Session Expiry Interval if given); resolves on close. */
  async closeGraceful(reasonCode: 0 | 4, expirySec: number | undefined): Promise<void> {
    const inst = this.#inst;
    if (!inst || !this.connected) return;
    this.#closing = true;
    const stampedAt = now();
    const opts = this.spec.protocol === '5' ? { reasonCode, ...(expirySec !== undefined ? { properties: { sessionExpiryInterval: expirySec } } : {}) } : {};
    await bounded(STEP_LIMIT_MS, this.#closed(() => inst.end(false, opts)));
    // packetsend stamps the DISCONNECT as written; if it never fired, the moment we asked.
    this.log.closedAt ??= stampedAt;
    if (this.#open) {
      this.log.closeError = 'DISCONNECT did not close the connection in time';
      inst.end(true);
    }
  }

  /** The socket destroyed without DISCONNECT: the broker sees the connection close at once. */
  async closeAbrupt(): Promise<void> {
    const inst = this.#inst;
    if (!inst || !this.connected) return;
    this.#closing = true;
    this.log.closedAt = now();
    await bounded(STEP_LIMIT_MS, this.#closed(() => inst.end(true)));
  }

  /**
   * Before a partition: stop our own keep-alive and (sync) send a PINGREQ whose PINGRESP
   * marks the broker's last packet from us, so its keep-alive timer starts there.
   */
  async prepareForPartition(sync: boolean): Promise<void> {
    const inst = this.#inst;
    if (!inst || !this.connected) return;
    this.#frozen = true;
    if (!sync) {
      this.log.lastPacketAt = this.#lastSentAt ?? this.log.connackAt;
      return;
    }
    const answered = await bounded(
      STEP_LIMIT_MS,
      new Promise<true>((resolve) => {
        this.#pingResp = () => resolve(true);
        inst.sendPing();
      }),
    );
    this.#pingResp = undefined;
    if (answered) this.log.lastPacketAt = now();
    else this.log.closeError ??= 'no PINGRESP before the partition';
  }

  /** At the end of the run: the socket dropped, whatever its state. */
  async destroy(): Promise<void> {
    const inst = this.#inst;
    this.#closing = true;
    if (!inst || !this.#open) return;
    await bounded(STEP_LIMIT_MS, this.#closed(() => inst.end(true)));
  }

  #closed(act: () => void): Promise<void> {
    const inst = this.#inst!;
    return new Promise<void>((resolve) => {
      if (!this.#open) return resolve();
      inst.once('close', () => resolve());
      act();
    });
  }
}

/**
 * One probe: CONNECT with Clean Start=0 and no expiry, read Session Present, DISCONNECT
 * (0x00). A session found alive is resumed by it — and, with expiry 0, ends at its
 * DISCONNECT — so every session is probed once at most.
 */
export async function probeSession(c: Connection, log: ExpiryProbeLog): Promise<void> {
  const v5 = c.protocol === '5';
  await oneConnection(c, false, (packet) => {
    const code = (v5 ? packet.reasonCode : packet.returnCode) ?? 0;
    if (code !== 0) log.error = `CONNACK refused: ${code}`;
    log.connackAt = now();
    log.sessionPresent = packet.sessionPresent;
  }, (at) => {
    log.sentAt = at;
  }).catch((err: unknown) => {
    log.error ??= oneLine(err);
  });
  // 3.1.1 keeps a resumed CleanSession=0 session: discard it, as v5's expiry 0 does.
  if (!v5 && log.sessionPresent) await discardSession(c);
}

/**
 * A Clean Start (CleanSession=1) connection and DISCONNECT 0x00: the session and its
 * pending will are gone. Resolves with why not (a refused CONNACK, a socket error), or
 * undefined when done.
 */
export async function discardSession(c: Connection): Promise<string | undefined> {
  let refused: string | undefined;
  try {
    await oneConnection(c, true, (packet) => {
      const code = (c.protocol === '5' ? packet.reasonCode : packet.returnCode) ?? 0;
      if (code !== 0) refused = `CONNACK refused: ${code}`;
    }, () => undefined);
    return refused;
  } catch (err) {
    return oneLine(err);
  }
}

function oneConnection(c: Connection, clean: boolean, onConnack: (p: Packet & { cmd: 'connack' }) => void, onSent: (at: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const inst = mqtt.connect({ ...baseOptions(c), clean, keepalive: 0 });
    let acked = false;
    let failure: string | undefined;
    // mqtt.js queues CONNECT on the socket before it is open: it leaves when TCP connects.
    inst.stream.once('connect', () => onSent(now()));
    inst.on('packetreceive', (packet: Packet) => {
      if (packet.cmd !== 'connack' || acked) return;
      acked = true;
      onConnack(packet);
      inst.end(false, c.protocol === '5' ? { reasonCode: 0 } : {});
    });
    inst.on('error', (err) => {
      failure ??= oneLine(err);
    });
    inst.on('close', () => {
      if (acked) resolve();
      else reject(new Error(failure ?? 'closed before CONNACK'));
    });
  });
}
