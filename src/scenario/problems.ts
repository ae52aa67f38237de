import { HarnessError } from '../errors.js';

/** A field's place in the scenario: keys and array indexes, e.g. ['phases', 2, 'publish', 'to']. */
export type Path = readonly (string | number)[];

/** error: the scenario cannot run (exit 2). warning: it can, but common brokers refuse
 *  what it asks (see topic-names.ts); printed, the exit code unchanged. */
export type Severity = 'error' | 'warning';

/** One thing wrong with a scenario file. line and column are 1-based; 0 when unknown. */
export interface Problem {
  severity: Severity;
  file: string;
  line: number;
  column: number;
  /** e.g. "groups.devices.count", "phases[2].publish.to"; '' for the whole file. */
  path: string;
  message: string;
}

/** Where inside a field: the key rather than the value, or a column (1-based) of a string. */
export interface Spot {
  key?: boolean;
  column?: number;
}

/** What the checks report into. */
export type Report = (path: Path, message: string, spot?: Spot) => void;

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** `scenarios/x.yaml:12:5: groups.devices.count: must be an integer >= 1 (got -3)`;
 *  a warning says so after the place: `scenarios/x.yaml:9:18: warning: groups.devices.topic: ...` */
export function formatProblem(p: Problem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  const what = p.severity === 'warning' ? 'warning: ' : '';
  return p.path === '' ? `${where}: ${what}${p.message}` : `${where}: ${what}${p.path}: ${p.message}`;
}

/** File order, then path: the order a reader fixes them in. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return [...problems]
    .sort((a, b) => a.line - b.line || a.column - b.column || a.path.localeCompare(b.path))
    .filter((p) => {
      const key = formatProblem(p);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** Every problem found in a scenario (its errors, and any warnings beside them), one per
 *  line in `message`; exit code 2 (usage). */
export class ScenarioError extends HarnessError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    const sorted = sortProblems(problems);
    super('E_SCENARIO', sorted.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
    this.problems = sorted;
  }
}
