// Mimics Go's encoding/json `json.NewDecoder(body).Decode(&target)` so that the Toxiproxy-compatible
// API answers with Go's exact error texts. Like Go, decoding runs in two phases: the first JSON
// value is parsed (a syntax error aborts everything), then it is stored into the target type, where
// a type mismatch skips that value and only the first mismatch is reported, at the end.

/** A Go type as far as decoding needs it. int is 64-bit, as on every platform Toxiproxy ships for. */
export type GoType =
  | { kind: 'string' | 'bool' | 'int64' | 'int' | 'float32' | 'float64' | 'any' } // any: interface{}
  | { kind: 'pointer'; elem: GoType } // null allowed -> stays null
  // goName is reflect.Type.String(), printed in "... of type <goName>"; defaults to "[]<elem>".
  | { kind: 'slice'; elem: GoType; goName?: string }
  // name is reflect.Type.Name() ("LatencyToxic"; "" if anonymous), printed before the field path;
  // goName is its String() ("toxics.LatencyToxic"), defaulting to name. fields are keyed by their
  // JSON names, which must be ASCII (as struct tags are).
  | { kind: 'struct'; name: string; goName?: string; fields: Record<string, GoType> };

export type GoDecodeResult = { value: unknown } | { error: string };

/**
 * Decodes the first JSON value in body onto initial (the target's current value; not mutated) as
 * Go's Decoder.Decode does. Whatever follows that value is ignored.
 */
export function decodeGo(body: string | Uint8Array, type: GoType, initial?: unknown): GoDecodeResult {
  let node: Node;
  try {
    const p = new Parser(typeof body === 'string' ? new TextEncoder().encode(body) : body);
    if (!p.skipSpace()) return { error: 'EOF' }; // io.EOF: nothing but whitespace
    node = p.value();
  } catch (e) {
    if (e instanceof SyntaxFail) return { error: e.message };
    throw e;
  }
  const store = new Store();
  const value = store.value(node, type, initial === undefined ? zero(type) : initial);
  return store.err === undefined ? { value } : { error: store.err };
}

type Node =
  | { t: 'obj'; entries: Array<[string, Node]> }
  | { t: 'arr'; items: Node[] }
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'num'; raw: string }
  | { t: 'null' };
type Container = Extract<Node, { t: 'obj' | 'arr' }>;

class SyntaxFail extends Error {}

const MAX_DEPTH = 10000; // scanner.go maxNestingDepth
const ESCAPES: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

// Go's scanner.error: "invalid character " + quoteChar(c) + " " + context.
const syntax = (c: number, context: string): SyntaxFail => new SyntaxFail(`invalid character ${quoteChar(c)} ${context}`);

// scanner.go quoteChar: strconv.Quote(string(rune(c))) in single quotes. A byte >= 0x80 is taken as the
// rune U+0080..U+00FF, so the first byte of "é" prints as 'Ã'.
function quoteChar(c: number): string {
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 0x5c: '\\\\', 0x27: "\\'" };
  const hex = c.toString(16).padStart(2, '0');
  if (named[c] !== undefined) return `'${named[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${hex}'`;
  if (c >= 0x80 && (c <= 0xa0 || c === 0xad)) return `'\\u00${hex}'`; // not strconv.IsPrint
  return `'${String.fromCharCode(c)}'`;
}

// Equivalent to Go's scanner state machine: fails on the same byte with the same context. Running out
// of input inside the value gives "unexpected EOF", as stream.go reports io.ErrUnexpectedEOF then.
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

  // Iterative, with a stack of open containers: MAX_DEPTH recursive calls would overflow the JS stack.
  value(): Node {
    const open: Array<{ node: Container; key: string }> = [];
    for (;;) {
      const c = this.nextNonSpace();
      let v: Node;
      if (c === 0x7b || c === 0x5b) {
        if (open.length === MAX_DEPTH) throw syntax(c, 'exceeded max depth');
        const node: Container = c === 0x7b ? { t: 'obj', entries: [] } : { t: 'arr', items: [] };
        const first = this.nextNonSpace();
        if (first !== c + 2) { // not an immediate '}' or ']': a first member follows
          open.push({ node, key: node.t === 'obj' ? this.key(first) : '' });
          if (node.t === 'arr') this.i--; // first begins the element
          continue;
        }
        v = node;
      } else v = this.scalar(c);
      // v is complete: add it to its container, and close each container that ends right after.
      for (let top = open.at(-1); ; top = open.at(-1)) {
        if (top === undefined) return v;
        const { node } = top;
        if (node.t === 'obj') node.entries.push([top.key, v]);
        else node.items.push(v);
        const sep = this.nextNonSpace();
        if (sep === (node.t === 'obj' ? 0x7d : 0x5d)) {
          open.pop();
          v = node;
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
    const word = { 0x74: 'true', 0x66: 'false', 0x6e: 'null' }[c];
    if (word === undefined) throw syntax(c, 'looking for beginning of value');
    for (const want of word.slice(1)) {
      const got = this.next();
      if (got !== want.charCodeAt(0)) throw syntax(got, `in literal ${word} (expecting '${want}')`);
    }
    return word === 'null' ? { t: 'null' } : { t: 'bool', v: word === 'true' };
  }

  private number(first: number): string {
    const start = this.i - 1;
    const digits = (context: string): void => {
      const c = this.next();
      if (!isDigit(c)) throw syntax(c, context);
      while (isDigit(this.b[this.i])) this.i++;
    };
    const lead = first === 0x2d ? this.next() : first;
    if (!isDigit(lead)) throw syntax(lead, 'in numeric literal');
    // Nothing follows a leading 0: "01" ends after the 0, and the caller judges the 1.
    if (lead !== 0x30) while (isDigit(this.b[this.i])) this.i++;
    if (this.b[this.i] === 0x2e) {
      this.i++;
      digits('after decimal point in numeric literal');
    }
    if (this.b[this.i] === 0x65 || this.b[this.i] === 0x45) {
      this.i++;
      if (this.b[this.i] === 0x2b || this.b[this.i] === 0x2d) this.i++;
      digits('in exponent of numeric literal');
    }
    return text(this.b.subarray(start, this.i));
  }

  // Called after the opening quote. Decodes like Go's unquote: every byte of malformed UTF-8 and every
  // unpaired surrogate escape becomes U+FFFD.
  private string(): string {
    let out = '';
    for (let c = this.next(); c !== 0x22; c = this.next()) {
      if (c < 0x20) throw syntax(c, 'in string literal');
      if (c !== 0x5c) {
        const [r, size] = c < 0x80 ? [c, 1] : decodeRune(this.b, this.i - 1);
        out += String.fromCodePoint(r);
        this.i += size - 1;
        continue;
      }
      const e = this.next();
      if (e !== 0x75) {
        if (ESCAPES[e] === undefined) throw syntax(e, 'in string escape code');
        out += ESCAPES[e];
        continue;
      }
      for (let k = 0; k < 4; k++) {
        const h = this.next();
        if (!isHex(h)) throw syntax(h, 'in \\u hexadecimal character escape');
      }
      let r = parseInt(text(this.b.subarray(this.i - 4, this.i)), 16);
      if (r >= 0xd800 && r < 0xe000) {
        // Only a high surrogate directly followed by a low one's escape makes a pair.
        const low = this.b.subarray(this.i, this.i + 6);
        const escaped = low.length === 6 && low[0] === 0x5c && low[1] === 0x75 && low.subarray(2).every(isHex);
        const lo = escaped ? parseInt(text(low.subarray(2)), 16) : 0;
        if (r < 0xdc00 && lo >= 0xdc00 && lo < 0xe000) {
          r = 0x10000 + ((r - 0xd800) << 10) + (lo - 0xdc00);
          this.i += 6;
        } else r = 0xfffd;
      }
      out += String.fromCodePoint(r);
    }
    return out;
  }
}

// utf8.DecodeRune: malformed input yields (U+FFFD, 1), one U+FFFD per bad byte (unlike TextDecoder,
// which folds a truncated sequence into a single U+FFFD).
function decodeRune(b: Uint8Array, i: number): [number, number] {
  const c0 = b[i] ?? 0;
  const n = c0 >= 0xc2 && c0 <= 0xdf ? 1 : c0 >= 0xe0 && c0 <= 0xef ? 2 : c0 >= 0xf0 && c0 <= 0xf4 ? 3 : 0;
  const lo = c0 === 0xe0 ? 0xa0 : c0 === 0xf0 ? 0x90 : 0x80; // no overlong forms
  const hi = c0 === 0xed ? 0x9f : c0 === 0xf4 ? 0x8f : 0xbf; // no surrogates, nothing past U+10FFFF
  let r = c0 & (0x7f >> (n + 1));
  for (let k = 1; k <= n; k++) {
    const c = b[i + k] ?? 0;
    if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return [0xfffd, 1];
    r = (r << 6) | (c & 0x3f);
  }
  return n === 0 ? [0xfffd, 1] : [r, n + 1];
}

const FLOAT64: GoType = { kind: 'float64' };
const NODE_KIND = { obj: 'object', arr: 'array', str: 'string', num: 'number', bool: 'bool', null: 'null' };

// The second phase: decode.go's value/object/array/literalStore, on the parsed tree.
class Store {
  err: string | undefined;
  private struct = ''; // errorContext.Struct.Name(): the innermost struct whose field is being decoded
  private readonly path: string[] = []; // errorContext.FieldStack: JSON field names from the top

  // saveError + addErrorContext: only the first error is kept.
  private fail(what: string, type: GoType): void {
    const into = this.path.length > 0 ? `Go struct field ${this.struct}.${this.path.join('.')}` : 'Go value';
    this.err ??= `json: cannot unmarshal ${what} into ${into} of type ${goTypeName(type)}`;
  }

  // On a mismatch Go skips the whole value: nothing inside it is decoded or reported.
  private mismatch(n: Node, type: GoType, cur: unknown): unknown {
    this.fail(NODE_KIND[n.t], type);
    return cur;
  }

  value(n: Node, type: GoType, cur: unknown): unknown {
    // null sets pointers, slices and interfaces to nil, and leaves every other kind alone.
    if (n.t === 'null') return type.kind === 'pointer' || type.kind === 'slice' || type.kind === 'any' ? null : cur;
    switch (type.kind) {
      case 'any':
        return n.t === 'num' ? (this.float(n.raw, FLOAT64) ?? cur) : this.generic(n);
      case 'pointer': // a nil pointer gets a new zero value; an existing one is decoded through
        return this.value(n, type.elem, cur ?? zero(type.elem));
      case 'string':
        return n.t === 'str' ? n.v : this.mismatch(n, type, cur);
      case 'bool':
        return n.t === 'bool' ? n.v : this.mismatch(n, type, cur);
      case 'int':
      case 'int64': {
        if (n.t !== 'num') return this.mismatch(n, type, cur);
        // strconv.ParseInt: no fraction or exponent at all (so not "1e2" nor "1.0"), within int64.
        const big = /^-?\d+$/.test(n.raw) ? BigInt(n.raw) : undefined;
        if (big !== undefined && BigInt.asIntN(64, big) === big) return Number(big);
        this.fail(`number ${n.raw}`, type);
        return cur;
      }
      case 'float32':
      case 'float64':
        return n.t === 'num' ? (this.float(n.raw, type) ?? cur) : this.mismatch(n, type, cur);
      case 'slice': {
        if (n.t !== 'arr') return this.mismatch(n, type, cur);
        // Go reuses the slice's backing array, so elements decode onto the existing ones.
        const old = Array.isArray(cur) ? cur : [];
        return n.items.map((item, i) => this.value(item, type.elem, i < old.length ? old[i] : zero(type.elem)));
      }
      case 'struct': {
        if (n.t !== 'obj') return this.mismatch(n, type, cur);
        const out = withAllFields(type, cur);
        for (const [key, item] of n.entries) {
          // An exact match wins over a case-insensitive one; unknown keys are ignored.
          const name = Object.hasOwn(type.fields, key) ? key : Object.keys(type.fields).find((f) => fold(f) === fold(key));
          const fieldType = name === undefined ? undefined : type.fields[name];
          if (name === undefined || fieldType === undefined) continue;
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

  // strconv.ParseFloat(raw, bits): only overflow (to ±Inf) is an error; underflow gives 0.
  private float(raw: string, type: GoType): number | undefined {
    const n = type.kind === 'float32' ? Math.fround(Number(raw)) : Number(raw);
    if (Number.isFinite(n)) return n;
    this.fail(`number ${raw}`, type);
    return undefined;
  }

  // interface{} holds bool, float64, string, []interface{}, map[string]interface{} or nil; a number
  // out of float64 range is reported and stored as nil. Iterative post-order walk (nesting may be
  // deep), visiting children in document order so that errors come in Go's order.
  private generic(root: Node): unknown {
    const done: unknown[] = [];
    const todo: Array<Node | { close: Container }> = [root];
    for (let w = todo.pop(); w !== undefined; w = todo.pop()) {
      if ('close' in w) {
        const n = w.close;
        const vals = done.splice(done.length - (n.t === 'obj' ? n.entries.length : n.items.length));
        // fromEntries defines own properties, so a "__proto__" key stays an ordinary key.
        done.push(n.t === 'arr' ? vals : Object.fromEntries(n.entries.map(([k], i) => [k, vals[i]])));
      } else if (w.t === 'obj' || w.t === 'arr') {
        todo.push({ close: w });
        const kids = w.t === 'obj' ? w.entries.map((e) => e[1]) : w.items;
        for (let i = kids.length - 1; i >= 0; i--) todo.push(kids[i] as Node);
      } else done.push(w.t === 'num' ? (this.float(w.raw, FLOAT64) ?? null) : w.t === 'null' ? null : w.v);
    }
    return done[0];
  }
}

// Go's foldName, enough for ASCII field names: ASCII letters upper-cased; the only non-ASCII runes
// that fold onto ASCII ones are the long s and the Kelvin sign.
const fold = (s: string): string =>
  s.replace(/[a-z\u017f\u212a]/g, (c) => (c === '\u017f' ? 'S' : c === '\u212a' ? 'K' : c.toUpperCase()));

const goTypeName = (t: GoType): string =>
  t.kind === 'any' ? 'interface {}'
  : t.kind === 'pointer' ? `*${goTypeName(t.elem)}`
  : t.kind === 'slice' ? (t.goName ?? `[]${goTypeName(t.elem)}`)
  : t.kind === 'struct' ? (t.goName ?? t.name)
  : t.kind;

const zero = (t: GoType): unknown =>
  t.kind === 'string' ? ''
  : t.kind === 'bool' ? false
  : t.kind === 'struct' ? withAllFields(t, undefined)
  : t.kind === 'any' || t.kind === 'pointer' || t.kind === 'slice' ? null
  : 0;

// A copy of cur with every field of t (a Go struct always has them all). Other properties of cur are
// kept, as Go leaves fields that have no JSON name untouched.
function withAllFields(t: Extract<GoType, { kind: 'struct' }>, cur: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = typeof cur === 'object' && cur !== null ? { ...cur } : {};
  for (const [name, ft] of Object.entries(t.fields)) if (out[name] === undefined) out[name] = zero(ft);
  return out;
}

/**
 * Prints a float32 as Go's json.Marshal does: the shortest decimal that reads back as the same
 * float32, in %f form, or in %e form (without a leading 0 in a negative exponent) below 1e-6 and
 * from 1e21 on, both thresholds taken as float32. NaN and ±Inf throw, as Marshal fails on them.
 */
export function formatFloat32(value: number): string {
  const x = Math.fround(value);
  if (!Number.isFinite(x)) throw new RangeError(`json: unsupported value: ${x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN'}`);
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const abs = Math.abs(x);
  const { digits, exp } = shortest32(abs); // abs = 0.<digits> × 10^exp
  let out: string;
  if (abs < Math.fround(1e-6) || abs >= Math.fround(1e21)) {
    const e = exp - 1;
    out = `${digits[0]}${digits.length > 1 ? '.' : ''}${digits.slice(1)}e${e < 0 ? '-' : '+'}${Math.abs(e)}`;
  } else if (exp <= 0) out = `0.${'0'.repeat(-exp)}${digits}`;
  else out = exp >= digits.length ? digits.padEnd(exp, '0') : `${digits.slice(0, exp)}.${digits.slice(exp)}`;
  return (x < 0 ? '-' : '') + out;
}

// strconv's shortest formatting for 32 bits: the fewest significant digits that ParseFloat(s, 32)
// reads back as x, and of those the nearest to x (ties to even). Exact, in BigInt units of 10^-150:
// every float32 is a multiple of that (x = m / 2^k = m·5^k / 10^k with k <= 149).
function shortest32(x: number): { digits: string; exp: number } {
  const exact = (v: number): bigint => {
    let k = 0;
    for (; !Number.isInteger(v); k++) v *= 2;
    return BigInt(v) * 5n ** BigInt(k) * 10n ** BigInt(150 - k);
  };
  const bits = new DataView(new ArrayBuffer(4));
  bits.setFloat32(0, x);
  const u = bits.getUint32(0);
  const neighbour = (d: number): bigint => {
    bits.setUint32(0, u + d);
    return exact(u + d === 0x7f800000 ? 2 ** 128 : bits.getFloat32(0)); // above MaxFloat32 rounding aims at 2^128
  };
  const X = exact(x);
  const [lo, hi] = [X + neighbour(-1), X + neighbour(1)]; // twice the halfway points to the neighbours
  const width = X.toString().length; // 10^(width-1) <= X < 10^width
  for (let p = 1; ; p++) {
    // The decimals of p significant digits (multiples of unit) just below and just above x.
    const unit = 10n ** BigInt(width - p);
    const dist = (c: bigint): bigint => (2n * c * unit > 2n * X ? 2n * c * unit - 2n * X : 2n * X - 2n * c * unit);
    let best: bigint | undefined;
    for (const c of [X / unit, X / unit + 1n]) {
      const twice = 2n * c * unit;
      // ParseFloat rounds to nearest, a halfway point to the float with the even mantissa.
      if (twice < lo || twice > hi || ((twice === lo || twice === hi) && u % 2 === 1)) continue;
      if (best === undefined || dist(c) < dist(best) || (dist(c) === dist(best) && c % 2n === 0n)) best = c;
    }
    if (best !== undefined) {
      return { digits: best.toString().replace(/0+$/, ''), exp: best.toString().length + width - p - 150 };
    }
  }
}
