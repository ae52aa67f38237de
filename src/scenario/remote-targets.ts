import { isIP } from 'node:net';
import { parseBrokerUrl } from '../brokers/broker-url.js';
import { HarnessError } from '../errors.js';
import { isLoopbackAddress, isLoopbackUrl } from '../net/loopback.js';
import type { PlanOverrides } from './expand.js';
import type { Plan } from './plan.js';
import { formatPath, ScenarioError, type Path } from './problems.js';
import type { SourceDoc } from './yaml-positions.js';

const OPT_IN = 'set allowRemote: true in the scenario (or pass --allow-remote) to use it';

/**
 * A load generator must not hit another machine by accident: a fault server, or a broker
 * given by IP address, outside loopback without the opt-in is refused here, with the field's
 * line, before anything connects. Broker names are resolved, and so checked, by the adapter.
 */
export function refuseRemoteTargets(plan: Plan, overrides: PlanOverrides, doc: SourceDoc, file: string): void {
  if (plan.allowRemote) return;
  const refuse = (flag: string | undefined, path: Path, message: string): never => {
    if (flag !== undefined) throw new HarnessError('E_REMOTE_TARGET', `${flag}: ${message}; pass --allow-remote to use it`);
    throw new ScenarioError([{ severity: 'error', file, ...doc.locate(path), path: formatPath(path), message: `${message}: ${OPT_IN}` }]);
  };
  if (plan.faults.kind === 'toxiproxy' && !isLoopbackUrl(plan.faults.url)) {
    const flag = overrides.toxiproxy !== undefined ? '--toxiproxy' : undefined;
    refuse(flag, ['faults', 'toxiproxy'], `fault server ${plan.faults.url} is outside loopback`);
  }
  if (plan.broker.kind === 'external') {
    const { host } = parseBrokerUrl(plan.broker.url);
    if (isIP(host) !== 0 && !isLoopbackAddress(host)) {
      const flag = overrides.broker !== undefined ? '--broker' : undefined;
      refuse(flag, ['broker', 'url'], `broker ${plan.broker.url} is outside loopback`);
    }
  }
}
