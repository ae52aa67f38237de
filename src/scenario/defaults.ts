import { BANDWIDTH_PATTERN, DURATION_PATTERN, RATE_PATTERN } from './units.js';

/** Defaults, shared by the schema's `default` annotations and by expansion. */
export const DEFAULTS = {
  seed: 1,
  protocols: ['3.1.1', '5'],
  // {run} keeps runs apart: a v3.1.1 CleanSession=0 session never expires, so the v5 run
  // would otherwise resume it and receive what was queued for the v3.1.1 run. {invocation}
  // does the same for the next `mqtt-chaos run` against a broker that outlives this one.
  clientId: '{group}-{run}-{i}-{invocation}',
  clean: true,
  expiry: 0,
  keepAlive: '30s',
  qos: 1,
  via: 'proxy',
  reconnectBackoff: 'exponential',
  reconnectDelay: '1s',
  reconnectJitter: '1s',
  reconnectMax: '5s',
  payloadBytes: 64,
  drainTimeout: '30s',
  disconnectMode: 'graceful',
  toxicStream: 'downstream',
  faultStream: 'both',
  brokerDown: '1s',
  takeoverCloseWithin: '5s',
  toxicity: 1,
  memoryProbes: 'auto',
  memoryInterval: '500ms',
  memorySettle: '3s',
  expiryProbeShare: '20%',
  expiryNeverAfter: '10s',
  expiryMaxWait: '10m',
  expirySpread: '2s',
} as const;

/** Patterns with the words error messages use for them. */
export const PATTERNS = {
  name: { source: '^[a-z0-9][a-z0-9-]*$', says: 'lowercase letters, digits and "-"' },
  groupName: { source: '^[a-z][a-z0-9-]*$', says: 'a lowercase letter, then lowercase letters, digits or "-"' },
  runId: { source: '^[a-z0-9][a-z0-9.-]*$', says: 'lowercase letters, digits, "." and "-"' },
  duration: { source: DURATION_PATTERN, says: 'a duration with a unit, e.g. 250ms, 2s, 1.5m' },
  rate: { source: RATE_PATTERN, says: 'a rate above zero, e.g. 500/s or 30/m' },
  bandwidth: { source: BANDWIDTH_PATTERN, says: 'a bandwidth, e.g. 100KB/s or 2MB/s' },
  httpUrl: { source: '^https?://', says: 'an http:// or https:// URL' },
  promMetric: { source: '^[a-zA-Z_:][a-zA-Z0-9_:]*$', says: 'a Prometheus metric name (letters, digits, "_" and ":")' },
  percent: { source: '^[0-9]+(\\.[0-9]+)?%$', says: 'a percentage, e.g. 50%' },
  offset: { source: `^-?${DURATION_PATTERN.slice(1)}`, says: 'a duration with a unit, negative allowed, e.g. -1s or 2s' },
  // MQTT 5 §4.8.2: a ShareName holds no "/", "+" or "#"; kept to what every broker takes.
  shareName: { source: '^[A-Za-z0-9_-]+$', says: 'letters, digits, "_" and "-" (no "/", "+" or "#")' },
} as const;
