import { isIP } from 'node:net';
import { HarnessError } from '../errors.js';
import { joinHostPort } from '../net/loopback.js';

export interface BrokerAddress {
  protocol: 'mqtt' | 'mqtts';
  /** Without brackets, as mqtt.js and net.connect take it. */
  host: string;
  port: number;
  /** Normalised mqtt(s)://host:port: tcp:// becomes mqtt://, the default port is spelled out. */
  url: string;
}

const SCHEMES: Record<string, { protocol: 'mqtt' | 'mqtts'; port: number }> = {
  'mqtt:': { protocol: 'mqtt', port: 1883 },
  'tcp:': { protocol: 'mqtt', port: 1883 },
  'mqtts:': { protocol: 'mqtts', port: 8883 },
};

/**
 * Parses mqtt://, tcp:// or mqtts://host[:port]. Credentials in the URL are refused, and the
 * message never repeats the URL, which would print them.
 */
export function parseBrokerUrl(text: string): BrokerAddress {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    const shown = text.replace(/\/\/[^/]*@/, '//***@');
    throw new HarnessError('E_USAGE', `broker URL '${shown}' is not a URL; expected mqtt://host:port`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new HarnessError(
      'E_USAGE',
      'broker URL contains credentials: put them in environment variables and name those (usernameEnv, passwordEnv)',
    );
  }
  const scheme = SCHEMES[parsed.protocol];
  if (!scheme) {
    throw new HarnessError('E_USAGE', `broker URL '${text}': scheme ${parsed.protocol}// is not supported; use mqtt://, mqtts:// or tcp://`);
  }
  if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '' || parsed.hash !== '') {
    throw new HarnessError('E_USAGE', `broker URL '${text}': a path or query has no meaning for MQTT over TCP`);
  }
  const bracketed = parsed.hostname.startsWith('[') && parsed.hostname.endsWith(']');
  const host = bracketed ? parsed.hostname.slice(1, -1) : parsed.hostname;
  if (host === '' || (bracketed && isIP(host) !== 6)) {
    throw new HarnessError('E_USAGE', `broker URL '${text}' names no host`);
  }
  const port = parsed.port === '' ? scheme.port : Number(parsed.port);
  return { protocol: scheme.protocol, host, port, url: `${scheme.protocol}://${joinHostPort(host, port)}` };
}
