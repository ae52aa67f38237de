import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseProbes } from '../../../src/brokers/memory-probes.js';
import type { BrokerTarget } from '../../../src/brokers/types.js';
import type { MemoryPlan } from '../../../src/scenario/plan.js';

function target(over: Partial<BrokerTarget>): BrokerTarget {
  return { kind: 'external', host: '127.0.0.1', port: 1883, url: 'mqtt://127.0.0.1:1883', protocols: ['3.1.1', '5'], description: 't', stop: async () => {}, ...over };
}

const AUTO: MemoryPlan = { probes: 'auto', intervalMs: 500, settleMs: 3000 };
const names = (plan: MemoryPlan, t: BrokerTarget) => chooseProbes(plan, t, { allowRemote: false }).probes.map((p) => p.name);

describe('choosing memory probes', () => {
  it('auto: $SYS heap and RSS for a managed Mosquitto, the heap for another Mosquitto, none otherwise — with a note', () => {
    assert.deepEqual(names(AUTO, target({ kind: 'managed-mosquitto', software: 'mosquitto', pid: 10 })), ['sys-heap', 'rss']);
    const external = chooseProbes(AUTO, target({ software: 'mosquitto' }), { allowRemote: false });
    assert.deepEqual(external.probes.map((p) => p.name), ['sys-heap']);
    assert.match(external.notes[0]!, /^external Mosquitto: \$SYS heap only, published every sys_interval/);
    const aedes = chooseProbes(AUTO, target({ kind: 'embedded-aedes', software: 'aedes', pid: 11 }), { allowRemote: false });
    assert.deepEqual(aedes.probes, []);
    assert.match(aedes.notes[0]!, /^embedded Aedes: no automatic memory probe/);
    const other = chooseProbes(AUTO, target({ software: 'unknown' }), { allowRemote: false });
    assert.deepEqual(other.probes, []);
    assert.match(other.notes[0]!, /name one in memory\.probes/);
  });

  it('explicit: the scenario order, duplicates renamed, and a probe that cannot work says why at once', async () => {
    const plan: MemoryPlan = { ...AUTO, probes: [{ kind: 'rss' }, { kind: 'sys-heap' }, { kind: 'prometheus', url: 'http://127.0.0.1:9/m', metric: 'm', labels: {} }, { kind: 'prometheus', url: 'http://127.0.0.1:9/n', metric: 'n', labels: {} }] };
    const { probes } = chooseProbes(plan, target({ kind: 'embedded-aedes', software: 'aedes', pid: 11 }), { allowRemote: false });
    assert.deepEqual(probes.map((p) => p.name), ['rss', 'sys-heap', 'prometheus', 'prometheus-2']);
    assert.match(probes[1]!.unavailable ?? '', /^Aedes does not publish \$SYS\/broker\/heap\/current/);
    const rssOnExternal = chooseProbes({ ...AUTO, probes: [{ kind: 'rss' }] }, target({ software: 'mosquitto' }), { allowRemote: false }).probes[0]!;
    await rssOnExternal.start();
    assert.equal(await rssOnExternal.sample(), undefined);
    assert.match(rssOnExternal.unavailable ?? '', /^the harness did not start this broker, so it knows no pid: give \{ rss: \{ pid \} \} or \{ rss: \{ process \} \}$/);
  });
});
