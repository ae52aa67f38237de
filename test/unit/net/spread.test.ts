import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planSpread, sourceAddress } from '../../../src/net/spread.js';

const load = (ports: { upstream: number; load: number }[], upstream: number) =>
  ports.filter((p) => p.upstream === upstream).reduce((n, p) => n + p.load, 0);

describe('planSpread: no (source, destination) pair past connectionsPerPort', () => {
  it('a population within one pair gets one port of each', () => {
    const plan = planSpread({ proxied: [{ group: 'd', count: 10_000 }], direct: 10, faultServers: 1, perPort: 14_116, brokerCanListenMore: true });
    assert.deepEqual(plan.proxyPorts['d'], [{ server: 0, upstream: 0, load: 10_000 }]);
    assert.equal(plan.brokerPorts, 1);
    assert.equal(plan.sourceAddresses, 1);
  });

  it('50,000 proxied over 3 fault servers: listen ports per server, listeners for the upstreams', () => {
    const plan = planSpread({ proxied: [{ group: 'd', count: 50_000 }], direct: 0, faultServers: 3, perPort: 14_116, brokerCanListenMore: true });
    const ports = plan.proxyPorts['d']!;
    // 16,667 per server: 2 listen ports each, alternating servers so clients i, i+1 differ.
    assert.equal(ports.length, 6);
    assert.deepEqual(ports.map((p) => p.server), [0, 1, 2, 0, 1, 2]);
    assert.ok(ports.every((p) => p.load <= 14_116));
    // 50,000 / 14,116 rounds up to 4, but each proxy forwards to one listener: 8,334 each, two never fit one.
    assert.equal(plan.brokerPorts, 6);
    for (let u = 0; u < plan.brokerPorts; u++) assert.ok(load(ports, u) <= 14_116, `listener ${u}: ${load(ports, u)}`);
  });

  it('groups of different sizes share listeners without overfilling one', () => {
    const plan = planSpread({
      proxied: [{ group: 'a', count: 250 }, { group: 'b', count: 90 }, { group: 'c', count: 40 }],
      direct: 0,
      faultServers: 2,
      perPort: 100,
      brokerCanListenMore: true,
    });
    const all = Object.values(plan.proxyPorts).flat();
    for (let u = 0; u < plan.brokerPorts; u++) assert.ok(load(all, u) <= 100, `listener ${u}: ${load(all, u)}`);
    assert.ok(plan.brokerPorts >= 4);
  });

  it('direct clients spread over source addresses; a one-port broker is warned about', () => {
    const plan = planSpread({ proxied: [{ group: 'd', count: 300 }], direct: 252, faultServers: 1, perPort: 100, brokerCanListenMore: false });
    assert.equal(plan.sourceAddresses, 3);
    assert.deepEqual([0, 1, 2].map(sourceAddress), ['127.0.0.1', '127.0.0.2', '127.0.0.3']);
    assert.equal(plan.brokerPorts, 1);
    assert.match(plan.warnings[0] ?? '', /300 proxied connections to one broker port exceed 100/);
  });
});
