/**
 * An agent's own fault server, close to its clients: the embedded Toxiproxy-compatible
 * server (src/faults/) in its own process on the agent's loopback, started on the first
 * run that proxies a group, and a FaultController per run on it. The coordinator drives it
 * over the authenticated agent link, never over the network: the Toxiproxy API has no
 * authentication, so it is never exposed beyond the agent's loopback.
 */
import type { ProxyFaultPlan } from '../scenario/plan.js';
import type { Endpoint } from '../workers/protocol.js';
import { FaultController } from './fault-controller.js';
import { startEmbeddedFaultServer, type FaultServerHandle } from './fault-server-process.js';

export class AgentFaultServer {
  #server: Promise<FaultServerHandle> | undefined;
  #remote = false;
  #controller: FaultController | undefined;

  constructor(private readonly log: (line: string) => void) {}

  /** One proxy per group to its upstream; their loopback addresses by group. */
  async proxies(run: string, groups: readonly { name: string; upstream: Endpoint }[], allowRemote: boolean): Promise<Record<string, Endpoint[]>> {
    // A broker beyond this agent's loopback needs a server that may forward there (the run's allowRemote).
    if (allowRemote && !this.#remote) await this.stop();
    this.#remote ||= allowRemote;
    this.#server ??= startEmbeddedFaultServer(this.#remote).then((server) => {
      this.log(`fault server: ${server.url}`);
      return server;
    });
    const server = await this.#server;
    await this.dispose();
    const controller = new FaultController([server.url], run);
    this.#controller = controller;
    const endpoints: Record<string, Endpoint[]> = {};
    for (const { name, upstream } of groups) endpoints[name] = await controller.proxiesFor(name, [upstream], [{ server: 0, upstream: 0, load: 0 }]);
    return endpoints;
  }

  start(groups: string[], fault: ProxyFaultPlan): Promise<void> {
    return this.#need().start(groups, fault);
  }

  heal(groups: string[]): Promise<void> {
    return this.#need().heal(groups);
  }

  /** Deletes the run's proxies. */
  async dispose(): Promise<void> {
    const controller = this.#controller;
    this.#controller = undefined;
    await controller?.dispose();
  }

  async stop(): Promise<void> {
    await this.dispose();
    const server = this.#server;
    this.#server = undefined;
    await (await server?.catch(() => undefined))?.stop();
  }

  #need(): FaultController {
    if (!this.#controller) throw new Error('no proxies on this agent');
    return this.#controller;
  }
}
