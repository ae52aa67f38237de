import type { BrokerTarget } from './types.js';

/**
 * What JSON.stringify shows of a target: everything a report may keep, read through
 * getters (pid changes on restart), and never the credentials.
 */
export function targetJson(target: BrokerTarget): object {
  const { kind, host, port, url, protocols, description, pid, version, software, logFile } = target;
  return { kind, host, port, url, protocols, description, pid, version, software, logFile };
}
