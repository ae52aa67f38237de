/**
 * Shared by the takeover tests: a scenario in which subscriber groups lose their upstream
 * path (a `takeover` fault) while messages are sent to them, then connect again straight
 * to the broker at the heal; run through the engine as `mqtt-chaos run` does, against a
 * managed Mosquitto or the lying MITM in front of one.
 */
import assert from 'node:assert/strict';
import type { ClientLog } from '../../../src/metrics/ledger.js';
import type { RunResult } from '../../../src/result/result.js';
import { startMosquitto } from '../../helpers/brokers.js';
import { Mitm, type Lie } from '../../helpers/mitm/server.js';
import type { Teardown } from '../../helpers/teardown.js';
import { describeRun, mosquittoBinary, planFrom, runPlan, tempDir, type Ran } from '../run/support.js';

export { mosquittoBinary, needsMosquitto } from '../run/support.js';

export interface TakeoverGroup {
  name: string;
  count: number;
  qos: 1 | 2;
  session: string;
}

export interface TakeoverShape {
  name: string;
  broker: string;
  protocols: readonly ('3.1.1' | '5')[];
  groups: readonly TakeoverGroup[];
  /** Messages per subscriber before the fault, and while its old path is silent. */
  online: number;
  window: number;
  closeWithin?: string;
  /** Subscribers' keep-alive (default the harness's), and the pause after the window's publish (default 500ms). */
  keepAlive?: string;
  windowWait?: string;
}

/** Every boundary at least 500 ms from a message (the checks leave 250 ms around one unjudged). */
export function takeoverScenario(s: TakeoverShape): string {
  const names = s.groups.map((g) => g.name).join(', ');
  const publish = (n: number) => s.groups.map((g) => `  - publish: { from: backend, to: ${g.name}, perTarget: ${n}, qos: ${g.qos} }`);
  return [
    `name: takeover-${s.name}`,
    `broker: ${s.broker}`,
    'faults: embedded',
    `protocols: [${s.protocols.map((p) => `"${p}"`).join(', ')}]`,
    'groups:',
    ...s.groups.flatMap((g) => [
      `  ${g.name}:`,
      `    count: ${g.count}`,
      '    role: subscriber',
      `    clientId: "${g.name}-{run}-{i}"`,
      `    session: ${g.session}`,
      `    qos: ${g.qos}`,
      `    topic: "tk/{run}/${g.name}/{i}"`,
      ...(s.keepAlive ? [`    keepAlive: ${s.keepAlive}`] : []),
    ]),
    '  backend:',
    '    count: 1',
    '    role: publisher',
    '    via: direct',
    'phases:',
    '  - connect: {}',
    '  - subscribe: {}',
    ...publish(s.online),
    '  - wait: 500ms',
    `  - fault: { kind: takeover, groups: [${names}]${s.closeWithin ? `, closeWithin: ${s.closeWithin}` : ''} }`,
    '  - wait: 500ms',
    ...publish(s.window),
    `  - wait: ${s.windowWait ?? '500ms'}`,
    '  - heal: {}',
    '  - drain: { timeout: 15s }',
    '',
  ].join('\n');
}

export interface TakeoverRun extends Ran {
  mitm?: Mitm;
}

/** The scenario against a managed Mosquitto, or (with lies) against the MITM in front of one. */
export async function runTakeover(td: Teardown, shape: Omit<TakeoverShape, 'broker'>, lies?: readonly Lie[]): Promise<TakeoverRun> {
  const dir = await tempDir(td, `takeover-${shape.name}`);
  if (!lies) return runPlan(td, await planFrom(dir, takeoverScenario({ ...shape, broker: 'managed-mosquitto' })), dir);
  assert.ok(mosquittoBinary, 'mosquitto is installed');
  const broker = await startMosquitto(td, mosquittoBinary);
  const mitm = await Mitm.start(td, { host: '127.0.0.1', port: broker.port }, lies);
  const ran = await runPlan(td, await planFrom(dir, takeoverScenario({ ...shape, broker: `{ url: "${mitm.url}" }` })), dir);
  return { ...ran, mitm };
}

/** The clients of one group in one run, from the ledger. */
export function logsOf(ran: Ran, runId: string, group: string): ClientLog[] {
  const record = ran.outcome.records.find((r) => r.run.id === runId);
  assert.ok(record, `a record of run ${runId}`);
  return record.ledgers.flatMap((l) => l.clients).filter((c) => c.ref.startsWith(`${group}/`));
}

/** The checks that failed, by name; and the run's whole story for an assertion message. */
export function failedChecks(run: RunResult): string[] {
  return run.checks.filter((c) => !c.passed).map((c) => c.name);
}

export function why(ran: Ran, run: RunResult): string {
  return describeRun(run, ran.log);
}

export function check(run: RunResult, name: string): RunResult['checks'][number] {
  const found = run.checks.find((c) => c.name === name);
  assert.ok(found, `a check "${name}" in ${run.id}: ${run.checks.map((c) => c.name).join(', ')}`);
  return found;
}
