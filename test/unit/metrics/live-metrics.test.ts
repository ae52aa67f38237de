import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { LiveMetrics } from '../../../src/metrics/live-metrics.js';
import type { ProgressEvent } from '../../../src/engine/run-progress.js';
import type { Result } from '../../../src/result/result.js';
import { loadScenario } from '../../../src/scenario/index.js';
import type { GroupStatus } from '../../../src/workers/protocol.js';
import { parseMetrics, sample } from '../../helpers/scrape.js';

const FILE = fileURLToPath(new URL('../../../../test/fixtures/live-metrics/scrape.yaml', import.meta.url));
const run = { scenario: 'live-metrics', run: '5' };

function fresh(): LiveMetrics {
  const live = new LiveMetrics();
  live.plan(loadScenario(FILE, {}).plan);
  return live;
}

const read = async (live: LiveMetrics) => parseMetrics(await live.registry.metrics());

const group = (g: Partial<GroupStatus>): GroupStatus => ({ connected: 0, sent: 0, settled: 0, sentTo: 0, received: 0, reconnects: 0, ...g });
const status = (groups: Record<string, GroupStatus>): ProgressEvent => ({ type: 'status', run: '5', phase: 2, clients: 22, connected: 0, subscribed: 0, sent: 0, received: 0, groups });
const phase = (index: number, kind: 'fault' | 'heal' | 'publish', extra: { fault?: string; groups?: string[] } = {}): ProgressEvent => ({
  type: 'phase-start',
  run: '5',
  phase: index,
  phases: 7,
  kind,
  label: kind,
  estimateMs: null,
  ...extra,
});

describe('LiveMetrics', () => {
  it('serves the planned runs at zero before they start, marked unsettled', async () => {
    const m = await read(fresh());
    assert.equal(sample(m, 'mqtt_chaos_run_info', { ...run, protocol: '5' }), 1);
    assert.equal(sample(m, 'mqtt_chaos_clients', { ...run, group: 'devices' }), 20);
    assert.equal(sample(m, 'mqtt_chaos_clients', { ...run, group: 'backend' }), 2);
    assert.equal(sample(m, 'mqtt_chaos_run_settled', run), 0);
    assert.equal(sample(m, 'mqtt_chaos_phase', run), 0);
  });

  it('turns cumulative status totals into counters, and missing / in flight into gauges', async () => {
    const live = fresh();
    live.note(status({ backend: group({ sent: 100, settled: 90 }), devices: group({ connected: 20, sentTo: 100, received: 70, reconnects: 3 }) }));
    live.note(status({ backend: group({ sent: 250, settled: 250 }), devices: group({ connected: 18, sentTo: 250, received: 240, reconnects: 5 }) }));
    const m = await read(live);
    assert.equal(sample(m, 'mqtt_chaos_messages_sent_total', { ...run, group: 'backend' }), 250);
    assert.equal(sample(m, 'mqtt_chaos_messages_delivered_total', { ...run, group: 'devices' }), 240);
    assert.equal(sample(m, 'mqtt_chaos_reconnects_total', { ...run, group: 'devices' }), 5);
    assert.equal(sample(m, 'mqtt_chaos_messages_provisionally_missing', { ...run, group: 'devices' }), 10);
    assert.equal(sample(m, 'mqtt_chaos_messages_in_flight', { ...run, group: 'backend' }), 0);
    assert.equal(sample(m, 'mqtt_chaos_clients_connected', { ...run, group: 'devices' }), 18);
    const help = m.find((f) => f.name === 'mqtt_chaos_messages_delivered_total')?.help ?? '';
    assert.match(help, /Provisional/);
  });

  it('keeps a proxy fault on until every group it holds is healed; a broker restart for its phase only', async () => {
    const live = fresh();
    const cut = { ...run, fault: 'cut' };
    live.note(phase(3, 'fault', { fault: 'cut', groups: ['devices', 'backend'] }));
    assert.equal(sample(await read(live), 'mqtt_chaos_fault_active', cut), 1);
    assert.equal(sample(await read(live), 'mqtt_chaos_phase_info', { ...run, phase: '4', kind: 'fault' }), 1);
    live.note(phase(4, 'heal', { groups: ['devices'] }));
    assert.equal(sample(await read(live), 'mqtt_chaos_fault_active', cut), 1, 'backend still cut');
    assert.equal(sample(await read(live), 'mqtt_chaos_phase_info', { ...run, phase: '4', kind: 'fault' }), undefined, 'the earlier phase is no longer current');
    live.note(phase(5, 'heal', { groups: ['backend'] }));
    assert.equal(sample(await read(live), 'mqtt_chaos_fault_active', cut), 0);
    const restart = { ...run, fault: 'broker-restart' };
    live.note(phase(6, 'fault', { fault: 'broker-restart', groups: [] }));
    assert.equal(sample(await read(live), 'mqtt_chaos_fault_active', restart), 1);
    live.note({ type: 'phase-end', run: '5', phase: 6, phases: 7, label: 'restart', tookMs: 10 });
    assert.equal(sample(await read(live), 'mqtt_chaos_fault_active', restart), 0);
  });

  it('ends every fault at run end; serves memory samples by probe', async () => {
    const live = fresh();
    live.note(phase(3, 'fault', { fault: 'latency', groups: ['devices'] }));
    live.note({ type: 'memory', run: '5', probe: 'rss', bytes: 8_000_000 });
    live.note({ type: 'run-end', run: '5', tookMs: 1000 });
    const m = await read(live);
    assert.equal(sample(m, 'mqtt_chaos_fault_active', { ...run, fault: 'latency' }), 0);
    assert.equal(sample(m, 'mqtt_chaos_broker_memory_bytes', { ...run, probe: 'rss' }), 8_000_000);
    assert.equal(sample(m, 'mqtt_chaos_run_running', run), 0);
  });

  it('settles from result.json: its redelivery figures and verdict, for its own scenario only', async () => {
    const live = fresh();
    const redelivery = { expected: 800, delivered: 790, lost: 10, duplicates: 2, unexpected: 0, notReturned: 0, refused: 0, unacknowledged: 0 };
    const result = { scenario: { name: 'other', file: 'x' }, runs: [{ id: '5', verdict: 'fail', redelivery }] } as unknown as Result;
    live.settle(result);
    assert.equal(sample(await read(live), 'mqtt_chaos_run_settled', run), 0, 'another scenario with a run of the same id');
    live.settle({ ...result, scenario: { name: 'live-metrics', file: FILE } });
    const m = await read(live);
    assert.equal(sample(m, 'mqtt_chaos_run_settled', run), 1);
    assert.equal(sample(m, 'mqtt_chaos_result_messages', { ...run, outcome: 'lost' }), 10);
    assert.equal(sample(m, 'mqtt_chaos_result_messages', { ...run, outcome: 'delivered' }), 790);
    assert.equal(sample(m, 'mqtt_chaos_result_verdict', { ...run, verdict: 'fail' }), 1);
  });
});
