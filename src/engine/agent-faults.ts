/**
 * Faults when agents run the clients: every agent's proxied clients go through its own
 * fault server (agent-fault-server.ts), and a fault is applied to all of them at once,
 * over the agent links. Each agent answers with its clock when its server had applied
 * it; on the coordinator's clock (its measured offset added) the spread between the first
 * and the last is the skew: how far apart the agents' clients were cut. It is logged and
 * put on the run's timeline beside the fault (`skewMs`).
 */
import type { ProxyFaultPlan, RunPlan } from '../scenario/plan.js';
import type { Endpoint } from '../workers/protocol.js';
import type { AgentShare } from './agent-pool.js';
import type { FaultDriver } from './fault-controller.js';

export class AgentFaults implements FaultDriver {
  skewMs: number | undefined;

  private constructor(
    private readonly shares: readonly AgentShare[],
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Has every agent with shards create its proxies (to `upstream`, the broker as the agents
   * reach it) and points its shards' proxied groups at them.
   */
  static async prepare(shares: readonly AgentShare[], run: RunPlan, upstream: Endpoint, allowRemote: boolean, log: (line: string) => void): Promise<AgentFaults> {
    const proxied = run.groups.filter((g) => g.via === 'proxy').map((g) => ({ name: g.name, upstream }));
    const working = shares.filter((s) => s.inits.length > 0);
    if (proxied.length > 0) {
      await Promise.all(
        working.map(async ({ agent, inits }) => {
          const names = new Set(proxied.map((g) => g.name));
          const clients = inits.reduce((n, init) => n + init.groups.filter((g) => names.has(g.plan.name)).reduce((m, g) => m + g.count, 0), 0);
          const reply = await agent.request({ kind: 'proxies', run: run.id, groups: proxied, allowRemote, clients });
          if (reply.kind !== 'endpoints') throw new Error(`${agent.name}: no proxies`);
          for (const init of inits) {
            for (const group of init.groups) {
              const mine = reply.endpoints[group.plan.name];
              if (mine) group.endpoints = mine;
            }
          }
        }),
      );
    }
    return new AgentFaults(working, log);
  }

  async start(groups: string[], fault: ProxyFaultPlan): Promise<void> {
    await this.#everywhere(`${fault.kind} on ${groups.join(', ')}`, (share) => share.agent.request({ kind: 'fault', groups, fault }));
  }

  async heal(groups: string[]): Promise<void> {
    await this.#everywhere(`heal ${groups.join(', ')}`, (share) => share.agent.request({ kind: 'heal', groups }));
  }

  async #everywhere(what: string, call: (share: AgentShare) => ReturnType<AgentShare['agent']['request']>): Promise<void> {
    const applied = await Promise.all(
      this.shares.map(async (share) => {
        const reply = await call(share);
        return reply.kind === 'applied' ? reply.at + share.clock.offsetMs : performance.now();
      }),
    );
    this.skewMs = applied.length > 0 ? Math.round((Math.max(...applied) - Math.min(...applied)) * 1000) / 1000 : undefined;
    this.log(`agents: ${what} applied by ${applied.length} agent fault server(s) within ${this.skewMs ?? 0} ms`);
  }
}
