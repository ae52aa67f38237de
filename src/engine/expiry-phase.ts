/**
 * Drives a measure-expiry phase: every shard connects its sessions (each with its Will),
 * closes them, then the engine black-holes the proxies of the groups with partitioned
 * sessions and stamps the cut; the shards observe wills and fire probes until every session
 * is accounted for. The toxics are removed on every exit path.
 */
import { randomBytes } from 'node:crypto';
import { expiryRunSpec } from '../checks/expiry-spec.js';
import type { MeasureExpiryPhase, RunPlan } from '../scenario/plan.js';
import { nameToken } from '../scenario/topic-names.js';
import type { ExpiryCut } from '../workers/expiry-protocol.js';
import { within } from '../clock.js';
import type { FaultDriver } from './fault-controller.js';
import type { Shards } from './shards.js';
import type { BrokerInfo } from '../result/timeline.js';

/** Connecting a session (and subscribing) is bounded by this, plus a little per session. */
const CONNECT_LIMIT_MS = 120_000;
const CLOSE_LIMIT_MS = 60_000;
/** The shards give up OBSERVE_SLACK (30 s) after their last bound; this is the engine's own. */
const OBSERVE_SLACK_MS = 90_000;

export interface ExpiryPhaseContext {
  index: number;
  label: string;
  run: RunPlan;
  shards: Shards;
  faults: FaultDriver | undefined;
  /** The run's broker; absent: MQTT 5 is assumed measurable. */
  broker?: BrokerInfo;
}

export async function driveExpiryPhase(phase: MeasureExpiryPhase, ctx: ExpiryPhaseContext): Promise<void> {
  const { run, shards, faults } = ctx;
  const spec = ctx.broker ? expiryRunSpec(run.protocol, phase, run.groups, ctx.broker) : { measurable: true as const };
  // The checks say why, from the same decision.
  if (!spec.measurable) return;
  const what = `phase ${ctx.index + 1} (${ctx.label})`;
  const sessions = run.groups.filter((g) => phase.groups.includes(g.name)).reduce((n, g) => n + g.count, 0);
  // In will topics and client ids: the run id as a token every broker takes.
  const tag = `${nameToken(run.id)}-${randomBytes(3).toString('hex')}`;
  await within(
    CONNECT_LIMIT_MS + sessions * 10,
    `${what}: the sessions did not connect in time`,
    shards.run({ kind: 'expiry-connect', phase, tag, ...(spec.brokerExpiryMs !== undefined ? { brokerExpiryMs: spec.brokerExpiryMs } : {}) }),
  );
  await within(CLOSE_LIMIT_MS, `${what}: the sessions did not close in time`, shards.run({ kind: 'expiry-close' }));
  const partitioned = phase.closes.partition > 0 ? phase.groups : [];
  if (partitioned.length > 0 && !faults) throw new Error(`${what}: a partition needs the fault server`);
  try {
    const cuts: Record<string, ExpiryCut> = {};
    for (const group of partitioned) {
      const startedAt = performance.now();
      await faults!.start([group], { kind: 'partition' });
      cuts[group] = { startedAt, at: performance.now() };
    }
    await within(phase.maxWaitMs + OBSERVE_SLACK_MS, `${what}: the observation did not end in time`, shards.run({ kind: 'expiry-observe', cuts }));
  } finally {
    if (partitioned.length > 0) await faults?.heal(partitioned).catch(() => undefined);
  }
}

export function describeExpiryPhase(phase: MeasureExpiryPhase): string {
  const closes = (['graceful', 'abrupt', 'partition'] as const)
    .filter((c) => phase.closes[c] > 0)
    .map((c) => `${Math.round(phase.closes[c] * 1000) / 10}% ${c}`)
    .join(', ');
  return `measure expiry of ${phase.groups.join(', ')} (${closes}; ${Math.round(phase.probeShare * 1000) / 10}% probed)`;
}

/** The longest the phase can take by its own bounds (the scenario's default deadline adds these up). */
export function expiryPhaseLimitMs(phase: MeasureExpiryPhase, run: RunPlan): number {
  const sessions = run.groups.filter((g) => phase.groups.includes(g.name)).reduce((n, g) => n + g.count, 0);
  return CONNECT_LIMIT_MS + sessions * 10 + CLOSE_LIMIT_MS + phase.maxWaitMs + OBSERVE_SLACK_MS;
}
