/**
 * The will observer of one shard: a client straight to the broker, subscribed to the will
 * topics, stamping each will as it arrives (the moment its session ended). It also measures
 * how late it stamps: it publishes to a topic of its own every few hundred ms and records
 * the round trip through the broker — an upper bound on the delay between the broker
 * sending a will and the harness seeing it.
 */
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import type { Histogram } from 'hdr-histogram-js';
import { newLatencyHistogram, recordMs } from '../metrics/histograms.js';
import { oneLine } from './client-options.js';
import type { Connection } from './expiry-client.js';

const ROUND_TRIP_EVERY_MS = 250;
const SUBSCRIBE_LIMIT_MS = 10_000;

export type OnWill = (group: string, index: number, at: number) => void;

export class WillObserver {
  readonly roundTrip: Histogram = newLatencyHistogram();
  #inst: MqttClient | undefined;
  #timer: NodeJS.Timeout | undefined;
  #sent = new Map<number, number>();
  #seq = 0;
  readonly #willPrefix: string;
  readonly #pingTopic: string;

  constructor(
    readonly connection: Connection,
    prefix: string,
    shard: number,
    private readonly onWill: OnWill,
  ) {
    this.#willPrefix = `${prefix}/`;
    this.#pingTopic = `${prefix}-rtt/${shard}`;
  }

  /** Connected and subscribed: undefined; else why not. */
  start(): Promise<string | undefined> {
    return new Promise((resolve) => {
      const inst = mqtt.connect({
        host: this.connection.endpoint.host,
        port: this.connection.endpoint.port,
        protocol: 'mqtt',
        protocolVersion: this.connection.protocol === '5' ? 5 : 4,
        clientId: this.connection.clientId,
        clean: true,
        keepalive: 30,
        reconnectPeriod: 0,
        connectTimeout: SUBSCRIBE_LIMIT_MS,
        ...(this.connection.credentials?.username !== undefined ? { username: this.connection.credentials.username } : {}),
        ...(this.connection.credentials?.password !== undefined ? { password: this.connection.credentials.password } : {}),
      });
      this.#inst = inst;
      const limit = setTimeout(() => resolve('observer: no SUBACK in time'), SUBSCRIBE_LIMIT_MS);
      inst.on('message', (topic, payload) => this.#onMessage(topic, payload));
      inst.on('error', (err) => resolve(`observer: ${oneLine(err)}`));
      inst.on('close', () => resolve('observer: connection closed'));
      inst.on('connect', () => {
        inst.subscribe({ [`${this.#willPrefix}+/+`]: { qos: 1 }, [this.#pingTopic]: { qos: 0 } }, (err, granted) => {
          clearTimeout(limit);
          const refused = granted?.find((g) => g.qos >= 0x80);
          resolve(err ? `observer: ${oneLine(err)}` : refused ? `observer: SUBACK refused (${refused.qos})` : undefined);
        });
      });
    });
  }

  /** Publishes a timestamped ping to itself every ROUND_TRIP_EVERY_MS until stop(). */
  startRoundTrips(): void {
    const inst = this.#inst;
    if (!inst || this.#timer) return;
    this.#timer = setInterval(() => {
      const seq = this.#seq++;
      this.#sent.set(seq, performance.now());
      inst.publish(this.#pingTopic, String(seq), { qos: 0 });
    }, ROUND_TRIP_EVERY_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const inst = this.#inst;
    this.#inst = undefined;
    if (inst) await new Promise<void>((resolve) => inst.end(true, {}, () => resolve()));
  }

  #onMessage(topic: string, payload: Buffer): void {
    const at = performance.now();
    if (topic === this.#pingTopic) {
      const seq = Number(payload.toString());
      const sentAt = this.#sent.get(seq);
      if (sentAt !== undefined) {
        this.#sent.delete(seq);
        recordMs(this.roundTrip, at - sentAt);
      }
      return;
    }
    if (!topic.startsWith(this.#willPrefix)) return;
    const rest = topic.slice(this.#willPrefix.length);
    const slash = rest.lastIndexOf('/');
    const index = Number(rest.slice(slash + 1));
    if (slash > 0 && Number.isInteger(index)) this.onWill(rest.slice(0, slash), index, at);
  }
}
