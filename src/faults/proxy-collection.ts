import { ApiError } from './api-error.js';
import { Proxy, type ProxyOptions } from './proxy.js';

export interface ProxyInput {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

/** The server's proxies by name; guards uniqueness as Toxiproxy's ProxyCollection does. */
export class ProxyCollection {
  private readonly proxies = new Map<string, Proxy>();

  constructor(private readonly options: ProxyOptions) {}

  all(): Proxy[] {
    return [...this.proxies.values()];
  }

  get(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw ApiError.proxyNotFound();
    return proxy;
  }

  async add(input: ProxyInput): Promise<Proxy> {
    if (this.proxies.has(input.name)) throw ApiError.proxyExists();
    const proxy = new Proxy(input.name, input.listen, input.upstream, this.options);
    if (input.enabled) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return proxy;
  }

  /** /populate: an identical proxy is kept as it is (toxics, enabled); a differing one replaced. */
  async addOrReplace(input: ProxyInput): Promise<Proxy> {
    const existing = this.proxies.get(input.name);
    if (existing) {
      if (!(await existing.differs(input))) return existing;
      existing.stop();
    }
    const proxy = new Proxy(input.name, input.listen, input.upstream, this.options);
    if (input.enabled) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return proxy;
  }

  remove(name: string): void {
    this.get(name).stop();
    this.proxies.delete(name);
  }

  clear(): void {
    for (const proxy of this.proxies.values()) proxy.stop();
    this.proxies.clear();
  }
}
