import type { BrokerSpec, BrokerTarget } from '../brokers/types.js';
import { plural } from '../checks/words.js';
import { defaultConnectionsPerPort } from '../net/ephemeral-ports.js';
import { isLoopbackAddress } from '../net/loopback.js';
import { planSpread, sourceAddress, type SpreadPlan } from '../net/spread.js';
import type { Plan, RunPlan } from '../scenario/plan.js';
import type { Endpoint } from '../workers/protocol.js';
import type { FaultController } from './fault-controller.js';

/** The run's spread over ports and addresses; said in one line when it is more than one of each. */
export function spreadForRun(plan: Plan, run: RunPlan, broker: BrokerSpec, faultServers: number, log: (line: string) => void): SpreadPlan {
  const spread = planSpread({
    proxied: run.groups.filter((g) => g.via === 'proxy').map((g) => ({ group: g.name, count: g.count })),
    direct: run.groups.filter((g) => g.via === 'direct').reduce((n, g) => n + g.count, 0),
    faultServers,
    perPort: plan.connectionsPerPort ?? defaultConnectionsPerPort(),
    brokerCanListenMore: broker.kind === 'managed-mosquitto',
  });
  const listen = Object.values(spread.proxyPorts).reduce((n, ports) => n + ports.length, 0);
  const groups = Object.keys(spread.proxyPorts).length;
  if (listen > groups * faultServers || spread.brokerPorts > 1 || spread.sourceAddresses > 1) {
    log(
      `  [${run.id}] ${spread.perPort} connections per (source, destination) pair: ${plural(listen, 'proxy listen port')}, ${plural(spread.brokerPorts, 'broker listener')}, ` +
        `${spread.sourceAddresses} source address${spread.sourceAddresses === 1 ? '' : 'es'} for direct clients`,
    );
  }
  for (const warning of spread.warnings) log(`  [${run.id}] ${warning}`);
  return spread;
}

/** Where each group's clients connect: its planned proxies, or the broker from spread source addresses. */
export async function groupEndpoints(run: RunPlan, spread: SpreadPlan, target: BrokerTarget, faults: FaultController): Promise<Map<string, Endpoint[]>> {
  const brokerPorts = (target.ports ?? [target.port]).map((port) => ({ host: target.host, port }));
  // Binding 127.0.0.x only works toward a loopback broker; elsewhere the kernel picks.
  const sources = isLoopbackAddress(target.host) ? spread.sourceAddresses : 1;
  const direct: Endpoint[] =
    sources > 1
      ? Array.from({ length: sources }, (_, i) => ({ host: target.host, port: target.port, localAddress: sourceAddress(i) }))
      : [{ host: target.host, port: target.port }];
  const endpoints = new Map<string, Endpoint[]>();
  for (const group of run.groups) {
    const ports = spread.proxyPorts[group.name];
    endpoints.set(group.name, group.via === 'proxy' && ports ? await faults.proxiesFor(group.name, brokerPorts, ports) : direct);
  }
  return endpoints;
}
