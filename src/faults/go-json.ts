// Mimics Go's encoding/json `json.NewDecoder(body).Decode(&target)` closely
// enough that the Toxiproxy-compatible API answers with Go's exact error texts.
// Decoding runs in two phases, like Go's: the first value is parsed (syntax
// errors abort everything), then it is stored into the target type, where type
// mismatches are skipped and only the first one is reported at the end.

/** A Go type as far as decoding needs it. */
export type GoType =
  | { kind: 'string' }
  | { kind: 'bool' }
  | { kind: 'int64' }
  | { kind: 'int' } // 64-bit, as on every platform Toxiproxy ships for
  | { kind: 'float32' }
  | { kind: 'float64' }
  | { kind: 'any' } // interface{}
  | { kind: 'pointer'; elem: GoType } // null allowed -> stays null
  // goName is reflect.Type.String(), used in "... of type <goName>"; defaults to "[]<elem>".
  | { kind: 'slice'; elem: GoType; goName?: string }
  // name is reflect.Type.Name() ("LatencyToxic", "" for an anonymous struct), printed before the
  // field path; goName is its String() ("toxics.LatencyToxic"), defaulting to name.
  // fields are keyed by their JSON names (ASCII, as in struct tags).
  | { kind: 'struct'; name: string; goName?: string; fields: Record<string, GoType> };

export type GoDecodeResult = { value: unknown } | { error: string };

/**
 * Decodes the first JSON value of body onto initial (the target's current value, which is
 * not mutated) as Go's Decoder.Decode would. Bytes after that value are ignored.
 */
export function decodeGo(body: string | Uint8Array, type: GoType, initial?: unknown): GoDecodeResult {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  let node: Node;
  try {
    const p = new Parser(bytes);
    if (!p.skipSpace()) return { error: 'EOF' }; // io.EOF: nothing but whitespace
    node = p.value();
  } catch (e) {
    if (e instanceof SyntaxFail) return { error: e.message };
    throw e;
  }
  const d = new Store();
  const value = d.value(node, type, initial === undefined ? zero(type) : initial);
  return d.err === undefined ? { value } : { error: d.err };
}

type Node =
  | { t: 'obj'; entries: Array<[string, Node]> }
  | { t: 'arr'; items: Node[] }
  | { t: 'str'; v: string }
  | { t: 'num'; raw: string }
  | { t: 'bool'; v: boolean }
  | { t: 'null' };
type Container = Extract<Node, { t: 'obj' | 'arr' }>;

class SyntaxFail extends Error {}

const MAX_DEPTH = 10000; // scanner.go maxNestingDepth
const ESCAPES: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };
const ascii = new TextDecoder();
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

// Go's scanner.error: "invalid character " + quoteChar(c) + " " + context.
function syntax(c: number, context: string): SyntaxFail {
  return new SyntaxFail(`invalid character ${quoteChar(c)} ${context}`);
}

// scanner.go quoteChar: strconv.Quote(string(rune(c))) between single quotes. A byte >= 0x80
// is taken as the rune U+0080..U+00FF, so e.g. the first byte of "é" prints as 'Ã'.
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const hex = c.toString(16).padStart(2, '0');
  const named: Record<number, string> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r', 0x5c: '\\' };
  if (named[c] !== undefined) return `'\\${named[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${hex}'`;
  // strconv.IsPrint is false for C1 controls, NBSP and the soft hyphen.
  if (c >= 0x80 && (c <= 0xa0 || c === 0xad)) return `'\\u00${hex}'`;
  return `'${String.fromCharCode(c)}'`;
}

// A recursive-descent equivalent of Go's scanner state machine: it fails on the same byte
// with the same context text. Running out of input inside the value is "unexpected EOF"
// (stream.go replaces whatever the scanner would say at EOF by io.ErrUnexpectedEOF).
class Parser {
  private i = 0;
  constructor(private readonly b: Uint8Array) {}

  /** Skips whitespace; false when the input is exhausted. */
  skipSpace(): boolean {
    for (let c = this.b[this.i]; c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d; c = this.b[++this.i]);
    return this.i < this.b.length;
  }

  private next(): number {
    const c = this.b[this.i++];
    if (c === undefined) throw new SyntaxFail('unexpected EOF');
    return c;
  }

  private nextNonSpace(): number {
    this.skipSpace();
    return this.next();
  }

  private peekDigit(): boolean {
    return isDigit(this.b[this.i] ?? -1);
  }

  // Iterative, with an explicit stack of open containers: MAX_DEPTH levels would overflow
  // the JS call stack.
  value(): Node {
    const open: Array<{ node: Container; key: string }> = [];
    for (;;) {
      const c = this.nextNonSpace();
      let v: Node;
      if (c === 0x7b || c === 0x5b) {
        if (open.length + 1 > MAX_DEPTH) throw syntax(c, 'exceeded max depth');
        const node: Container = c === 0x7b ? { t: 'obj', entries: [] } : { t: 'arr', items: [] };
        const first = this.nextNonSpace();
        if (first !== c + 2) { // not at once '}' or ']': the first member follows
          open.push({ node, key: node.t === 'obj' ? this.key(first) : '' });
          if (node.t === 'arr') this.i--; // first starts the element
          continue;
        }
        v = node;
      } else v = this.scalar(c);
      // v is complete: add it to its container, closing every container that ends after it.
      for (;;) {
        const top = open.at(-1);
        if (top === undefined) return v;
        const { node } = top;
        if (node.t === 'obj') node.entries.push([top.key, v]);
        else node.items.push(v);
        const sep = this.nextNonSpace();
        if (sep === (node.t === 'obj' ? 0x7d : 0x5d)) {
          v = node;
          open.pop();
          continue;
        }
        if (sep !== 0x2c) throw syntax(sep, node.t === 'obj' ? 'after object key:value pair' : 'after array element');
        if (node.t === 'obj') top.key = this.key(this.nextNonSpace());
        break;
      }
    }
  }

  // An object key and its colon; c is the byte that should open the key.
  private key(c: number): string {
    if (c !== 0x22) throw syntax(c, 'looking for beginning of object key string');
    const key = this.string();
    const colon = this.nextNonSpace();
    if (colon !== 0x3a) throw syntax(colon, 'after object key');
    return key;
  }

  private scalar(c: number): Node {
    if (c === 0x22) return { t: 'str', v: this.string() };
    if (c === 0x2d || isDigit(c)) return { t: 'num', raw: this.number(c) };
    const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : undefined;
    if (word === undefined) throw syntax(c, 'looking for beginning of value');
    for (const want of word.slice(1)) {
      const got = this.next();
      if (got !== want.charCodeAt(0)) throw syntax(got, `in literal ${word} (expecting '${want}')`);
    }
    return word === 'null' ? { t: 'null' } : { t: 'bool', v: word === 'true' };
  }

  private number(first: number): string {
    const start = this.i - 1;
    let c = first;
    if (c === 0x2d) {
      c = this.next();
      if (!isDigit(c)) throw syntax(c, 'in numeric literal');
    }
    if (c !== 0x30) while (this.peekDigit()) this.i++;
    if (this.b[this.i] === 0x2e) {
      this.i++;
      c = this.next();
      if (!isDigit(c)) throw syntax(c, 'after decimal point in numeric literal');
      while (this.peekDigit()) this.i++;
    }
    if (this.b[this.i] === 0x65 || this.b[this.i] === 0x45) {
      this.i++;
      c = this.next();
      if (c === 0x2b || c === 0x2d) c = this.next();
      if (!isDigit(c)) throw syntax(c, 'in exponent of numeric literal');
      while (this.peekDigit()) this.i++;
    }
    return ascii.decode(this.b.subarray(start, this.i));
  }

  // Called after the opening quote. Decodes as Go's unquote: invalid UTF-8 bytes and
  // unpaired surrogate escapes each become U+FFFD.
  private string(): string {
    let out = '';
    for (;;) {
      const c = this.next();
      if (c === 0x22) return out;
      if (c < 0x20) throw syntax(c, 'in string literal');
      if (c === 0x5c) {
        const e = this.next();
        if (e !== 0x75) {
          if (ESCAPES[e] === undefined) throw syntax(e, 'in string escape code');
          out += ESCAPES[e];
          continue;
        }
        let r = this.hex4();
        if (r >= 0xd800 && r < 0xe000) {
          const lo = this.b[this.i] === 0x5c && this.b[this.i + 1] === 0x75 ? hexAt(this.b, this.i + 2) : -1;
          if (r < 0xdc00 && lo >= 0xdc00 && lo < 0xe000) {
            r = 0x10000 + ((r - 0xd800) << 10) + (lo - 0xdc00);
            this.i += 6;
          } else r = 0xfffd;
        }
        out += String.fromCodePoint(r);
      } else if (c < 0x80) out += String.fromCharCode(c);
      else {
        const [r, size] = decodeRune(this.b, this.i - 1);
        out += String.fromCodePoint(r);
        this.i += size - 1;
      }
    }
  }

  private hex4(): number {
    for (let k = 0; k < 4; k++) {
      const h = this.next();
      if (!isHex(h)) throw syntax(h, 'in \\u hexadecimal character escape');
    }
    return parseInt(String.fromCharCode(...this.b.subarray(this.i - 4, this.i)), 16);
  }
}

function hexAt(b: Uint8Array, i: number): number {
  const s = b.subarray(i, i + 4);
  return s.length === 4 && s.every(isHex) ? parseInt(String.fromCharCode(...s), 16) : -1;
}

// utf8.DecodeRune: a malformed sequence yields (U+FFFD, 1), i.e. one U+FFFD per bad byte
// (TextDecoder would fold a truncated sequence into a single U+FFFD).
function decodeRune(b: Uint8Array, i: number): [number, number] {
  const c0 = b[i] ?? 0;
  const n = c0 >= 0xc2 && c0 <= 0xdf ? 1 : c0 >= 0xe0 && c0 <= 0xef ? 2 : c0 >= 0xf0 && c0 <= 0xf4 ? 3 : 0;
  const lo = c0 === 0xe0 ? 0xa0 : c0 === 0xf0 ? 0x90 : 0x80; // reject overlong forms
  const hi = c0 === 0xed ? 0x9f : c0 === 0xf4 ? 0x8f : 0xbf; // reject surrogates, > U+10FFFF
  if (n === 0) return [0xfffd, 1];
  let r = c0 & (0x7f >> (n + 1));
  for (let k = 1; k <= n; k++) {
    const c = b[i + k] ?? 0;
    if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return [0xfffd, 1];
    r = (r << 6) | (c & 0x3f);
  }
  return [r, n + 1];
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const FLOAT64: GoType = { kind: 'float64' };

// The second phase: decode.go's value/object/array/literalStore on a parsed tree.
class Store {
  err: string | undefined;
  private struct = ''; // errorContext.Struct.Name() of the innermost struct entered
  private readonly path: string[] = []; // errorContext.FieldStack

  // saveError + addErrorContext: only the first type error is kept.
  private fail(what: string, type: GoType): void {
    if (this.err !== undefined) return;
    const into = this.path.length > 0 ? `Go struct field ${this.struct}.${this.path.join('.')}` : 'Go value';
    this.err = `json: cannot unmarshal ${what} into ${into} of type ${goTypeName(type)}`;
  }

  // On a mismatch Go skips the whole value, so nothing nested is decoded or reported.
  private mismatch(n: Node, type: GoType, cur: unknown): unknown {
    const what = { obj: 'object', arr: 'array', str: 'string', num: 'number', bool: 'bool', null: 'null' }[n.t];
    this.fail(what, type);
    return cur;
  }

  value(n: Node, type: GoType, cur: unknown): unknown {
    // null sets pointers, slices and interfaces to nil and leaves every other kind alone.
    if (n.t === 'null') return type.kind === 'pointer' || type.kind === 'slice' || type.kind === 'any' ? null : cur;
    switch (type.kind) {
      case 'any':
        if (n.t === 'num') return this.float(n.raw, FLOAT64) ?? cur;
        return this.generic(n);
      case 'pointer': // a nil pointer is allocated, an existing one is decoded through
        return this.value(n, type.elem, cur ?? zero(type.elem));
      case 'string':
        return n.t === 'str' ? n.v : this.mismatch(n, type, cur);
      case 'bool':
        return n.t === 'bool' ? n.v : this.mismatch(n, type, cur);
      case 'int':
      case 'int64': {
        if (n.t !== 'num') return this.mismatch(n, type, cur);
        // strconv.ParseInt: no fraction or exponent, even "1e2" or "1.0", and int64 range.
        const big = /^-?\d+$/.test(n.raw) ? BigInt(n.raw) : undefined;
        if (big !== undefined && big >= INT64_MIN && big <= INT64_MAX) return Number(big);
        this.fail(`number ${n.raw}`, type);
        return cur;
      }
      case 'float32':
      case 'float64':
        return n.t === 'num' ? (this.float(n.raw, type) ?? cur) : this.mismatch(n, type, cur);
      case 'slice': {
        if (n.t !== 'arr') return this.mismatch(n, type, cur);
        // Go reuses the existing elements' storage, so elements decode onto the old ones.
        const old = Array.isArray(cur) ? cur : [];
        return n.items.map((item, i) => this.value(item, type.elem, i < old.length ? old[i] : zero(type.elem)));
      }
      case 'struct': {
        if (n.t !== 'obj') return this.mismatch(n, type, cur);
        const out = withAllFields(type, cur);
        const names = Object.keys(type.fields);
        for (const [key, item] of n.entries) {
          // An exact match wins over a case-insensitive one (decode.go byExactName/byFoldedName).
          const name = Object.hasOwn(type.fields, key) ? key : names.find((f) => fold(f) === fold(key));
          const fieldType = name === undefined ? undefined : type.fields[name];
          if (name === undefined || fieldType === undefined) continue; // unknown keys are ignored
          const outer = this.struct;
          this.struct = type.name;
          this.path.push(name);
          out[name] = this.value(item, fieldType, out[name]);
          this.path.pop();
          this.struct = outer;
        }
        return out;
      }
    }
  }

  // strconv.ParseFloat(raw, bits): only overflow to ±Inf is an error (underflow gives 0).
  private float(raw: string, type: GoType): number | undefined {
    const n = type.kind === 'float32' ? Math.fround(Number(raw)) : Number(raw);
    if (Number.isFinite(n)) return n;
    this.fail(`number ${raw}`, type);
    return undefined;
  }

  // interface{} gets bool, float64, string, []interface{}, map[string]interface{} or nil; a
  // number out of float64 range is reported as such and stored as nil. Iterative post-order
  // walk (deep nesting), children in document order so errors keep Go's order.
  private generic(root: Node): unknown {
    const done: unknown[] = [];
    const todo: Array<Node | { close: Container }> = [root];
    for (let w = todo.pop(); w !== undefined; w = todo.pop()) {
      if ('close' in w) {
        const n = w.close;
        const vals = done.splice(done.length - (n.t === 'obj' ? n.entries.length : n.items.length));
        // fromEntries defines own properties: a "__proto__" key stays an ordinary key.
        done.push(n.t === 'arr' ? vals : Object.fromEntries(n.entries.map(([k], i) => [k, vals[i]])));
      } else if (w.t === 'obj' || w.t === 'arr') {
        todo.push({ close: w }, ...(w.t === 'obj' ? w.entries.map((e) => e[1]) : w.items).reverse());
      } else done.push(w.t === 'num' ? (this.float(w.raw, FLOAT64) ?? null) : w.t === 'null' ? null : w.v);
    }
    return done[0];
  }
}

// Go's foldName for ASCII field names: upper-case ASCII letters; of the non-ASCII runes
// only the Kelvin sign and long s fold onto ASCII letters.
function fold(s: string): string {
  return s.replace(/[a-z\u017f\u212a]/g, (c) => (c === '\u017f' ? 'S' : c === '\u212a' ? 'K' : c.toUpperCase()));
}

function goTypeName(t: GoType): string {
  switch (t.kind) {
    case 'any':
      return 'interface {}';
    case 'pointer':
      return `*${goTypeName(t.elem)}`;
    case 'slice':
      return t.goName ?? `[]${goTypeName(t.elem)}`;
    case 'struct':
      return t.goName ?? t.name;
    default:
      return t.kind;
  }
}

function zero(t: GoType): unknown {
  switch (t.kind) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'struct':
      return withAllFields(t, undefined);
    case 'any':
    case 'pointer':
    case 'slice':
      return null;
    default:
      return 0;
  }
}

// A copy of cur that has every field of t (a Go struct always does). Properties of cur that
// are not JSON fields are kept, as Go leaves fields without a JSON name untouched.
function withAllFields(t: Extract<GoType, { kind: 'struct' }>, cur: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = typeof cur === 'object' && cur !== null ? { ...cur } : {};
  for (const [name, ft] of Object.entries(t.fields)) if (out[name] === undefined) out[name] = zero(ft);
  return out;
}

const FLOAT32_TINY = Math.fround(1e-6);
const FLOAT32_HUGE = Math.fround(1e21);

/**
 * Prints a float32 value as Go's json.Marshal does: the shortest decimal that reads back as
 * the same float32, in %f form, or %e form (exponent without a leading zero) below 1e-6 or
 * from 1e21 on. NaN and ±Inf throw, as Marshal fails on them.
 */
export function formatFloat32(value: number): string {
  const x = Math.fround(value);
  if (!Number.isFinite(x)) throw new RangeError(`json: unsupported value: ${x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN'}`);
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const abs = Math.abs(x);
  let { digits, exp } = shortest32(abs); // abs = 0.digits × 10^exp
  digits = digits.replace(/0+$/, '');
  let text: string;
  if (abs < FLOAT32_TINY || abs >= FLOAT32_HUGE) {
    const e = exp - 1;
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    text = `${mantissa}e${e < 0 ? '-' : '+'}${Math.abs(e) < 10 && e > 0 ? '0' : ''}${Math.abs(e)}`;
  } else if (exp <= 0) text = `0.${'0'.repeat(-exp)}${digits}`;
  else if (exp >= digits.length) text = digits + '0'.repeat(exp - digits.length);
  else text = `${digits.slice(0, exp)}.${digits.slice(exp)}`;
  return (x < 0 ? '-' : '') + text;
}

// strconv's shortest mode for 32 bits: the fewest significant digits that round-trip, and of
// those the one nearest the value. toExponential gives the nearest p-digit decimal; the one
// just above or below it is also tried since float32's rounding interval can be lopsided, and
// so is the all-nines p-digit number below a power of ten that the value was rounded up to.
function shortest32(x: number): { digits: string; exp: number } {
  for (let p = 1; p <= 9; p++) {
    const [m = '', e = ''] = x.toExponential(p - 1).split('e');
    const mant = Number(m.replace('.', ''));
    const scale = Number(e) - p + 1; // value = mant × 10^scale
    const tries: Array<[number, number]> = [[mant - 1, scale], [mant, scale], [mant + 1, scale]];
    if (mant === 10 ** (p - 1)) tries.push([10 ** p - 1, scale - 1]);
    let best: { digits: string; exp: number; dist: number } | undefined;
    for (const [cm, cs] of tries) {
      const v = Number(`${cm}e${cs}`);
      if (cm <= 0 || Math.fround(v) !== x) continue;
      const dist = Math.abs(v - x);
      if (best === undefined || dist < best.dist) best = { digits: String(cm), exp: cs + String(cm).length, dist };
    }
    if (best !== undefined) return best;
  }
  throw new Error(`unreachable: ${x} has no 9-digit representation`);
}
