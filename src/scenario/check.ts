import { buildRun, type Damage } from './expand.js';
import type { Issue } from './messages.js';
import { formatPath, type Path, type Problem, type Report, type Severity } from './problems.js';
import { isMap, variants, type Variant } from './runs.js';
import type { Scenario } from './schema.js';
import { checkRamp } from './ramp.js';
import { checkTargets } from './targets.js';
import { nameToken, topicWarnings } from './topic-names.js';
import { parseDuration } from './units.js';
import { groupsIssues, schemaIssues } from './validate.js';
import type { SourceDoc } from './yaml-positions.js';

/**
 * Every problem in a scenario at once: the schema's, then what only the whole file can
 * tell (group references, phase order, expressions, matrix overrides), then warnings about
 * topics common brokers refuse. Parts the schema rejected are skipped by the later checks,
 * so one mistake is reported once.
 */
export function scenarioProblems(doc: SourceDoc, file: string): Problem[] {
  const problems: Problem[] = [];
  const reporter =
    (severity: Severity): Report =>
    (path, message, spot = {}) => {
      const at = spot.column !== undefined ? doc.locateInString(path, spot.column) : doc.locate(path, { key: spot.key });
      problems.push({ severity, file, ...at, path: formatPath(path), message });
    };
  const report = reporter('error');
  const warn = reporter('warning');
  // Keys of what was reported against the file as written: a matrix entry repeats them.
  const seen = new Set<string>();
  const once = remember(report, seen);
  const issues = schemaIssues(doc.data);
  issues.forEach((i) => once(i.path, i.message, { key: i.key }));

  const data = doc.data;
  if (!isMap(data) || !isMap(data.groups) || !Array.isArray(data.phases)) return problems;
  const scenario = data as Scenario;
  const damaged = damageFrom(issues.map((i) => i.path));
  if (scenario.protocols !== undefined && scenario.matrix !== undefined) {
    report(['matrix'], 'give either protocols or matrix, not both (matrix entries name their protocol)', { key: true });
  }
  if (!damaged(['deadline']) && scenario.deadline !== undefined && parseDuration(scenario.deadline) === 0) {
    report(['deadline'], 'a deadline of 0 would stop the run before it starts: give a duration above 0, or leave it out for the default');
  }
  checkTargets(damaged(['broker']) ? undefined : scenario.broker, damaged(['faults']) ? undefined : scenario.faults, report);
  if (!damaged(['ramp']) && !damaged(['phases'])) checkRamp(scenario, report);

  const base: Variant = { id: 'check', label: 'check', protocol: '5', groups: scenario.groups, expect: [] };
  buildRun(scenario, base, once, damage(damaged, []));

  if (damaged(['matrix']) && !Array.isArray(scenario.matrix)) return problems;
  if (damaged(['protocols'])) return problems;
  const runs = variants(scenario, report, (index) => damaged(['matrix', index]));
  const runToken = runs.map((v) => nameToken(v.id)).reduce((a, b) => (b.length > a.length ? b : a), '');
  topicWarnings(scenario.groups, runToken, remember(warn, seen), damage(damaged, []).group);
  for (const v of runs) {
    if (!v.matrixPath) continue;
    const merged = v.overrideGroups ? groupsIssues(v.groups) : [];
    const relay = matrixReport(v, scenario, report, seen);
    merged.forEach((i) => relay(['groups', ...i.path], i.message, { key: i.key }));
    buildRun(scenario, v, relay, damage(damaged, merged));
    topicWarnings(v.groups, runToken, matrixReport(v, scenario, warn, seen), damage(damaged, merged).group);
  }
  return problems;
}

/** True when the schema rejected anything at, inside or above `path`. */
type Damaged = (path: Path) => boolean;

function damageFrom(paths: readonly Path[]): Damaged {
  const related = (a: Path, b: Path) => a.every((s, i) => i >= b.length || s === b[i]);
  return (path) => paths.some((p) => related(p, path));
}

/** What the checks of one run skip: what the schema rejected in the file, or in the
 *  groups as a matrix entry's override leaves them. */
function damage(damaged: Damaged, mergedIssues: readonly Issue[]): Damage {
  const merged = damageFrom(mergedIssues.map((i) => ['groups', ...i.path]));
  return {
    group: (name) => damaged(['groups', name]) || merged(['groups', name]),
    phase: (index) => damaged(['phases', index]),
    expect: (path) => damaged(path),
  };
}

function remember(report: Report, seen: Set<string>): Report {
  return (path, message, spot) => {
    seen.add(`${formatPath(path)}\n${message}`);
    report(path, message, spot);
  };
}

/**
 * A problem only a matrix entry brings: shown in the entry's override when the override
 * wrote the field (or more of its path than the base did), else at the base field, naming
 * the run. Problems the file has anyway were reported once already.
 */
function matrixReport(v: Variant, scenario: Scenario, report: Report, seen: ReadonlySet<string>): Report {
  return (path, message, spot) => {
    if (seen.has(`${formatPath(path)}\n${message}`)) return;
    if (v.matrixPath!.every((s, i) => path[i] === s)) return report(path, message, spot);
    const inOverride =
      v.overrideGroups !== undefined && path[0] === 'groups' && depth(v.overrideGroups, path.slice(1)) + 1 >= depth(scenario, path);
    if (inOverride) report([...v.matrixPath!, 'override', ...path], message, spot);
    else report(path, `${message} (in run "${v.id}")`, spot);
  };
}

/** How many leading segments of `path` exist in `data`. */
function depth(data: unknown, path: Path): number {
  let node = data;
  for (let i = 0; i < path.length; i++) {
    if (!isMap(node) && !Array.isArray(node)) return i;
    const next = (node as Record<string | number, unknown>)[path[i]!];
    if (next === undefined) return i;
    node = next;
  }
  return path.length;
}
