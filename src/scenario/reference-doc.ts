import { fileURLToPath } from 'node:url';
import { METRICS } from '../checks/metric-names.js';
import { PATTERNS } from './defaults.js';
import { ScenarioSchema } from './schema.js';

/**
 * Renders docs/scenario-reference.md from the one scenario schema (and the metric catalog
 * `expect` lines name), so the page cannot drift from what the validator accepts. Written
 * by `npm run schema` beside the JSON Schema; a unit test fails when the committed page
 * differs from what this renders.
 */
export const REFERENCE_FILE = fileURLToPath(new URL('../../../docs/scenario-reference.md', import.meta.url));

/** The slice of JSON Schema that TypeBox produces for the scenario. */
interface Node {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  minProperties?: number;
  maxProperties?: number;
  properties?: Record<string, Node>;
  required?: string[];
  patternProperties?: Record<string, Node>;
  items?: Node;
  anyOf?: Node[];
}

interface Section {
  readonly title: string;
  readonly node: Node;
}

const PATTERN_WORDS = new Map<string, string>(Object.values(PATTERNS).map((p) => [p.source, p.says]));

const code = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
/** Table cells hold one line, and a `|` would end the cell. */
const cell = (text: string) => text.replace(/\s*\n\s*/g, ' ').replaceAll('|', '\\|');

/** What values a node takes, in a few words; nested objects are named, described below. */
function typeOf(node: Node, below: string): string {
  if (node.const !== undefined) return code(node.const);
  if (node.enum) return [...new Set(node.enum.map(code))].join(' | ');
  if (node.anyOf) return [...new Set(node.anyOf.map((n) => typeOf(n, below)))].join(' | ');
  if (node.properties) return `object (${below})`;
  if (node.patternProperties) {
    const [key, value] = Object.entries(node.patternProperties)[0]!;
    const name = key === '^(.*)$' ? 'name' : PATTERN_WORDS.get(key) ?? `name matching ${code(key)}`;
    return `map: ${name} → ${typeOf(value, below)}`;
  }
  if (node.type === 'array') return `list of ${typeOf(node.items!, below)}`;
  if (node.type === 'null') return 'empty';
  if (node.type === 'string' && node.pattern) return PATTERN_WORDS.get(node.pattern) ?? `text matching ${code(node.pattern)}`;
  const range = [node.minimum !== undefined ? `≥ ${node.minimum}` : '', node.maximum !== undefined ? `≤ ${node.maximum}` : ''].filter(Boolean);
  return range.length > 0 ? `${node.type} ${range.join(', ')}` : node.type ?? 'any';
}

/** Every object shape a node may take (a union's alternatives, a list's items, a map's values). */
function shapes(node: Node): Node[] {
  if (node.properties) return [node];
  if (node.anyOf) return node.anyOf.flatMap(shapes);
  if (node.items) return shapes(node.items);
  if (node.patternProperties) return Object.values(node.patternProperties).flatMap(shapes);
  return [];
}

/** A name for one of several shapes: its `kind`, else its one key, else its position. */
function shapeName(shape: Node, index: number): string {
  const kind = shape.properties?.kind?.const;
  if (typeof kind === 'string') return `kind: ${kind}`;
  const keys = Object.keys(shape.properties ?? {});
  if (keys.length === 1) return `{ ${keys[0]}: … }`;
  return keys.length <= 3 ? `{ ${keys.join(', ')} }` : `form ${index + 1}`;
}

/** The path a reader writes: `groups.<name>`, `phases[]`, `memory.probes[]`. */
function childPath(path: string, key: string, node: Node): string {
  const here = path ? `${path}.${key}` : key;
  if (node.patternProperties) return `${here}.<name>`;
  if (node.type === 'array') return `${here}[]`;
  return here;
}

/** Fields alone, defaults aside: a matrix override's groups have a group's fields. */
const fieldsOf = (node: Node) => JSON.stringify(Object.entries(node.properties ?? {}).map(([k, v]) => [k, { ...v, default: undefined }]));

/** Sections for an object and, depth first, for every object its fields may hold. */
function allSections(path: string, node: Node): Section[] {
  const found: Section[] = [{ title: path, node }];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const inner = shapes(child);
    const at = childPath(path, key, child);
    inner.forEach((shape, i) => found.push(...allSections(inner.length > 1 ? `${at} (${shapeName(shape, i)})` : at, shape)));
  }
  return found;
}

const depth = (title: string) => title.split('.').length;

/**
 * Shapes with the same two or more fields are described once, under the shortest path;
 * `same` maps every other path to it.
 */
function distinctSections(root: Node): { sections: Section[]; same: Map<string, string> } {
  const all = allSections('', root);
  const same = new Map<string, string>();
  const sections = all.filter((s) => {
    if (Object.keys(s.node.properties ?? {}).length < 2) return true;
    const first = all.filter((o) => fieldsOf(o.node) === fieldsOf(s.node)).sort((a, b) => depth(a.title) - depth(b.title))[0]!;
    if (first !== s) same.set(s.title, first.title);
    return first === s;
  });
  return { sections, same };
}

/** GitHub's heading anchors: lower case, punctuation dropped, each space a "-". */
const anchor = (title: string) => `#${title.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-')}`;

function table(section: Section, titles: readonly string[], same: ReadonlyMap<string, string>): string {
  const required = new Set(section.node.required ?? []);
  const rows = Object.entries(section.node.properties ?? {}).map(([key, child]) => {
    const inner = shapes(child);
    const at = childPath(section.title, key, child);
    const paths = inner.map((s, i) => (inner.length > 1 ? `${at} (${shapeName(s, i)})` : at));
    const below = paths
      .map((t) => (titles.includes(t) ? `[${t}](${anchor(t)})` : same.has(t) ? `fields as [${same.get(t)}](${anchor(same.get(t)!)})` : ''))
      .filter(Boolean)
      .join(', ');
    const dflt = child.default !== undefined ? code(child.default) : required.has(key) ? '**required**' : '';
    return `| \`${key}\` | ${cell(typeOf(child, below))} | ${dflt} | ${cell(child.description ?? '')} |`;
  });
  return ['| field | value | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

const sentence = (text: string) => `${text[0]!.toUpperCase()}${text.slice(1)}.`;

function renderSection(section: Section, titles: readonly string[], same: ReadonlyMap<string, string>): string {
  const { node } = section;
  const says = [
    node.description ? sentence(node.description) : '',
    node.maxProperties === 1 ? 'Exactly one of these fields.' : node.minProperties === 1 && !node.required ? 'At least one of these fields.' : '',
  ].filter(Boolean);
  return `## ${section.title || 'Top level'}\n\n${says.length > 0 ? `${says.join(' ')}\n\n` : ''}${table(section, titles, same)}\n`;
}

function metricsTable(): string {
  const rows = Object.entries(METRICS).map(([name, info]) => `| \`${name}\` | ${info.kind} | ${cell(info.description)} |`);
  return ['| metric | kind | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

const HEAD = `# Scenario reference

What may a scenario file say, field by field, and what may its \`expect\` lines name?

Generated from \`src/scenario/schema.ts\` (the schema the validator and
\`schema/scenario.schema.json\` come from) and \`src/checks/metric-names.ts\` by
\`npm run schema\`: do not edit this page by hand. For a whole scenario explained line by
line, see [Writing scenarios](writing-scenarios.md).

Every duration and rate carries a unit: durations \`us\`, \`ms\`, \`s\`, \`m\`, \`h\` (\`250ms\`,
\`2s\`, \`1.5m\`), rates \`/s\`, \`/m\`, \`/h\` (\`500/s\`), bandwidths \`KB/s\`, \`MB/s\`, \`GB/s\`
(1 KB = 1000 B, as Toxiproxy counts). Rules a schema cannot say (a group a phase names
must exist, phase order, \`expect\` expressions) are checked by \`mqtt-chaos validate\`.
`;

const METRICS_HEAD = `## Metrics for \`expect\`

An \`expect\` line is \`<metric> <op> <value>[unit]\`, with \`<\`, \`<=\`, \`==\`, \`>=\`, \`>\` (e.g.
\`redelivery.lost == 0\`, \`redelivery.latency.p99 < 2s\`). Durations take a time unit,
sizes \`B\`, \`KB\`, \`MB\`, \`GB\` (1000-based) or \`KiB\`, \`MiB\`, \`GiB\` (1024-based), ratios a
percentage (\`80%\`), counts a plain number.
`;

export function renderReference(): string {
  const { sections: all, same } = distinctSections(ScenarioSchema as unknown as Node);
  const titles = all.map((s) => s.title);
  return `${HEAD}\n${all.map((s) => renderSection(s, titles, same)).join('\n')}\n${METRICS_HEAD}\n${metricsTable()}\n`;
}
