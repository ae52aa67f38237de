import { closest } from '../scenario/suggest.js';

/** The options yargs knows for the command being parsed (its `getOptions()`, the part used here). */
export interface KnownOptions {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
  array: string[];
  boolean: string[];
}

/** `--name` or `--name=value` → `name`; undefined for anything else (values, `-h`). */
function flagName(arg: string): string | undefined {
  if (!arg.startsWith('--') || arg === '--') return undefined;
  return arg.slice(2).split('=')[0];
}

/** The flags before `--`: what follows it is positional, whatever it looks like. */
function flags(args: readonly string[]): string[] {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).flatMap((arg) => flagName(arg) ?? []);
}

/** Every spelling yargs accepts for an option: its aliases, and `no-x` for a boolean. */
function spellings(options: KnownOptions): { canonical: Map<string, string>; booleans: Set<string> } {
  const canonical = new Map<string, string>();
  for (const key of Object.keys(options.key)) {
    canonical.set(key, key);
    for (const alias of options.alias[key] ?? []) canonical.set(alias, key);
  }
  const booleans = new Set(options.boolean.map((b) => canonical.get(b) ?? b));
  return { canonical, booleans };
}

/** `--no-defults` → `no-defaults`: the typo is in the option's own name. */
function negatedNear(name: string, booleans: ReadonlySet<string>): string | undefined {
  const near = name.startsWith('no-') ? closest(name.slice(3), booleans) : undefined;
  return near === undefined ? undefined : `no-${near}`;
}

/**
 * The first problem with the flags given, as the one line the CLI prints, or undefined.
 * An unknown flag gets the closest known one. A flag given twice is refused unless it is
 * an array option: for the others the second value would silently win.
 */
export function flagProblem(args: readonly string[], options: KnownOptions): string | undefined {
  const { canonical, booleans } = spellings(options);
  const negated = (name: string): string | undefined => {
    const key = name.startsWith('no-') ? canonical.get(name.slice(3)) : undefined;
    return key !== undefined && booleans.has(key) ? key : undefined;
  };
  // yargs takes --allowRemote for --allow-remote.
  const resolve = (name: string): string | undefined => {
    const kebab = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    return canonical.get(kebab) ?? negated(kebab);
  };
  const repeatable = new Set(options.array.map((a) => canonical.get(a) ?? a));
  const seen = new Set<string>();
  for (const name of flags(args)) {
    const key = resolve(name);
    if (key === undefined) {
      const near = closest(name, [...canonical.keys()].filter((k) => k.length > 1)) ?? negatedNear(name, booleans);
      return `--${name}: unknown flag${near === undefined ? '' : ` (did you mean --${near}?)`}`;
    }
    if (seen.has(key) && !repeatable.has(key)) return `--${name} given more than once`;
    seen.add(key);
  }
  return undefined;
}
