/**
 * Shared by the refusal tests: a small scenario against a broker that refuses, downgrades
 * or goes quiet — a managed Mosquitto with a restrictive option, or the lying MITM in front
 * of a test Mosquitto — run by `mqtt-chaos run` as a user runs it, so a test sees what a
 * user sees: the exit code, the console summary, and result.json.
 *
 * The shape: `devices` subscribers (6, one topic each), `backend` publishers (2, serving
 * devices i % 2), connect, subscribe, publish `perTarget` per device, drain. Every phase is
 * bounded: a publish phase that stops being acknowledged gives up after ACK_STALL_MS.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Result, RunResult } from '../../../src/result/result.js';
import { invocationDir, outDir, readResult, runCli, survivors, waitExit } from '../../helpers/cli-process.js';
import { startMosquitto } from '../../helpers/brokers.js';
import { Mitm, type Lie } from '../../helpers/mitm/server.js';
import type { Teardown } from '../../helpers/teardown.js';
import { requireMosquitto } from '../../helpers/requires.js';

export const mosquittoBinary = requireMosquitto();
export const needsMosquitto = mosquittoBinary ? false : 'mosquitto is not installed (apt-get install mosquitto)';

export const DEVICES = 6;
export const PUBLISHERS = 2;

export interface Shape {
  name: string;
  /** The `broker:` value, e.g. `{ mosquitto: { max_qos: 1 } }` or `{ url: "mqtt://…" }`. */
  broker: string;
  protocols?: readonly ('3.1.1' | '5')[];
  devices?: number;
  publishers?: number;
  /** e.g. "{ clean: false, expiry: 3600 }" (the default). */
  session?: string;
  qos: 0 | 1 | 2;
  /** Messages per device; 0: no publish phase. */
  perTarget: number;
  /** More fields of the publish phase, e.g. "messageExpiry: 60s". */
  publishWith?: string;
  topic?: string;
  keepAlive?: string;
  /** Devices cut off while they are sent their messages (a cut, `away` wait, publish, heal). */
  cut?: { away: string };
  /** Extra lines under `groups:` (indented by two spaces), e.g. a second subscriber group. */
  groups?: readonly string[];
  /** Extra phases before the drain, e.g. a publish to a second group. */
  phases?: readonly string[];
  drain?: string;
}

export function scenario(s: Shape): string {
  const publish = s.perTarget > 0 ? [`  - publish: { from: backend, to: devices, perTarget: ${s.perTarget}, qos: ${s.qos}${s.publishWith ? `, ${s.publishWith}` : ''} }`] : [];
  const middle = s.cut
    ? ['  - fault: { kind: cut, groups: [devices] }', `  - wait: ${s.cut.away}`, ...publish, '  - heal: {}']
    : [...publish];
  return [
    `name: refuse-${s.name}`,
    `broker: ${s.broker}`,
    'faults: embedded',
    `protocols: [${(s.protocols ?? ['3.1.1', '5']).map((p) => `"${p}"`).join(', ')}]`,
    'groups:',
    '  devices:',
    // Pinned ids (each test has a fresh broker): the examples and MITM events name them.
    '    clientId: "{group}-{run}-{i}"',
    `    count: ${s.devices ?? DEVICES}`,
    '    role: subscriber',
    `    session: ${s.session ?? '{ clean: false, expiry: 3600 }'}`,
    `    qos: ${s.qos}`,
    `    topic: "${s.topic ?? 'refuse/{run}/{i}'}"`,
    ...(s.keepAlive ? [`    keepAlive: ${s.keepAlive}`] : []),
    '    reconnect: { delay: 200ms, jitter: 100ms }',
    '  backend:',
    '    clientId: "{group}-{run}-{i}"',
    `    count: ${s.publishers ?? PUBLISHERS}`,
    '    role: publisher',
    '    via: direct',
    ...(s.groups ?? []).map((l) => `  ${l}`),
    'phases:',
    '  - connect: {}',
    '  - subscribe: {}',
    '  - wait: 300ms',
    ...middle,
    ...(s.phases ?? []).map((p) => `  - ${p}`),
    `  - drain: { timeout: ${s.drain ?? '5s'} }`,
    '',
  ].join('\n');
}

/** What {run} becomes in topics and client ids: "3.1.1" → "3_1_1". */
export const token = (protocol: string): string => protocol.replaceAll('.', '_');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  result: Result;
  /** The run with this id; fails the test if it is missing. */
  run(id: string): RunResult;
}

/** `mqtt-chaos run` on the scenario, to its end; nothing it started may outlive it. */
export async function runScenarioCli(td: Teardown, shape: Shape, timeoutMs = 60_000): Promise<CliRun> {
  const out = await outDir(td, `mqtt-chaos-refuse-${shape.name}-`);
  const file = join(out, 'scenario.yaml');
  await writeFile(file, scenario(shape));
  const cli = runCli(td, ['run', file, '--out', join(out, 'reports')]);
  const exit = await waitExit(cli, timeoutMs);
  assert.equal(exit.signal, null, `the CLI was not killed (stderr: ${cli.stderr()})`);
  assert.deepEqual(survivors(cli), [], 'no process the CLI started outlives it');
  const result = readResult(invocationDir(join(out, 'reports'), `refuse-${shape.name}`));
  const run = (id: string): RunResult => {
    const found = result.runs.find((r) => r.id === id);
    assert.ok(found, `no run "${id}" in ${result.runs.map((r) => r.id).join(', ')}`);
    return found;
  };
  return { code: exit.code, stdout: cli.stdout(), stderr: cli.stderr(), result, run };
}

/** A test Mosquitto (default config) with the lying MITM in front of it. */
export async function lyingBroker(td: Teardown, lies: readonly Lie[]): Promise<Mitm> {
  assert.ok(mosquittoBinary, 'mosquitto is installed');
  const broker = await startMosquitto(td, mosquittoBinary);
  return Mitm.start(td, { host: '127.0.0.1', port: broker.port }, lies);
}

/** Everything worth reading when an assertion about a run fails. */
export function why(ran: CliRun, run?: RunResult): string {
  const runs = run ? [run] : ran.result.runs;
  return [
    `exit ${ran.code}`,
    ...runs.map((r) =>
      [
        `run ${r.id}: ${r.verdict}`,
        `  shortfalls: ${JSON.stringify(r.shortfalls ?? [])}`,
        `  brokerSaid: ${JSON.stringify((r.brokerSaid ?? []).map((s) => `${s.group} ${s.kind} ${s.what} ${s.count}× (${s.clients}/${s.of})`))}`,
        `  redelivery: ${JSON.stringify({ ...r.redelivery, latency: undefined, drainTime: undefined })}`,
        `  checks: ${r.checks.map((c) => `${c.passed ? 'ok' : 'FAILED'} ${c.name}: ${c.explanation}`).join(' | ')}`,
        `  explanations: ${r.explanations.join(' | ')}`,
      ].join('\n'),
    ),
    `stdout:\n${ran.stdout}`,
    `stderr:\n${ran.stderr.slice(-4000)}`,
  ].join('\n');
}

/** The redelivery counts a test asserts, in one object so a mismatch shows them all. */
export interface Counts {
  expected: number;
  delivered: number;
  lost: number;
  refused: number;
  unacknowledged: number;
  duplicates: number;
  unexpected: number;
}

export function countsOf(run: RunResult): Counts {
  const r = run.redelivery;
  return {
    expected: r.expected,
    delivered: r.delivered,
    lost: r.lost,
    refused: r.refused ?? 0,
    unacknowledged: r.unacknowledged ?? 0,
    duplicates: r.duplicates,
    unexpected: r.unexpected,
  };
}

/** "group kind what ×count (clients/of)": what the broker said, one line per entry, refusals first. */
export function saidLines(run: RunResult, kinds: readonly string[] = ['refused', 'changed']): string[] {
  return (run.brokerSaid ?? []).filter((s) => kinds.includes(s.kind)).map((s) => `${s.group} ${s.kind} ${s.what} ${s.count}× (${s.clients}/${s.of})`);
}

export const shortfallTexts = (run: RunResult): string[] => (run.shortfalls ?? []).map((s) => s.text);

/**
 * A text with what timing decides made steady: how often a refused client retried ("45×"
 * becomes "N×") and which client and topic came first in an example ("backend-5-1" becomes
 * "backend-5-K", "refuse/5/3" becomes "refuse/5/K"). Counts that are facts are asserted apart.
 */
export const steady = (text: string): string =>
  text
    .replace(/\d[\d,]*×/g, 'N×')
    .replace(/\b(backend|devices|sensors)-([\w.]+)-\d+/g, '$1-$2-K')
    .replace(/\b(refuse|odd~name)\/([\w.]+)\/\d+/g, '$1/$2/K');

/** What a test pins of one run: its verdict, the counts, the shortfalls and what the broker refused or changed (made steady). */
export function facts(run: RunResult): { verdict: string; counts: Counts; shortfalls: string[]; said: string[] } {
  return {
    verdict: run.verdict,
    counts: countsOf(run),
    shortfalls: shortfallTexts(run).map(steady),
    said: saidLines(run).map(steady),
  };
}

/** How many times the broker said `what` to `group` (0 when it never did). */
export function saidCount(run: RunResult, group: string, what: string): number {
  return (run.brokerSaid ?? []).find((s) => s.group === group && s.what === what)?.count ?? 0;
}

/** The failed checks, as "name: explanation". */
export const failedChecks = (run: RunResult): string[] => run.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.explanation}`);
