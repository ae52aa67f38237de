import type { BrokerSpec } from '../brokers/types.js';
import { parseBrokerUrl } from '../brokers/broker-url.js';
import { validateMosquittoOptions } from '../brokers/mosquitto-config.js';
import type { Report } from './problems.js';
import type { Scenario } from './schema.js';

/**
 * The broker and fault-server settings, checked as their adapters will use them, so a bad
 * URL is reported with its line before any run starts. Reachability and loopback are
 * checked later, by the adapters, which resolve names.
 */

type BrokerField = NonNullable<Scenario['broker']>;
type FaultsField = NonNullable<Scenario['faults']>;

export function brokerSpec(broker: BrokerField | undefined): BrokerSpec {
  if (broker === undefined) return { kind: 'auto' };
  if (typeof broker === 'string') return broker === 'managed-mosquitto' ? { kind: broker, options: {} } : { kind: broker };
  if ('mosquitto' in broker) return { kind: 'managed-mosquitto', options: broker.mosquitto };
  return { kind: 'external', ...broker };
}

export function faultsSpec(faults: FaultsField | undefined): { kind: 'embedded' } | { kind: 'toxiproxy'; url: string } {
  return faults === undefined || faults === 'embedded' ? { kind: 'embedded' } : { kind: 'toxiproxy', url: faults.toxiproxy };
}

/** Why a broker URL will be refused, or undefined. */
export function brokerUrlProblem(url: string): string | undefined {
  try {
    parseBrokerUrl(url);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Why a Toxiproxy API URL will be refused, or undefined. */
export function toxiproxyUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL; expected http://host:port, e.g. http://127.0.0.1:8474`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `must be an http:// or https:// URL (got ${parsed.protocol}//)`;
  return undefined;
}

export function checkTargets(broker: BrokerField | undefined, faults: FaultsField | undefined, report: Report): void {
  if (typeof broker === 'object' && 'url' in broker) {
    const why = brokerUrlProblem(broker.url);
    if (why) report(['broker', 'url'], why);
  }
  if (typeof broker === 'object' && 'mosquitto' in broker) {
    for (const [name, value] of Object.entries(broker.mosquitto)) {
      try {
        validateMosquittoOptions({ [name]: value });
      } catch (err) {
        report(['broker', 'mosquitto', name], err instanceof Error ? err.message : String(err), { key: true });
      }
    }
  }
  if (typeof faults === 'object') {
    const why = toxiproxyUrlProblem(faults.toxiproxy);
    if (why) report(['faults', 'toxiproxy'], why);
  }
}
