import type { ProtocolVersion } from '../brokers/types.js';
import { messageExpiryNotes } from './message-expiry.js';
import { isExpressionError, parseExpression } from '../checks/expression.js';
import { HarnessError } from '../errors.js';
import { resolveGroup } from './groups.js';
import { measureSettleMs, memoryPlan } from './memory-plan.js';
import { resolvePhases } from './phases.js';
import { rampPlan } from './ramp.js';
import { checkShares } from './shares.js';
import type { ExpectationPlan, GroupPlan, Plan, RunPlan } from './plan.js';
import { formatPath, type Path, type Report } from './problems.js';
import { variants, type Variant } from './runs.js';
import { DEFAULTS } from './defaults.js';
import type { GroupSpec, Scenario } from './schema.js';
import { brokerSpec, brokerUrlProblem, faultsSpec, toxiproxyUrlProblem } from './targets.js';
import { parseDuration } from './units.js';

/** Command-line flags that win over the file. */
export interface PlanOverrides {
  /** Keep only the runs of this protocol. */
  protocol?: ProtocolVersion;
  seed?: number;
  /** auto | managed-mosquitto | embedded-aedes | a broker URL (an external broker). */
  broker?: string;
  /** A Toxiproxy API URL, or "embedded". */
  toxiproxy?: string;
  allowRemote?: boolean;
  /** --deadline, in ms. */
  deadlineMs?: number;
  /** Group sizes that win over the file's (and its matrix overrides'), e.g. { devices: 500 }. */
  counts?: Record<string, number>;
}

/** Parts of a scenario the schema rejected, skipped so their errors are not echoed. */
export interface Damage {
  group(name: string): boolean;
  phase(index: number): boolean;
  expect(path: Path): boolean;
}

const UNDAMAGED: Damage = { group: () => false, phase: () => false, expect: () => false };

/** One run of a checked scenario, every default filled. Also what the checks walk. */
export function buildRun(scenario: Scenario, v: Variant, report: Report, damage: Damage = UNDAMAGED): RunPlan {
  const notes: string[] = [];
  const groups = new Map<string, GroupPlan>();
  for (const [name, spec] of Object.entries(v.groups)) {
    if (!damage.group(name)) groups.set(name, resolveGroup(name, spec as GroupSpec, v, report, notes));
  }
  checkShares(groups, report);
  const phases = resolvePhases({
    phases: scenario.phases.map((p, i) => (damage.phase(i) ? undefined : p)),
    groups,
    known: new Set(Object.keys(v.groups)),
    report,
    measureSettleMs: measureSettleMs(scenario.memory),
    protocol: v.protocol,
    brokerKind: brokerSpec(scenario.broker).kind,
  });
  const expect = [
    ...expectations(scenario.expect ?? [], ['expect'], 'scenario', report, damage),
    ...(v.matrixPath ? expectations(v.expect, [...v.matrixPath, 'expect'], 'matrix', report, damage) : []),
  ];
  notes.push(...messageExpiryNotes(scenario.phases, v.protocol));
  return { id: v.id, label: v.label, protocol: v.protocol, groups: [...groups.values()], phases, expect, notes };
}

function expectations(
  items: readonly string[],
  path: Path,
  origin: ExpectationPlan['origin'],
  report: Report,
  damage: Damage,
): ExpectationPlan[] {
  if (damage.expect(path)) return [];
  return items.flatMap((text, i) => {
    if (damage.expect([...path, i])) return [];
    const parsed = parseExpression(text);
    if (!isExpressionError(parsed)) return [{ ...parsed, origin }];
    report([...path, i], parsed.error, { column: parsed.column });
    return [];
  });
}

/** A Plan from a scenario that loadScenario checked; flags win over the file. */
export function expandPlan(scenario: Scenario, file: string, overrides: PlanOverrides = {}): Plan {
  // The checks already passed, so a problem here is a bug, not a user error.
  const report: Report = (path, message) => {
    throw new Error(`scenario ${file} was not checked: ${formatPath(path)}: ${message}`);
  };
  const ramped = scenario.ramp?.grow === 'sessions' ? scenario.ramp.group : undefined;
  if (ramped !== undefined && overrides.counts?.[ramped] !== undefined) {
    throw new HarnessError('E_USAGE', `--count ${ramped}=${overrides.counts[ramped]}: the ramp sets group ${ramped}'s count at each step (ramp.steps in ${file})`);
  }
  scenario = withCounts(scenario, overrides.counts ?? {});
  let runs = variants(scenario, report).map((v) => buildRun(scenario, v, report));
  if (overrides.protocol !== undefined) {
    const all = runs;
    runs = runs.filter((r) => r.protocol === overrides.protocol);
    if (runs.length === 0) {
      const has = [...new Set(all.map((r) => r.protocol))].join(', ');
      throw new HarnessError('E_USAGE', `--protocol ${overrides.protocol}: ${file} has no run for MQTT ${overrides.protocol} (it has ${has})`);
    }
  }
  return {
    planVersion: 1,
    scenario: { name: scenario.name, file, ...(scenario.description !== undefined ? { description: scenario.description } : {}) },
    seed: overrides.seed ?? scenario.seed ?? DEFAULTS.seed,
    allowRemote: overrides.allowRemote ?? scenario.allowRemote ?? false,
    ...deadline(overrides, scenario),
    broker: overrides.broker === undefined ? brokerSpec(scenario.broker) : brokerFromFlag(overrides.broker, scenario),
    faults: overrides.toxiproxy === undefined ? faultsSpec(scenario.faults) : faultsFromFlag(overrides.toxiproxy),
    runs,
    memory: memoryPlan(scenario.memory),
    ...(scenario.scale?.connectionsPerPort !== undefined ? { connectionsPerPort: scenario.scale.connectionsPerPort } : {}),
    ...rampPlan(scenario.ramp),
  };
}

function deadline(overrides: PlanOverrides, scenario: Scenario): Pick<Plan, 'deadlineMs'> {
  const ms = overrides.deadlineMs ?? (scenario.deadline !== undefined ? parseDuration(scenario.deadline) : undefined);
  return ms !== undefined ? { deadlineMs: ms } : {};
}

/** --count group=N on every run's group; the rules a count takes part in checked again. */
function withCounts(scenario: Scenario, counts: Record<string, number>): Scenario {
  if (Object.keys(counts).length === 0) return scenario;
  const groups = { ...scenario.groups };
  for (const [name, count] of Object.entries(counts)) {
    const group = groups[name];
    if (!group) throw new HarnessError('E_USAGE', `--count ${name}=${count}: no group ${name} (the scenario has ${Object.keys(groups).join(', ')})`);
    if (count > 1 && !(group.clientId ?? DEFAULTS.clientId).includes('{i}')) {
      throw new HarnessError('E_USAGE', `--count ${name}=${count}: group ${name}'s clientId has no {i}, so it takes one client only`);
    }
    groups[name] = { ...group, count };
  }
  const matrix = scenario.matrix?.map((entry) => {
    const override = entry.override?.groups;
    if (!override) return entry;
    const counted = Object.fromEntries(Object.entries(override).map(([name, g]) => [name, name in counts ? { ...g, count: counts[name] } : g]));
    return { ...entry, override: { ...entry.override, groups: counted } };
  });
  return { ...scenario, groups, ...(matrix ? { matrix } : {}) };
}

/** --broker: a kind, or a URL; a URL keeps the file's credential variable names. */
function brokerFromFlag(flag: string, scenario: Scenario): Plan['broker'] {
  if (flag === 'auto' || flag === 'managed-mosquitto' || flag === 'embedded-aedes') return brokerSpec(flag);
  const why = brokerUrlProblem(flag);
  if (why) throw new HarnessError('E_USAGE', `--broker: ${why}`);
  const fromFile = brokerSpec(scenario.broker);
  return fromFile.kind === 'external' ? { ...fromFile, url: flag } : { kind: 'external', url: flag };
}

function faultsFromFlag(flag: string): Plan['faults'] {
  if (flag === 'embedded') return { kind: 'embedded' };
  const why = toxiproxyUrlProblem(flag);
  if (why) throw new HarnessError('E_USAGE', `--toxiproxy: ${why}`);
  return { kind: 'toxiproxy', url: flag };
}
