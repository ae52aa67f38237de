import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Alias, type Document, type Node } from 'yaml';
import type { Path, Problem } from './problems.js';

/** 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** A parsed YAML file that can say where any field of its data was written. */
export interface SourceDoc {
  data: unknown;
  /** Where the value at `path` is; with `key`, where its key is. A path that goes past what
   *  the file holds (a missing key) gives the deepest part that exists. */
  locate(path: Path, options?: { key?: boolean }): Position;
  /** The position of the `column`-th character (1-based) of the string at `path`, when the
   *  string is written plainly or quoted without escapes; else where the value starts. */
  locateInString(path: Path, column: number): Position;
}

export type ParsedYaml = { ok: true; doc: SourceDoc } | { ok: false; problems: Problem[] };

interface Found {
  node: Node | null;
  key: Node | null;
}

/** Parses YAML text; syntax errors come back as problems with their file:line:column. */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lines = new LineCounter();
  // merge: `<<: *defaults` lets groups share settings, as YAML 1.1 users expect.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const at = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => ({ severity: 'error' as const, file, ...at(e.pos[0]), path: '', message: firstLine(e.message) }));
    return { ok: false, problems };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    // The syntax was accepted: an alias with no anchor, or an alias bomb.
    const alias = unresolvedAlias(doc);
    if (alias) {
      const where = at(alias.range?.[0] ?? 0);
      return { ok: false, problems: [{ severity: 'error', file, ...where, path: '', message: `alias *${alias.source} has no anchor &${alias.source} before it` }] };
    }
    const message = firstLine(err instanceof Error ? err.message : String(err));
    return { ok: false, problems: [{ severity: 'error', file, line: 1, column: 1, path: '', message }] };
  }

  const find = (path: Path): Found & { complete: boolean } => {
    let found: Found = { node: doc.contents, key: null };
    for (const segment of path) {
      const next = step(doc, found.node, segment);
      if (!next) return { ...found, complete: false };
      found = next;
    }
    return { ...found, complete: true };
  };
  const start = (node: Node | null): number => node?.range?.[0] ?? 0;

  return {
    ok: true,
    doc: {
      data,
      locate(path, options = {}) {
        const found = find(path);
        const valueIsEmpty = !found.node || (isScalar(found.node) && found.node.value === null && isBlank(found.node, text));
        const useKey = found.key && (options.key || !found.complete || valueIsEmpty);
        return at(start(useKey ? found.key : found.node));
      },
      locateInString(path, column) {
        const found = find(path);
        const node = found.node;
        if (!found.complete || !isScalar(node) || typeof node.value !== 'string' || !node.range) return this.locate(path);
        const source = text.slice(node.range[0], node.range[1]);
        const quote = node.type === 'QUOTE_DOUBLE' ? '"' : node.type === 'QUOTE_SINGLE' ? "'" : '';
        const verbatim = (node.type === 'PLAIN' || quote !== '') && source === `${quote}${node.value}${quote}`;
        return at(verbatim ? node.range[0] + quote.length + column - 1 : node.range[0]);
      },
    },
  };
}

function step(doc: Document, node: Node | null, segment: string | number): Found | undefined {
  const target = isAlias(node) ? (node.resolve(doc) ?? null) : node;
  if (isMap(target)) {
    const pair = target.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
    return pair ? { node: (pair.value as Node | null) ?? null, key: pair.key as Node } : undefined;
  }
  if (isSeq(target) && typeof segment === 'number') {
    const item = target.items[segment] as Node | undefined;
    return item ? { node: item, key: null } : undefined;
  }
  return undefined;
}

function isBlank(node: Node, text: string): boolean {
  const range = node.range;
  return !range || text.slice(range[0], range[1]).trim() === '';
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/** The first alias whose anchor does not exist (yaml reports it only when converting). */
function unresolvedAlias(doc: Document): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}
