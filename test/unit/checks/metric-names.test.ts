import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMetricName, METRICS } from '../../../src/checks/metric-names.js';

describe('metric catalog', () => {
  it('has the redelivery counts, latency distributions and connect failures', () => {
    const counts = ['expected', 'delivered', 'lost', 'duplicates', 'outOfOrder', 'unexpected', 'qos0Kept', 'qos2Duplicates'];
    for (const name of [...counts, 'indeterminate', 'expiredWithSession', 'offline', 'offlineDelivered']) {
      assert.equal(METRICS[`redelivery.${name}` as keyof typeof METRICS].kind, 'count', name);
    }
    for (const prefix of ['redelivery.latency', 'latency.e2e', 'reconnect.time']) {
      for (const stat of ['p50', 'p90', 'p99', 'max']) assert.ok(isMetricName(`${prefix}.${stat}`), `${prefix}.${stat}`);
    }
    assert.equal(METRICS['redelivery.drainTime'].kind, 'duration');
    assert.equal(METRICS['connect.failed'].kind, 'count');
    assert.equal(METRICS['reconnect.missing'].kind, 'count');
    for (const name of ['peak', 'perSession', 'perQueuedMessage', 'end']) assert.equal(METRICS[`memory.${name}` as keyof typeof METRICS].kind, 'bytes', name);
    assert.equal(METRICS['memory.reclaimedAfterExpiry'].kind, 'ratio');
    for (const name of ['redelivery.drainRate', 'redelivery.inflight.max', 'redelivery.inflight.overCap'] as const) assert.equal(METRICS[name].kind, 'count', name);
    for (const name of ['expected', 'delivered', 'lost', 'endedWithMember', 'crossMember', 'deliveredOnReturn', 'qos2Duplicates']) {
      assert.equal(METRICS[`shared.${name}` as keyof typeof METRICS].kind, 'count', name);
    }
        for (const stat of ['p50', 'p90', 'p99', 'max']) assert.equal(METRICS[`redelivery.age.${stat}` as keyof typeof METRICS].kind, 'duration', stat);
    for (const name of ['deliveredInTime', 'expiredInQueue', 'deliveredExpired', 'intervalNotReduced']) assert.equal(METRICS[`messageExpiry.${name}` as keyof typeof METRICS].kind, 'count', name);
    assert.equal(Object.keys(METRICS).length, 56);
  });

  it('every entry has a one-line description', () => {
    for (const [name, info] of Object.entries(METRICS)) assert.match(info.description, /^[^\n]{10,}$/, name);
  });

  it('does not take inherited names', () => {
    assert.equal(isMetricName('toString'), false);
  });
});
