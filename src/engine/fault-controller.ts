import { randomBytes } from 'node:crypto';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { HarnessError } from '../errors.js';
import type { ProxyFaultPlan, Stream } from '../scenario/plan.js';
import type { ProxyPortPlan } from '../net/spread.js';
import type { Endpoint } from '../workers/protocol.js';
import { EnvironmentFailure } from './run-record.js';

interface ToxicSpec {
  name: string;
  type: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, number>;
}

/** What a phase needs to cut and heal groups: one fault server's proxies, or every agent's. */
export interface FaultDriver {
  start(groups: string[], fault: ProxyFaultPlan): Promise<void>;
  heal(groups: string[]): Promise<void>;
  /** With agents: how far apart (ms) they applied the last start or heal. */
  readonly skewMs?: number | undefined;
}

/**
 * The proxies of one run and the faults on them: for each proxied group one or more
 * proxies on each fault server (several servers share out the descriptors of large
 * populations; several listen ports per server share out ephemeral ports). It
 * deletes only the proxies it created (an external Toxiproxy is left as found).
 */
export class FaultController {
  private readonly servers: Toxiproxy[];
  private readonly proxies = new Map<string, Proxy[]>();
  private readonly toxics = new Map<string, string[]>();
  private readonly prefix: string;
  /** Named in errors, so a failed call says which server failed it. */
  private readonly where: string;

  constructor(urls: readonly string[], runId: string) {
    this.servers = urls.map((url) => new Toxiproxy(url));
    this.where = urls.join(', ');
    this.prefix = `mqtt-chaos-${runId}-${randomBytes(3).toString('hex')}`;
  }

  /**
   * Creates the group's proxies, one per planned listen port (each on its fault server,
   * forwarding to its broker listener); returns their addresses in the plan's order.
   */
  async proxiesFor(group: string, brokerPorts: readonly Endpoint[], ports: readonly ProxyPortPlan[]): Promise<Endpoint[]> {
    const created: Proxy[] = [];
    this.proxies.set(group, created);
    for (const [index, { server, upstream }] of ports.entries()) {
      const api = this.servers[server];
      const broker = brokerPorts[upstream];
      if (!api || !broker) throw new Error(`proxy plan for ${group}: no server ${server} or broker port ${upstream}`);
      const proxy = await this.call(`create proxy for ${group}`, () =>
        api.createProxy({ name: `${this.prefix}-${group}-${index}`, listen: '127.0.0.1:0', upstream: `${broker.host}:${broker.port}` }),
      );
      created.push(proxy);
    }
    return created.map((proxy) => ({ host: '127.0.0.1', port: Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1)) }));
  }

  async start(groups: string[], fault: ProxyFaultPlan): Promise<void> {
    for (const group of groups) {
      const serial = this.toxics.get(group)?.length ?? 0;
      const toxics = fault.kind === 'cut' ? [] : toxicsFor(fault, serial);
      await Promise.all(
        this.proxiesOf(group).map(async (proxy) => {
          if (fault.kind === 'cut') {
            await this.call(`cut ${group}`, () => proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream }));
          }
          for (const toxic of toxics) await this.call(`${fault.kind} on ${group}`, () => proxy.addToxic(toxic as never));
        }),
      );
      this.toxics.set(group, [...(this.toxics.get(group) ?? []), ...toxics.map((t) => t.name)]);
    }
  }

  /** Ends every fault on the groups: proxies enabled again, our toxics removed. */
  async heal(groups: string[]): Promise<void> {
    for (const group of groups) {
      const names = this.toxics.get(group) ?? [];
      this.toxics.delete(group);
      await Promise.all(
        this.proxiesOf(group).map(async (proxy) => {
          for (const name of names) await this.call(`heal ${group}`, async () => (await proxy.getToxic(name)).remove());
          await this.call(`heal ${group}`, () => proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream }));
        }),
      );
    }
  }

  /** Deletes the proxies this run created; errors are ignored (the server may be gone). */
  async dispose(): Promise<void> {
    for (const proxy of [...this.proxies.values()].flat()) await proxy.remove().catch(() => undefined);
    this.proxies.clear();
  }

  private proxiesOf(group: string): Proxy[] {
    const proxies = this.proxies.get(group);
    if (!proxies) throw new HarnessError('E_SCENARIO', `group ${group} does not go through the fault proxy (via: direct)`);
    return proxies;
  }

  private async call<T>(what: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (err) {
      throw new EnvironmentFailure('fault-server', `fault server ${this.where}: ${what} failed: ${(err as Error).message}`);
    }
  }
}

const streams = (stream: Stream): ('upstream' | 'downstream')[] =>
  stream === 'both' ? ['upstream', 'downstream'] : [stream];

/** The Toxiproxy toxics that make up a fault; names are unique per group. */
function toxicsFor(fault: Exclude<ProxyFaultPlan, { kind: 'cut' }>, serial: number): ToxicSpec[] {
  const make = (type: string, stream: 'upstream' | 'downstream', attributes: Record<string, number>, toxicity = 1): ToxicSpec => ({
    name: `${fault.kind}-${stream}-${serial}`,
    type,
    stream,
    toxicity,
    attributes,
  });
  switch (fault.kind) {
    case 'partition':
      return streams('both').map((s) => make('timeout', s, { timeout: 0 }));
    case 'reset':
      return [make('reset_peer', 'upstream', { timeout: 0 })];
    case 'takeover':
      // Upstream only: the broker hears nothing from the old connection yet still reaches the
      // client, so its DISCONNECT 0x8E (or its close) at the takeover arrives.
      return [make('timeout', 'upstream', { timeout: 0 })];
    case 'latency':
      return streams(fault.stream).map((s) => make('latency', s, { latency: fault.latencyMs, jitter: fault.jitterMs }));
    case 'bandwidth':
      return streams(fault.stream).map((s) => make('bandwidth', s, { rate: fault.kbPerSec }));
    case 'toxic':
      return streams(fault.stream).map((s) => make(fault.type, s, fault.attributes, fault.toxicity));
  }
}
