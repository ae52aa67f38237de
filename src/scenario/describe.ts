import { PATTERNS } from './defaults.js';

/**
 * Words for schemas and values, shared by the error messages: "an integer >= 1",
 * "subscriber or publisher", "a duration with a unit, e.g. 250ms", `"abc"`.
 */

type SchemaLike = Record<string, unknown>;

const TYPE_WORDS: Record<string, string> = {
  object: 'a map',
  array: 'a list',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  null: 'empty',
};

/** "a, b or c" */
export function joinOr(items: readonly unknown[]): string {
  const words = items.map(String);
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** A value as an error message quotes it: strings quoted and cut short, maps and lists named. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  return String(value);
}

export function patternWords(source: unknown): string | undefined {
  return Object.values(PATTERNS).find((p) => p.source === source)?.says;
}

/** What a schema accepts, in words. */
export function describeSchema(schema: SchemaLike): string {
  if (schema.const !== undefined) return String(schema.const);
  if (Array.isArray(schema.enum)) return joinOr([...new Set(schema.enum.map(String))]);
  const says = patternWords(schema.pattern);
  if (says) return says;
  const type = typeof schema.type === 'string' ? schema.type : 'any';
  if (type === 'integer' || type === 'number') return `${TYPE_WORDS[type]}${bounds(schema)}`;
  if (type === 'object') {
    const required = Array.isArray(schema.required) ? schema.required : [];
    return required.length > 0 ? `a map with ${required.join(', ')}` : 'a map';
  }
  return TYPE_WORDS[type] ?? 'a value';
}

/** For a union: its branches in words, e.g. `an integer 0..4294967295 or never`. A union of
 *  maps told apart by one constant key says so: `a map with kind: cut, partition or reset`. */
export function describeUnion(branches: readonly SchemaLike[]): string {
  const tag = discriminator(branches);
  if (tag) return `a map with ${tag.key}: ${joinOr(tag.values)}`;
  const words = branches.flatMap((b) => (Array.isArray(b.enum) ? b.enum.map(String) : [describeSchema(b)]));
  return joinOr([...new Set(words)]);
}

/** The key whose constant tells a union's map branches apart, and its values. */
export function discriminator(branches: readonly SchemaLike[]): { key: string; values: string[] } | undefined {
  const first = branches[0]?.properties as Record<string, SchemaLike> | undefined;
  if (!first || branches.length < 2) return undefined;
  for (const key of Object.keys(first)) {
    const values = branches.map((b) => (b.properties as Record<string, SchemaLike> | undefined)?.[key]?.const);
    if (values.every((v) => typeof v === 'string')) return { key, values: values as string[] };
  }
  return undefined;
}

function bounds(schema: SchemaLike): string {
  const { minimum: min, maximum: max } = schema;
  if (typeof min === 'number' && typeof max === 'number') return ` ${min}..${max}`;
  if (typeof min === 'number') return ` >= ${min}`;
  if (typeof max === 'number') return ` <= ${max}`;
  return '';
}
