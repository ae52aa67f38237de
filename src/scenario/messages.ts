import type { ErrorObject } from 'ajv';
import { describeSchema, describeUnion, discriminator, joinOr, patternWords, show } from './describe.js';
import type { Path } from './problems.js';
import { PATTERNS } from './defaults.js';
import { didYouMean } from './suggest.js';

/**
 * Ajv's errors as short, specific lines. Ajv reports every branch of a union; users want
 * the branch they meant, so unions are narrowed first, then each remaining error gets
 * words of its own.
 */

/** One schema problem: where (key: point at the key, not the value) and what. */
export interface Issue {
  path: Path;
  message: string;
  key?: boolean;
}

type SchemaLike = Record<string, unknown>;

/** Ajv with `verbose: true` adds the failing data and schemas to each error. */
export type VerboseError = ErrorObject & { data?: unknown; schema?: unknown; parentSchema?: SchemaLike };

/** The path of a JSON pointer, with array indexes as numbers (the data tells which is which). */
function pointerPath(pointer: string, root: unknown): Path {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(node) ? Number(key) : key;
    path.push(segment);
    node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[segment] : undefined;
  }
  return path;
}

/** A bare number where a quantity with a unit belongs: show the fix. */
const UNIT_EXAMPLE = new Map<unknown, (n: number) => string>([
  [PATTERNS.duration.source, (n) => `${n}s`],
  [PATTERNS.rate.source, (n) => `${n}/s`],
  [PATTERNS.bandwidth.source, (n) => `${n}KB/s`],
]);

/** Every issue in Ajv's errors, unions narrowed to the branch meant. */
export function describeErrors(errors: readonly VerboseError[], root: unknown): Issue[] {
  const issues: Issue[] = [];
  let pending = [...errors];
  for (;;) {
    const unions = pending.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
    if (unions.length === 0) break;
    // Outermost first: a branch chosen there may hold unions of its own.
    const union = unions.reduce((a, b) => (b.schemaPath.length < a.schemaPath.length ? b : a));
    const inside = (e: VerboseError) =>
      e !== union && e.schemaPath.startsWith(`${union.schemaPath}/`) && within(e.instancePath, union.instancePath);
    const narrowed = narrowUnion(union, pending.filter(inside), root);
    pending = [...pending.filter((e) => e !== union && !inside(e)), ...('errors' in narrowed ? narrowed.errors : [])];
    if ('issue' in narrowed) issues.push(narrowed.issue);
  }
  // "must be 0, 1 or 2" says what a type error beside it would.
  const enums = new Set(pending.filter((e) => e.keyword === 'enum').map((e) => e.instancePath));
  pending = pending.filter((e) => !(e.keyword === 'type' && enums.has(e.instancePath)));
  return [...issues, ...pending.map((e) => describeError(e, root))];
}

function within(pointer: string, parent: string): boolean {
  return pointer === parent || pointer.startsWith(`${parent}/`);
}

/** Words for one error that is not a union. */
function describeError(e: VerboseError, root: unknown): Issue {
  const path = pointerPath(e.instancePath, root);
  const parent = e.parentSchema ?? {};
  const params = e.params as Record<string, unknown>;
  const got = ` (got ${show(e.data)})`;
  switch (e.keyword) {
    case 'type': {
      const example = UNIT_EXAMPLE.get(parent.pattern);
      if (example && typeof e.data === 'number') return { path, message: `add a unit, e.g. "${example(e.data)}"${got}` };
      return { path, message: `must be ${describeSchema(parent)}${got}` };
    }
    case 'required': {
      const key = String(params.missingProperty);
      const property = (parent.properties as Record<string, SchemaLike> | undefined)?.[key];
      const hint = property && (property.enum || property.pattern) ? ` (${describeSchema(property)})` : '';
      return { path: [...path, key], message: `is required${hint}` };
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      if (parent.patternProperties) {
        const [pattern] = Object.keys(parent.patternProperties);
        return { path: [...path, key], key: true, message: `invalid name: use ${patternWords(pattern) ?? pattern}` };
      }
      const known = Object.keys((parent.properties as object | undefined) ?? {});
      const hint = didYouMean(key, known) || (known.length > 0 ? ` (known keys: ${known.join(', ')})` : '');
      return { path: [...path, key], key: true, message: `unknown key${hint}` };
    }
    case 'enum': {
      // 5 and "5" read the same in a message.
      const values = [...new Set(((e.schema as unknown[]) ?? []).map(String))];
      const hint = typeof e.data === 'string' ? didYouMean(e.data, values) : '';
      return { path, message: `must be ${joinOr(values)}${got}${hint}` };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, message: `must be ${describeSchema(parent)}${got}` };
    case 'pattern':
      return { path, message: `must be ${patternWords(params.pattern) ?? `like ${params.pattern}`}${got}` };
    case 'minLength':
    case 'minItems':
      return { path, message: params.limit === 1 ? 'must not be empty' : `needs at least ${params.limit}` };
    case 'uniqueItems': {
      const list = e.data as unknown[];
      // Point at the later copy: the first one is where it belongs.
      const index = Math.max(Number(params.i), Number(params.j));
      return { path: [...path, index], message: `${show(list[index])} is listed twice` };
    }
    case 'minProperties':
    case 'maxProperties':
      return { path, message: countKeys(e.data, parent) };
    default:
      return { path, message: e.message ?? `fails ${e.keyword}` };
  }
}

/** A phase is a map with exactly one key; groups must have at least one. */
function countKeys(data: unknown, schema: SchemaLike): string {
  const keys = Object.keys((data as object | null) ?? {});
  const known = Object.keys((schema.properties as object | undefined) ?? {});
  if (schema.maxProperties === 1) {
    return keys.length === 0
      ? `needs one key: ${joinOr(known)}`
      : `has ${keys.length} keys (${keys.join(', ')}): write one per list item`;
  }
  return 'must not be empty';
}

/** The branch of a union the user most likely meant, or one issue saying what fits. */
function narrowUnion(
  union: VerboseError,
  inside: readonly VerboseError[],
  root: unknown,
): { errors: VerboseError[] } | { issue: Issue } {
  const prefix = `${union.schemaPath}/`;
  const branches = new Map<number, VerboseError[]>();
  for (const e of inside) {
    const index = Number(e.schemaPath.slice(prefix.length).split('/')[0]);
    branches.set(index, [...(branches.get(index) ?? []), e]);
  }
  const schemas = (union.schema as SchemaLike[]) ?? [];
  const path = pointerPath(union.instancePath, root);
  const atRoot = (e: VerboseError) => e.instancePath === union.instancePath;
  const rejects = (errs: VerboseError[]) => errs.some((e) => atRoot(e) && ['type', 'const', 'enum'].includes(e.keyword));
  const fitting = [...branches].filter(([, errs]) => !rejects(errs));

  if (fitting.length === 0) {
    const words = schemas.flatMap((s) => (Array.isArray(s.enum) ? s.enum : s.const !== undefined ? [s.const] : []));
    const hint = typeof union.data === 'string' ? didYouMean(union.data, words.map(String)) : '';
    return { issue: { path, message: `must be ${describeUnion(schemas)} (got ${show(union.data)})${hint}` } };
  }

  const tag = discriminator(schemas);
  if (tag && fitting.length > 1) {
    const value = (union.data as Record<string, unknown>)[tag.key];
    if (value === undefined) return { issue: { path: [...path, tag.key], message: `is required (${joinOr(tag.values)})` } };
    const chosen = tag.values.indexOf(String(value));
    if (chosen < 0) {
      const hint = typeof value === 'string' ? didYouMean(value, tag.values) : '';
      return { issue: { path: [...path, tag.key], message: `must be ${joinOr(tag.values)} (got ${show(value)})${hint}` } };
    }
    return { errors: branches.get(chosen) ?? [] };
  }

  const depth = (errs: VerboseError[]) => Math.max(...errs.map((e) => e.instancePath.split('/').length));
  fitting.sort(([, a], [, b]) => depth(b) - depth(a) || a.length - b.length);
  return { errors: fitting[0]![1] };
}
