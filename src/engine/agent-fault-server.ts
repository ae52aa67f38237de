/**
 * An agent's own fault servers, close to its clients: the embedded Toxiproxy-compatible
 * server (src/faults/) in its own processes on the agent's loopback, as many as the
 * agent's proxied clients need (two descriptors each), started for each run, with a
 * FaultController on them. The coordinator drives them over the authenticated agent link,
 * never over the network: the Toxiproxy API has no authentication, so it is never exposed
 * beyond the agent's loopback.
 */
import type { ProxyFaultPlan } from '../scenario/plan.js';
import type { Endpoint } from '../workers/protocol.js';
import { FaultController } from './fault-controller.js';
import { startEmbeddedFaultServers, type FaultServerHandle } from './fault-server-process.js';

export interface ProxiesRequest {
  run: string;
  groups: readonly { name: string; upstream: Endpoint }[];
  /** The scenario's opt-in: the proxies may forward beyond the agent's loopback. */
  allowRemote: boolean;
  /** This agent's proxied clients: how many fault server processes it takes. */
  clients: number;
}

export class AgentFaultServer {
  #servers: FaultServerHandle[] = [];
  #controller: FaultController | undefined;

  constructor(private readonly log: (line: string) => void) {}

  /** Per group, one proxy on each fault server to its upstream; clients take them in turn. */
  async proxies(request: ProxiesRequest): Promise<Record<string, Endpoint[]>> {
    await this.stop();
    this.#servers = await startEmbeddedFaultServers(request.clients, this.log, request.allowRemote);
    this.log(`fault server${this.#servers.length > 1 ? 's' : ''}: ${this.#servers.map((s) => s.url).join(', ')}`);
    const controller = new FaultController(this.#servers.map((s) => s.url), request.run);
    this.#controller = controller;
    const ports = this.#servers.map((_, server) => ({ server, upstream: 0, load: 0 }));
    const endpoints: Record<string, Endpoint[]> = {};
    for (const { name, upstream } of request.groups) endpoints[name] = await controller.proxiesFor(name, [upstream], ports);
    return endpoints;
  }

  start(groups: string[], fault: ProxyFaultPlan): Promise<void> {
    return this.#need().start(groups, fault);
  }

  heal(groups: string[]): Promise<void> {
    return this.#need().heal(groups);
  }

  /** Deletes the run's proxies and stops the run's fault servers. */
  async stop(): Promise<void> {
    const controller = this.#controller;
    this.#controller = undefined;
    await controller?.dispose();
    const servers = this.#servers;
    this.#servers = [];
    await Promise.all(servers.map((s) => s.stop()));
  }

  #need(): FaultController {
    if (!this.#controller) throw new Error('no proxies on this agent');
    return this.#controller;
  }
}
