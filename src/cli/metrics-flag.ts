import { HarnessError } from '../errors.js';
import type { MetricsAddress } from '../metrics/live-server.js';
import { isLoopbackAddress, splitHostPort } from '../net/loopback.js';

/**
 * `--metrics HOST:PORT` as an address to listen on. Outside loopback only with
 * --allow-remote: the endpoint says what load runs against which broker.
 */
export function parseMetricsFlag(value: string, allowRemote: boolean): MetricsAddress {
  const flag = `--metrics ${value}`;
  const parts = splitHostPort(value);
  const port = Number(parts?.port);
  if (!parts || parts.host === '' || !/^\d{1,5}$/.test(parts.port) || port > 65535) {
    throw new HarnessError('E_USAGE', `${flag}: write HOST:PORT, e.g. --metrics 127.0.0.1:9464 (port 0: any free one)`);
  }
  if (!allowRemote && parts.host !== 'localhost' && !isLoopbackAddress(parts.host)) {
    throw new HarnessError('E_REMOTE_TARGET', `${flag}: ${parts.host} is not a loopback address; add --allow-remote to serve metrics beyond this machine`);
  }
  return { host: parts.host, port };
}
