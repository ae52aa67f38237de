import type { ProtocolVersion } from '../brokers/types.js';
import type { Path, Report } from './problems.js';
import { DEFAULTS } from './defaults.js';
import type { Scenario } from './schema.js';

/**
 * The runs a scenario asks for: one per `protocols` entry, or one per `matrix` entry with
 * its override merged onto the groups. Ids are unique and safe as directory names.
 */
export interface Variant {
  id: string;
  label: string;
  protocol: ProtocolVersion;
  /** The scenario's groups with the entry's override merged in; not yet validated. */
  groups: Record<string, unknown>;
  /** Where this entry sits in the file, when it comes from `matrix`. */
  matrixPath?: Path;
  /** The override's groups, to tell which merged fields it wrote. */
  overrideGroups?: Record<string, unknown>;
  /** Extra expectations, appended to the scenario's for this run. */
  expect: readonly string[];
}

/** `skip`: matrix entries the schema rejected; they make no run. */
export function variants(scenario: Scenario, report: Report, skip: (index: number) => boolean = () => false): Variant[] {
  const groups = scenario.groups as Record<string, unknown>;
  if (!scenario.matrix) {
    const protocols = (scenario.protocols ?? DEFAULTS.protocols).map((p) => String(p) as ProtocolVersion);
    protocols.forEach((p, i) => {
      if (protocols.indexOf(p) < i) report(['protocols', i], `${p} is listed twice`);
    });
    return [...new Set(protocols)].map((protocol) => ({ id: protocol, label: protocol, protocol, groups, expect: [] }));
  }
  const entries = scenario.matrix.map((entry, index) => ({ entry, index })).filter(({ index }) => !skip(index));
  const explicit = new Set(entries.flatMap(({ entry }) => (entry.id === undefined ? [] : [entry.id])));
  const taken = new Set<string>();
  return entries.map(({ entry, index }) => {
    const protocol = String(entry.protocol) as ProtocolVersion;
    const label = entry.label ?? protocol;
    const matrixPath: Path = ['matrix', index];
    let id = entry.id;
    if (id !== undefined && taken.has(id)) report([...matrixPath, 'id'], `run id "${id}" is already used by an earlier entry`);
    if (id === undefined) {
      const base = slug(label) || protocol;
      id = base;
      for (let n = 2; taken.has(id) || explicit.has(id); n++) id = `${base}-${n}`;
    }
    taken.add(id);
    const overrideGroups = entry.override?.groups as Record<string, unknown> | undefined;
    return {
      id,
      label,
      protocol,
      groups: overrideGroups ? (mergeDeep(groups, overrideGroups) as Record<string, unknown>) : groups,
      matrixPath,
      ...(overrideGroups ? { overrideGroups } : {}),
      expect: entry.expect ?? [],
    };
  });
}

/** "v5, no session expiry" -> "v5-no-session-expiry" */
function slug(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
}

/** Maps merge key by key; anything else in the override replaces the base value. */
function mergeDeep(base: unknown, override: unknown): unknown {
  if (!isMap(base) || !isMap(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = key in base ? mergeDeep(base[key], value) : value;
  return out;
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
