/**
 * How a population's connections are spread so no (source address, destination port)
 * pair needs more ephemeral ports than it has: each fault server opens enough listen
 * ports per group, the managed broker enough listeners for the proxies' upstream
 * connections, and clients that go straight to a one-port broker bind to several
 * loopback source addresses (127.0.0.x). Pure arithmetic; the engine applies it.
 */

export interface SpreadInput {
  /** Proxied clients per group (over all fault servers). */
  proxied: { group: string; count: number }[];
  /** Clients that connect straight to the broker. */
  direct: number;
  faultServers: number;
  /** Most connections one (source address, destination port) pair may carry. */
  perPort: number;
  /** The broker can be given more listeners (a managed one); otherwise it has one port. */
  brokerCanListenMore: boolean;
}

/** One proxy listen port: the broker listener (index into the broker's ports) it forwards to. */
export interface ProxyPortPlan {
  server: number;
  upstream: number;
  /** Connections it is expected to carry. */
  load: number;
}

export interface SpreadPlan {
  perPort: number;
  /** Per group, its proxy ports over all servers, in the order clients take them (i % length). */
  proxyPorts: Record<string, ProxyPortPlan[]>;
  /** Listeners the broker needs (1 when it cannot have more). */
  brokerPorts: number;
  /** Loopback source addresses direct clients spread over: 127.0.0.1 up to 127.0.0.N. */
  sourceAddresses: number;
  /** Limits that could not be met, one line each (e.g. an external broker's one port). */
  warnings: string[];
}

/** 127.0.0.1..127.0.0.254: the addresses `lo` answers to without any setup. */
export const MAX_SOURCE_ADDRESSES = 254;

/** The i-th (0-based) loopback source address. */
export function sourceAddress(i: number): string {
  return `127.0.0.${1 + i}`;
}

export function planSpread(input: SpreadInput): SpreadPlan {
  const { perPort, faultServers } = input;
  if (!(perPort >= 1) || !(faultServers >= 1)) throw new Error(`planSpread: perPort ${perPort}, faultServers ${faultServers}`);
  const warnings: string[] = [];
  // Clients take endpoints in turn, so each endpoint carries ceil(count / endpoints) at most.
  const endpoints = input.proxied.map(({ group, count }) => {
    const perServer = Math.ceil(count / faultServers);
    const ports = Math.max(1, Math.ceil(perServer / perPort));
    const total = ports * faultServers;
    return { group, total, load: Math.ceil(count / total) };
  });
  const upstream = input.proxied.reduce((n, g) => n + g.count, 0);
  let brokerPorts = Math.max(1, Math.ceil(upstream / perPort));
  if (brokerPorts > 1 && !input.brokerCanListenMore) {
    warnings.push(
      `${upstream} proxied connections to one broker port exceed ${perPort} per (source, destination) pair: reconnects may fail with EADDRNOTAVAIL (give the broker more listeners, or lower the population)`,
    );
    brokerPorts = 1;
  }
  // Largest first onto the least loaded listener; one more listener if rounding overfilled one.
  const assign = (count: number) => {
    const loads = new Array<number>(count).fill(0);
    const chosen = new Map<string, number[]>();
    const all = endpoints.flatMap((e) => Array.from({ length: e.total }, (_, k) => ({ group: e.group, k, load: e.load })));
    all.sort((a, b) => b.load - a.load);
    for (const e of all) {
      let best = 0;
      for (let i = 1; i < count; i++) if (loads[i]! < loads[best]!) best = i;
      loads[best]! += e.load;
      const list = chosen.get(e.group) ?? new Array<number>(endpoints.find((x) => x.group === e.group)!.total);
      list[e.k] = best;
      chosen.set(e.group, list);
    }
    return { chosen, max: Math.max(0, ...loads) };
  };
  let placed = assign(brokerPorts);
  for (let tries = 0; input.brokerCanListenMore && placed.max > perPort && tries < 16; tries++) placed = assign(++brokerPorts);

  const proxyPorts: Record<string, ProxyPortPlan[]> = {};
  for (const e of endpoints) {
    const upstreams = placed.chosen.get(e.group) ?? [];
    // Endpoint k is on server k % servers, so consecutive clients alternate servers.
    proxyPorts[e.group] = Array.from({ length: e.total }, (_, k) => ({ server: k % faultServers, upstream: upstreams[k] ?? 0, load: e.load }));
  }

  let sourceAddresses = Math.max(1, Math.ceil(input.direct / perPort));
  if (sourceAddresses > MAX_SOURCE_ADDRESSES) {
    warnings.push(`${input.direct} direct connections need ${sourceAddresses} source addresses; only ${MAX_SOURCE_ADDRESSES} (127.0.0.1-254) are used`);
    sourceAddresses = MAX_SOURCE_ADDRESSES;
  }
  return { perPort, proxyPorts, brokerPorts, sourceAddresses, warnings };
}
