import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isLoopbackAddress } from '../net/loopback.js';
import { reasonOf, type MemoryProbe, type MemorySample } from './memory-probe.js';
import { parsePrometheusText, selectSeries } from './memory-prometheus-text.js';

/**
 * A metric scraped from a Prometheus text endpoint (EMQX, HiveMQ, VerneMQ and others export
 * one), read as bytes. Several series matching the name and labels are summed (e.g. the
 * areas of a JVM's memory), and the source says so.
 */
export interface PrometheusOptions {
  url: string;
  metric: string;
  labels?: Record<string, string>;
  /** Endpoints outside loopback need the run's --allow-remote. */
  allowRemote?: boolean;
  timeoutMs?: number;
}

export class PrometheusProbe implements MemoryProbe {
  readonly name: string;
  #options: PrometheusOptions;
  #unavailable: string | undefined;
  #series: number | undefined;
  #refused: string | undefined;

  constructor(options: PrometheusOptions, name = 'prometheus') {
    this.#options = options;
    this.name = name;
  }

  get source(): string {
    const { url, metric, labels = {} } = this.#options;
    const selector = Object.keys(labels).length > 0 ? `${metric}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}` : metric;
    const sum = this.#series !== undefined && this.#series > 1 ? ` (sum of ${this.#series} series)` : '';
    return `${selector} from ${url}${sum}`;
  }

  get unavailable(): string | undefined {
    return this.#refused ?? this.#unavailable;
  }

  async start(): Promise<void> {
    let url: URL;
    try {
      url = new URL(this.#options.url);
    } catch {
      this.#refused = `"${this.#options.url}" is not a URL`;
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      this.#refused = `${this.#options.url}: only http:// and https:// endpoints are scraped`;
      return;
    }
    if (!this.#options.allowRemote) {
      const remote = await nonLoopback(url.hostname);
      if (remote) {
        this.#refused = `${url.host} ${remote}; pass --allow-remote to scrape another machine`;
        return;
      }
    }
    await this.sample();
  }

  async sample(): Promise<MemorySample | undefined> {
    if (this.#refused) return undefined;
    const { url, metric, labels = {}, timeoutMs = 2000 } = this.#options;
    let text: string;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'text/plain' } });
      text = await response.text();
      if (!response.ok) {
        this.#unavailable = `${url} answered HTTP ${response.status}`;
        return undefined;
      }
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      this.#unavailable = timedOut ? `${url} did not answer within ${timeoutMs} ms` : `${url} did not answer: ${reasonOf(err)}`;
      return undefined;
    }
    const found = selectSeries(parsePrometheusText(text), metric, labels);
    if (found.length === 0) {
      this.#unavailable = `${url} has no metric ${metric}${Object.keys(labels).length > 0 ? ' with those labels' : ''}`;
      return undefined;
    }
    const bytes = found.reduce((sum, s) => sum + s.value, 0);
    if (!Number.isFinite(bytes) || bytes < 0) {
      this.#unavailable = `${metric} at ${url} is ${bytes}, not a byte count`;
      return undefined;
    }
    this.#series = found.length;
    this.#unavailable = undefined;
    return { at: performance.now(), bytes };
  }

  async stop(): Promise<void> {}
}

/** Why `host` is not loopback ("is not on loopback", "resolves to 10.0.0.2"), or undefined. */
async function nonLoopback(host: string): Promise<string | undefined> {
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) return isLoopbackAddress(bare) ? undefined : 'is not on loopback';
  try {
    const addresses = (await lookup(bare, { all: true })).map((a) => a.address);
    const remote = addresses.find((a) => !isLoopbackAddress(a));
    return remote === undefined ? undefined : `resolves to ${remote}, not loopback`;
  } catch (err) {
    return `cannot be resolved (${reasonOf(err)})`;
  }
}
