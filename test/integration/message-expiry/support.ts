/**
 * Shared by the Message Expiry tests: a real Mosquitto (with the lying MITM in front of it
 * when a test names lies), and a small cut-and-drain scenario whose publish phases give
 * their messages lifetimes. Ten subscribers at QoS 1 with sessions that outlive the cut;
 * two publishers; every publish phase sends `perTarget` messages to each subscriber while it
 * is cut off, then `away` passes before the heal. The lifetimes chosen stay clear of the
 * boundaries the checks leave unjudged, so every count is exact.
 */
import assert from 'node:assert/strict';
import type { RunResult } from '../../../src/result/result.js';
import type { MessageExpiryResult } from '../../../src/result/message-expiry.js';
import { startMosquitto } from '../../helpers/brokers.js';
import type { Lie } from '../../helpers/mitm/server.js';
import { Mitm } from '../../helpers/mitm/server.js';
import type { Teardown } from '../../helpers/teardown.js';
import { describeRun, mosquittoBinary, planFrom, runPlan, tempDir, type Ran } from '../run/support.js';

export { needsMosquitto } from '../run/support.js';

export const SUBSCRIBERS = 10;
export const PER_TARGET = 5;

export interface ExpiryShape {
  name: string;
  protocols: readonly ('3.1.1' | '5')[];
  /** One publish phase per entry: its messageExpiry, e.g. "2s". */
  lifetimes: readonly string[];
  /** The wait between the last publish and the heal, e.g. "4s". */
  away: string;
  /** A wait between the heal and the drain (the drain ends after a quiet spell, shorter than a lie's hold). */
  afterHeal?: string;
}

export function scenario(s: ExpiryShape, brokerUrl: string): string {
  return [
    `name: expiry-${s.name}`,
    `broker: { url: "${brokerUrl}" }`,
    'faults: embedded',
    `protocols: [${s.protocols.map((p) => `"${p}"`).join(', ')}]`,
    'groups:',
    '  devices:',
    `    count: ${SUBSCRIBERS}`,
    '    role: subscriber',
    '    clientId: "dev-{run}-{i}"',
    '    session: { clean: false, expiry: 3600 }',
    '    qos: 1',
    '    topic: "expiry/{run}/{i}"',
    '    reconnect: { delay: 200ms, jitter: 100ms }',
    '  backend:',
    '    count: 2',
    '    role: publisher',
    '    via: direct',
    'phases:',
    '  - connect: {}',
    '  - subscribe: {}',
    '  - wait: 500ms',
    '  - fault: { kind: cut, groups: [devices] }',
    '  - wait: 500ms',
    ...s.lifetimes.map((l) => `  - publish: { from: backend, to: devices, perTarget: ${PER_TARGET}, qos: 1, messageExpiry: ${l} }`),
    `  - wait: ${s.away}`,
    '  - heal: {}',
    ...(s.afterHeal ? [`  - wait: ${s.afterHeal}`] : []),
    '  - drain: { timeout: 20s }',
    '',
  ].join('\n');
}

export interface ExpiryRun extends Ran {
  mitm?: Mitm;
}

/** Mosquitto, the MITM in front of it when there are lies, and the scenario run against them. */
export async function runExpiry(td: Teardown, shape: ExpiryShape, lies: readonly Lie[] = []): Promise<ExpiryRun> {
  assert.ok(mosquittoBinary, 'mosquitto is installed');
  const broker = await startMosquitto(td, mosquittoBinary);
  const mitm = lies.length > 0 ? await Mitm.start(td, { host: '127.0.0.1', port: broker.port }, lies) : undefined;
  const url = mitm ? mitm.url : `mqtt://127.0.0.1:${broker.port}`;
  const dir = await tempDir(td, `expiry-${shape.name}`);
  const ran = await runPlan(td, await planFrom(dir, scenario(shape, url)), dir);
  return mitm ? { ...ran, mitm } : ran;
}

/** A MessageExpiryResult's classes and interval verdicts (examples and resolution left out). */
export type Classes = Omit<MessageExpiryResult, 'examples' | 'resolution' | 'worstLateMs' | 'forwarded'>;

export function classes(n: Partial<Omit<Classes, 'interval'>> & { sent: number; interval?: Partial<Classes['interval']> }): Classes {
  return {
    deliveredInTime: 0, expiredInQueue: 0, deliveredExpired: 0, lost: 0, notJudged: 0,
    ...n,
    interval: { reduced: 0, notReduced: 0, wrong: 0, missing: 0, notJudged: 0, ...n.interval },
  };
}

export function classesOf(run: RunResult): Classes | undefined {
  if (!run.messageExpiry) return undefined;
  const { examples: _e, resolution: _r, worstLateMs: _w, forwarded: _f, ...rest } = run.messageExpiry;
  return rest;
}

/** Run complete, nothing malformed, everyone back; the failed checks are exactly `failed`. */
export function assertClean(ran: Ran, run: RunResult, failed: readonly string[]): void {
  const why = describeRun(run, ran.log);
  assert.equal(run.incomplete, undefined, why);
  assert.deepEqual(run.shortfalls, [], `shortfalls\n${why}`);
  assert.equal(run.malformed, 0, why);
  assert.equal(run.reconnect.notReconnected, 0, why);
  assert.deepEqual(run.checks.filter((c) => !c.passed).map((c) => c.name), failed, `failed checks\n${why}`);
  assert.equal(run.verdict, failed.length > 0 ? 'fail' : 'pass', why);
}
