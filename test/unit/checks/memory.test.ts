import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeRun } from '../../../src/checks/judge.js';
import { deriveMemory, memoryMetric } from '../../../src/checks/memory.js';
import type { MemoryRecord } from '../../../src/engine/memory-sampler.js';
import type { BrokerInfo, TimelineEvent } from '../../../src/result/timeline.js';
import type { RunRecord } from '../../../src/engine/run-record.js';
import type { PhasePlan } from '../../../src/scenario/plan.js';
import { expectation, groupPlan, NEVER } from './records.js';

/**
 * A capacity-shaped run built by hand: 1,000 devices and 2 publishers connect; "sessions";
 * devices drop; "offline"; 20 messages each are queued; "queued"; a wait; "after".
 * Phase i runs from 1000*i to 1000*i+900 ms (the wait, phase 7, from 7000 to 16900).
 */
const PHASES: PhasePlan[] = [
  { kind: 'connect', groups: [{ name: 'devices' }, { name: 'backend' }] },
  { kind: 'subscribe', groups: ['devices'] },
  { kind: 'measure', label: 'sessions', settleMs: 500 },
  { kind: 'disconnect', groups: ['devices'], mode: 'abrupt' },
  { kind: 'measure', label: 'offline', settleMs: 500 },
  { kind: 'publish', from: 'backend', to: 'devices', perTarget: 20, qos: 1, payloadBytes: 64 },
  { kind: 'measure', label: 'queued', settleMs: 500 },
  { kind: 'wait', durationMs: 9900 },
  { kind: 'measure', label: 'after', settleMs: 500 },
];

function timeline(): TimelineEvent[] {
  return PHASES.flatMap((_, phase): TimelineEvent[] => {
    const start = 1000 * phase + (phase > 7 ? 9000 : 0);
    const end = phase === 7 ? 16_900 : start + 900;
    return [
      { at: start, kind: 'phase-start', phase, label: `p${phase}` },
      { at: end, kind: 'phase-end', phase, label: `p${phase}` },
    ];
  });
}

interface Shape {
  protocol?: '3.1.1' | '5';
  expiry?: number;
  clean?: boolean;
  broker?: Partial<BrokerInfo>;
  /** heap readings at start, sessions, offline, queued, after, end */
  heap?: (number | null)[];
  phases?: PhasePlan[];
  points?: MemoryRecord['points'];
}

function record(s: Shape = {}): RunRecord {
  const protocol = s.protocol ?? '3.1.1';
  const expiry = s.expiry ?? (protocol === '3.1.1' ? NEVER : 3600);
  const heap = s.heap ?? [1_000_000, 2_002_000, 2_000_000, 10_000_000, 10_000_000, 10_000_000];
  const labels = ['start', 'sessions', 'offline', 'queued', 'after', 'end'];
  const at = [500, 2900, 4900, 6900, 17_900, 18_000];
  const phase = [undefined, 2, 4, 6, 8, undefined];
  const points =
    s.points ??
    labels.map((label, i) => ({ label, at: at[i]!, ...(phase[i] !== undefined ? { phase: phase[i] } : {}), values: { 'sys-heap': heap[i] ?? null, rss: null } }));
  const samples: MemoryRecord['samples'] = heap.flatMap((bytes, i) => (bytes === null ? [] : [[at[i]!, bytes, 'sys-heap'] as [number, number, string]]));
  return {
    run: {
      id: protocol,
      label: protocol,
      protocol,
      groups: [
        groupPlan({ name: 'devices', role: 'subscriber', count: 1000, clean: s.clean ?? false, sessionExpiry: s.clean ? 0 : expiry, via: 'direct' }),
        groupPlan({ name: 'backend', role: 'publisher', count: 2, clean: true, sessionExpiry: 0 }),
      ],
      phases: s.phases ?? PHASES,
      expect: [],
      notes: [],
    },
    broker: { kind: 'managed-mosquitto', url: 'mqtt://127.0.0.1:1883', description: 'test', software: 'mosquitto', options: {}, ...s.broker },
    startedAt: 0,
    endedAt: 18_000,
    startedAtIso: '2025-01-01T00:00:00.000Z',
    timeline: timeline(),
    ledgers: [],
    memory: {
      intervalMs: 500,
      probes: [
        { name: 'sys-heap', source: '$SYS/broker/heap/current', samples: samples.length, gaps: 0 },
        { name: 'rss', source: 'VmRSS', samples: 0, gaps: 0, reason: 'process 9 is gone' },
      ],
      samples,
      points,
      notes: [],
    },
  };
}

describe('memory figures', () => {
  it('per session from the connect stretch, per queued message from the offline publish, kept under 3.1.1', () => {
    const m = deriveMemory(record())!;
    const heap = m.figures['sys-heap']!;
    assert.equal(m.sessions, 1002);
    assert.equal(heap.baseline, 1_000_000);
    assert.equal(heap.perSession, 1000, '(2,002,000 - 1,000,000) / 1,002 clients');
    assert.equal(m.queuedMessages, 20_000);
    assert.equal(heap.perQueuedMessage, 400, '(10,000,000 - 2,000,000) / 20,000 messages, from "offline", not "sessions"');
    assert.equal(heap.reclaimedAfterExpiry, 0);
    assert.equal(heap.peak, 10_000_000);
    assert.equal(heap.end, 10_000_000);
    assert.match(m.basis.perSession, /\("sessions" - "start"\) \/ 1,002 clients connected \(devices, backend\)/);
    assert.match(m.basis.perQueuedMessage, /\/ 20,000 queued messages \(20 each for 1,000 offline devices in phase 6\)$/);
    assert.match(m.basis.reclaimedAfterExpiry, /devices: CleanSession=0, never expires/);
    assert.equal(m.metricsFrom, 'sys-heap', 'the first probe with readings; rss had none');
    assert.equal(memoryMetric(m, 'perSession'), 1000);
  });

  it('an unavailable probe has null figures, never zeros, and its reason', () => {
    const m = deriveMemory(record())!;
    assert.deepEqual(Object.values(m.figures.rss!), [null, null, null, null, null, null, null, null]);
    assert.deepEqual(m.probes.find((p) => p.name === 'rss'), { name: 'rss', source: 'VmRSS', samples: 0, gaps: 0, reason: 'process 9 is gone', available: false });
  });

  it('v5 with a short expiry: the wait gives the memory back, and the basis says the sessions had expired', () => {
    const heap = [1_000_000, 2_002_000, 2_000_000, 10_000_000, 1_450_000, 1_450_000];
    const m = deriveMemory(record({ protocol: '5', expiry: 5, heap }))!;
    assert.equal(m.figures['sys-heap']!.reclaimedAfterExpiry, 0.95, '(10 MB - 1.45 MB) / (10 MB - 1 MB)');
    assert.match(m.basis.reclaimedAfterExpiry, /devices: expiry 5 s, offline 14 s at "after"$/);
  });

  it('a v5 expiry shorter than the time to the "queued" reading: no per-message figure, and why', () => {
    const m = deriveMemory(record({ protocol: '5', expiry: 2 }))!;
    assert.equal(m.figures['sys-heap']!.perQueuedMessage, null);
    assert.match(m.basis.perQueuedMessage, /^not derived: devices's sessions \(expiry 2 s\) may have expired before "queued"/);
    assert.match(m.basis.reclaimedAfterExpiry, /\(may not have expired yet\)|offline/);
  });

  it('Mosquitto max_queued_messages caps what is queued; v5 expiry 0 and clean sessions queue nothing', () => {
    const capped = deriveMemory(record({ broker: { options: { max_queued_messages: 5 } } }))!;
    assert.equal(capped.queuedMessages, 5000);
    assert.match(capped.basis.perQueuedMessage, /5 each for 1,000 offline devices in phase 6, capped by max_queued_messages 5/);
    const noExpiry = deriveMemory(record({ protocol: '5', expiry: 0 }))!;
    assert.equal(noExpiry.figures['sys-heap']!.perQueuedMessage, null);
    assert.match(noExpiry.basis.perQueuedMessage, /^not derived: nothing was queued \(0 in phase 6 \(devices: no session outlives the disconnect\)\)$/);
  });

  it('an external Mosquitto: its max_queued_messages is unknown, so the basis says the default 1000 was assumed', () => {
    const external = deriveMemory(record({ broker: { kind: 'external', description: 'a Mosquitto started by hand' } }))!;
    assert.match(external.basis.perQueuedMessage, /20 each for 1,000 offline devices in phase 6\); assumes Mosquitto's default max_queued_messages 1000 \(this broker's config is not known: a lower limit queues fewer, and the figure comes out too low\)$/);
    const managed = deriveMemory(record())!;
    assert.doesNotMatch(managed.basis.perQueuedMessage, /assumes/);
  });

  it('without measure phases only baseline, peak and end, and each figure says what is missing', () => {
    const points = [
      { label: 'start', at: 500, values: { 'sys-heap': 1000, rss: null } },
      { label: 'end', at: 9000, values: { 'sys-heap': 5000, rss: null } },
    ];
    const m = deriveMemory(record({ points, heap: [1000, 7000, 5000] }))!;
    const heap = m.figures['sys-heap']!;
    assert.deepEqual([heap.baseline, heap.peak, heap.end, heap.perSession, heap.perQueuedMessage, heap.reclaimedAfterExpiry], [1000, 7000, 5000, null, null, null]);
    assert.match(m.basis.perSession, /^not derived: no measure phase right after the connect phase/);
    assert.match(m.basis.perQueuedMessage, /^not derived: no measure phase right after a publish to offline/);
    assert.match(m.basis.reclaimedAfterExpiry, /^not derived: no measure phase after a wait/);
  });

  it('a publish that also holds the disconnect says the delta includes it', () => {
    const phases = PHASES.filter((p) => !(p.kind === 'measure' && p.label === 'offline'));
    const points = record().memory!.points.filter((p) => p.label !== 'offline').map((p) => ({ ...p, ...(p.phase !== undefined && p.phase > 4 ? { phase: p.phase - 1 } : {}) }));
    const m = deriveMemory(record({ phases, points }))!;
    assert.equal(m.figures['sys-heap']!.perQueuedMessage, Math.round((10_000_000 - 2_002_000) / 20_000));
    assert.match(m.basis.perQueuedMessage, /the delta includes phase 4 \(disconnect\/fault\)/);
  });

  it('judged: result.memory is there, times from the run start, and memory expectations read the figures', () => {
    const r = record();
    r.run.expect = [expectation('memory.perSession <= 1KB'), expectation('memory.perQueuedMessage < 300B'), expectation('memory.reclaimedAfterExpiry >= 80%')];
    const result = judgeRun(r);
    assert.equal(result.memory?.points[0]?.t, 500);
    const byName = new Map(result.checks.map((c) => [c.name, c]));
    assert.equal(byName.get('memory.perSession <= 1KB')?.passed, true);
    assert.equal(byName.get('memory.perQueuedMessage < 300B')?.passed, false);
    assert.equal(byName.get('memory.reclaimedAfterExpiry >= 80%')?.passed, false);
    // Sizes read as sizes, not as a long run of digits.
    assert.match(byName.get('memory.perQueuedMessage < 300B')?.explanation ?? '', /^memory\.perQueuedMessage was 400 B, needs < 300 B$/);
  });

  it('large sizes in explanations are scaled: KB, MB', () => {
    const r = record();
    r.run.expect = [expectation('memory.peak <= 5MB')];
    const check = judgeRun(r).checks.find((c) => c.name === 'memory.peak <= 5MB')!;
    assert.match(check.explanation, /^memory\.peak was \d+(\.\d+)? MB, needs <= 5 MB$/);
  });

  it('memory thresholds parse with byte units and percentages', () => {
    assert.equal(expectation('memory.perSession <= 4KB').value, 4000);
    assert.equal(expectation('memory.peak <= 512MB').value, 512_000_000);
    assert.equal(expectation('memory.perQueuedMessage < 1KiB').value, 1024);
    assert.equal(expectation('memory.reclaimedAfterExpiry >= 80%').value, 0.8);
  });

  it('an expectation on memory with no probe passes vacuously (as every metric without samples) and says why', () => {
    const r = record();
    r.memory = { intervalMs: 500, probes: [{ name: 'prometheus', source: 'x', samples: 0, gaps: 0, reason: 'http://127.0.0.1:1/ did not answer' }], samples: [], points: [], notes: [] };
    r.run.expect = [expectation('memory.peak <= 512MB')];
    const check = judgeRun(r).checks.find((c) => c.name === 'memory.peak <= 512MB')!;
    assert.equal(check.actual, null);
    assert.match(check.explanation, /^memory\.peak has no value in this run: no probe had a reading \(prometheus: http:\/\/127\.0\.0\.1:1\/ did not answer\)/);
  });
});
