/**
 * A small reconnect storm through the engine: 300 persistent sessions cut at once while
 * each is sent 3 messages, then healed. With exponential backoff and full jitter the
 * reconnects after the heal are spread over the backoff cap, not a lockstep (asserted on
 * the recorded attempt times' spread, not on speed), and every message is accounted for.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTeardown } from '../../helpers/teardown.js';
import { describeRun, needsMosquitto, planFrom, runPlan, tempDir } from '../run/support.js';

const DEVICES = 300;
const MAX_MS = 2000;

const SCENARIO = `
name: storm-small
broker: managed-mosquitto
faults: embedded
protocols: ["5"]
groups:
  devices:
    count: ${DEVICES}
    role: subscriber
    session: { clean: false, expiry: 600 }
    topic: "storm/{run}/{i}"
    reconnect: { backoff: exponential, delay: 250ms, max: ${MAX_MS}ms }
  backend:
    count: 2
    role: publisher
    via: direct
phases:
  - connect: {}
  - subscribe: {}
  - fault: { kind: cut, groups: [devices] }
  - wait: 3s
  - publish: { from: backend, to: devices, perTarget: 3, qos: 1 }
  - heal: {}
  - drain: { timeout: 30s }
`;

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

describe('reconnect storm: jittered, not lockstep', { skip: needsMosquitto }, () => {
  it(`${DEVICES} sessions cut at once and healed reconnect spread over the backoff cap; nothing lost`, async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'storm');
    const ran = await runPlan(td, await planFrom(dir, SCENARIO), dir);
    const run = ran.result.runs[0]!;
    const why = describeRun(run, ran.log);
    assert.equal(run.incomplete, undefined, why);

    const record = ran.outcome.records[0]!;
    const cutAt = record.timeline.find((e) => e.kind === 'fault-start')?.at;
    const healAt = record.timeline.find((e) => e.kind === 'fault-stop')?.at;
    assert.ok(cutAt !== undefined && healAt !== undefined, 'the cut and the heal are on the timeline');
    const devices = record.ledgers.flatMap((l) => l.clients).filter((c) => c.ref.startsWith('devices/'));
    assert.equal(devices.length, DEVICES);
    // When each device started the attempt that brought it back, relative to the heal (the
    // heal is stamped once the proxies are enabled again: the quickest may come slightly before).
    const starts = devices
      .map((c) => c.attempts.find((a) => a.connackAt !== undefined && a.connackAt > cutAt)?.startedAt)
      .filter((s): s is number => s !== undefined)
      .map((s) => s - healAt)
      .sort((a, b) => a - b);
    assert.equal(starts.length, DEVICES, 'every device reconnected');
    // Full jitter over a 2 s cap spreads them over most of it; a lockstep puts them within a few ms.
    const spread = quantile(starts, 0.9) - quantile(starts, 0.1);
    assert.ok(spread >= MAX_MS / 4, `10th to 90th percentile of reconnect starts: ${Math.round(spread)} ms`);
    // A twentieth of the cap holds about a twentieth of them; a lockstep puts all in one. Half
    // leaves room for a loaded machine's timers firing late together.
    const window = MAX_MS / 20;
    const perWindow = new Map<number, number>();
    for (const s of starts) perWindow.set(Math.floor(s / window), (perWindow.get(Math.floor(s / window)) ?? 0) + 1);
    const busiest = Math.max(...perWindow.values());
    assert.ok(busiest < DEVICES / 2, `fewer than half in one ${window} ms window: ${busiest}`);

    const r = run.redelivery;
    assert.equal(r.expected, DEVICES * 3, why);
    assert.equal(r.delivered, r.expected, `every message accounted for\n${why}`);
    assert.equal(r.lost, 0, why);
    assert.ok(run.reconnect.time && run.reconnect.time.p99 > 0, why);
  });
});
