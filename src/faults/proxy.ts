import { lookup as dnsLookup } from 'node:dns';
import { connect, createServer, isIP, type LookupFunction, type Server, type Socket } from 'node:net';
import { isLoopbackAddress, splitHostPort } from '../net/loopback.js';
import {
  formatBoundAddress,
  formatTcpAddress,
  GoError,
  listenError,
  listenHost,
  resolveTcpAddress,
} from './addresses.js';
import { ProxiedConnection } from './proxied-connection.js';
import { ToxicCollection } from './toxic-collection.js';

export interface ProxyOptions {
  /** Our safety rule, not Toxiproxy's: upstreams outside loopback are refused unless allowed. */
  allowRemote: boolean;
  log: (line: string) => void;
}

export interface ProxyConfig {
  listen: string;
  upstream: string;
  enabled: boolean;
}

/** A listener that joins each accepted client to a fresh upstream connection. */
export class Proxy {
  listen: string;
  upstream: string;
  enabled = false;
  readonly toxics = new ToxicCollection();
  private server: Server | undefined;
  private readonly connections = new Set<ProxiedConnection>();
  private readonly dialling = new Set<Socket>();

  constructor(
    readonly name: string,
    listen: string,
    upstream: string,
    private readonly options: ProxyOptions,
  ) {
    this.listen = listen;
    this.upstream = upstream;
  }

  async start(): Promise<void> {
    if (this.enabled) return;
    const address = await resolveTcpAddress(this.listen).catch((err: unknown) => {
      throw err instanceof GoError ? new GoError(`listen tcp: ${err.message}`) : err;
    });
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) =>
      this.accept(client),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(address, err)));
      server.listen({ host: listenHost(address.host), port: address.port, exclusive: true }, resolve);
    });
    server.on('error', (err) => this.options.log(`proxy ${this.name}: ${err.message}`));
    const bound = server.address();
    if (bound && typeof bound === 'object') this.listen = formatBoundAddress(bound.address, bound.port);
    this.server = server;
    this.enabled = true;
  }

  /** Closes the listener and every live connection at once: a hard cut, not a partition. */
  stop(): void {
    if (!this.enabled) return;
    this.enabled = false;
    this.server?.close();
    this.server = undefined;
    for (const client of this.dialling) client.destroy();
    this.dialling.clear();
    for (const connection of this.connections) connection.destroy();
    this.connections.clear();
  }

  /** Toxiproxy's Differs: another listen (after resolving) or upstream means a restart. */
  async differs(other: { listen: string; upstream: string }): Promise<boolean> {
    const resolved = formatTcpAddress(await resolveTcpAddress(other.listen));
    return this.listen !== resolved || this.upstream !== other.upstream;
  }

  async update(input: ProxyConfig): Promise<void> {
    if (await this.differs(input)) {
      this.stop();
      this.listen = input.listen;
      this.upstream = input.upstream;
    }
    if (input.enabled !== this.enabled) {
      if (input.enabled) await this.start();
      else this.stop();
    }
  }

  private accept(client: Socket): void {
    this.dialling.add(client);
    client.on('error', () => client.destroy());
    const target = splitHostPort(this.upstream);
    const refuse = (reason: string): void => {
      this.dialling.delete(client);
      this.options.log(`proxy ${this.name}: upstream ${this.upstream}: ${reason}`);
      client.destroy();
    };
    if (!target) return refuse('missing port in address');
    if (!this.options.allowRemote && isIP(target.host) && !isLoopbackAddress(target.host)) {
      return refuse('outside loopback (start the server with --allow-remote to permit it)');
    }
    const upstream = connect({
      host: target.host,
      port: Number(target.port),
      allowHalfOpen: true,
      lookup: this.options.allowRemote ? undefined : loopbackOnlyLookup,
    });
    upstream.once('error', (err) => {
      upstream.destroy();
      refuse(err.message);
    });
    upstream.once('connect', () => {
      upstream.removeAllListeners('error');
      if (!this.dialling.delete(client) || client.destroyed) return void upstream.destroy();
      const connection = new ProxiedConnection(client, upstream, this.toxics, (gone) =>
        this.connections.delete(gone),
      );
      this.connections.add(connection);
      client.resume();
    });
  }
}

/** A DNS lookup that refuses names resolving outside loopback before any packet is sent. */
const loopbackOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const allowed = addresses.filter((a) => isLoopbackAddress(a.address));
    const first = allowed[0];
    if (!first) return callback(new Error(`${hostname} resolves outside loopback`), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: typeof allowed) => void)(null, allowed);
    callback(null, first.address, first.family);
  });
};
