import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeGo, formatFloat32, type GoType } from '../../../src/faults/go-json.js';

// Every expected error text below was produced by Go's encoding/json (json.NewDecoder(r).Decode); the two a
// real Toxiproxy 2.12.0 answered over HTTP are also in test/fixtures/toxiproxy/transcript-2.12.0.txt.

const inner: GoType = { kind: 'struct', name: 'Inner', goName: 'main.Inner', fields: { n: { kind: 'int64' }, f: { kind: 'float32' } } };
const sample: GoType = {
  kind: 'struct',
  name: 'Sample',
  goName: 'main.Sample',
  fields: {
    name: { kind: 'string' },
    enabled: { kind: 'bool' },
    count: { kind: 'int' },
    toxicity: { kind: 'float32' },
    rate: { kind: 'float64' },
    any: { kind: 'any' },
    ptr: { kind: 'pointer', elem: { kind: 'bool' } },
    list: { kind: 'slice', elem: inner },
    inner,
    pinner: { kind: 'pointer', elem: inner },
  },
};
const anyType: GoType = { kind: 'any' };

function errorOf(body: string | Uint8Array, type: GoType = anyType, initial?: unknown): string {
  const r = decodeGo(body, type, initial);
  assert.ok('error' in r, `expected an error for ${JSON.stringify(body)}, got ${JSON.stringify(r)}`);
  return r.error;
}

function valueOf(body: string | Uint8Array, type: GoType = anyType, initial?: unknown): unknown {
  const r = decodeGo(body, type, initial);
  if ('error' in r) assert.fail(`expected a value for ${JSON.stringify(body)}, got ${r.error}`);
  return r.value;
}

describe('decodeGo: Toxiproxy 2.12 captures', () => {
  it('a body cut short is "unexpected EOF"', () => {
    assert.equal(errorOf('{"name":"bad json"'), 'unexpected EOF');
  });

  it('a string latency in the attributes names LatencyToxic and the path from the top', () => {
    const latency: GoType = { kind: 'struct', name: 'LatencyToxic', goName: 'toxics.LatencyToxic', fields: { latency: { kind: 'int64' }, jitter: { kind: 'int64' } } };
    const wrapper: GoType = { kind: 'struct', name: '', fields: { attributes: latency } };
    assert.equal(
      errorOf('{"name":"badattr","type":"latency","attributes":{"latency":"abc"}}', wrapper),
      'json: cannot unmarshal string into Go struct field LatencyToxic.attributes.latency of type int64',
    );
  });

  it('an object where the populate list is expected is reported against the slice type', () => {
    const goName = '[]struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }';
    const populate: GoType = { kind: 'slice', goName, elem: { kind: 'struct', name: '', fields: { name: { kind: 'string' } } } };
    assert.equal(
      errorOf('{"not":"an array"}', populate),
      'json: cannot unmarshal object into Go value of type []struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }',
    );
  });
});

describe('decodeGo: end of input and what follows the value', () => {
  it('an empty or whitespace-only body is "EOF"', () => {
    for (const body of ['', ' ', ' \n\t\r ']) assert.equal(errorOf(body), 'EOF', JSON.stringify(body));
  });

  it('any value cut short is "unexpected EOF", whatever the scanner state', () => {
    for (const body of ['{', '[', '[1,2', '{"a"', '{"a":', '"abc', '"a\\', '"\\u12', '-', '1.', '1e', '1e+', 'tru', 'fals', 'nul', ' {"a":[1,{}'])
      assert.equal(errorOf(body), 'unexpected EOF', JSON.stringify(body));
  });

  it('a syntax error before the end wins over the end', () => {
    assert.equal(errorOf('[1,]'), "invalid character ']' looking for beginning of value");
  });

  it('only the first value is read: trailing bytes, even garbage, are ignored', () => {
    assert.deepEqual(valueOf('{"a":1} garbage'), { a: 1 });
    assert.deepEqual(valueOf('  \n{"name":"x"}}}', sample, { name: 'y' }), { ...(valueOf('{}', sample) as object), name: 'x' });
    assert.equal(valueOf('"s"x'), 's');
    assert.equal(valueOf('truex'), true);
    // A top-level number ends at the first byte that cannot continue it.
    assert.equal(valueOf('0x10'), 0);
    assert.ok(Object.is(valueOf('-01'), -0));
    assert.equal(valueOf('12 34'), 12);
  });

  it('a body of bytes decodes like the same text', () => {
    assert.deepEqual(valueOf(new TextEncoder().encode('{"a":["é"]}')), { a: ['é'] });
  });
});

describe('decodeGo: syntax errors use the scanner texts', () => {
  const cases: Array<[string, string]> = [
    ['x', "invalid character 'x' looking for beginning of value"],
    ['}', "invalid character '}' looking for beginning of value"],
    ['[,]', "invalid character ',' looking for beginning of value"],
    ['{"a":}', "invalid character '}' looking for beginning of value"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a"}', "invalid character '}' after object key"],
    ['{"a":1 "b":2}', 'invalid character \'"\' after object key:value pair'],
    ['{"a":1]', "invalid character ']' after object key:value pair"],
    ['[1 2]', "invalid character '2' after array element"],
    ['[1}', "invalid character '}' after array element"],
    ['[01]', "invalid character '1' after array element"],
    ['[truex]', "invalid character 'x' after array element"],
    ['{,}', "invalid character ',' looking for beginning of object key string"],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
    ['["a\tb"]', "invalid character '\\t' in string literal"],
    ['"a\u0001"', "invalid character '\\x01' in string literal"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['"\\\'"', "invalid character '\\'' in string escape code"],
    ['"\\u12x4"', "invalid character 'x' in \\u hexadecimal character escape"],
    ['tx', "invalid character 'x' in literal true (expecting 'r')"],
    ['trx', "invalid character 'x' in literal true (expecting 'u')"],
    ['trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['fx', "invalid character 'x' in literal false (expecting 'a')"],
    ['fals ', "invalid character ' ' in literal false (expecting 'e')"],
    ['nux', "invalid character 'x' in literal null (expecting 'l')"],
    ['nulx', "invalid character 'x' in literal null (expecting 'l')"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['- 1', "invalid character ' ' in numeric literal"],
    ['1.x', "invalid character 'x' after decimal point in numeric literal"],
    ['1ex', "invalid character 'x' in exponent of numeric literal"],
    ['1e+x', "invalid character 'x' in exponent of numeric literal"],
  ];
  for (const [body, message] of cases) {
    it(`${JSON.stringify(body)} -> ${message}`, () => assert.equal(errorOf(body), message));
  }

  it("quotes the offending byte as Go's quoteChar does", () => {
    const quoted = (bytes: number[]): string => errorOf(Uint8Array.from(bytes)).replace(/ looking for beginning of value$/, '');
    assert.equal(quoted([0x0a, 0x20, 0x09, 0x0d, 0x01]), "invalid character '\\x01'"); // whitespace is skipped
    assert.equal(quoted([0x01]), "invalid character '\\x01'");
    assert.equal(quoted([0x07]), "invalid character '\\a'");
    assert.equal(quoted([0x0b]), "invalid character '\\v'");
    assert.equal(quoted([0x0c]), "invalid character '\\f'");
    assert.equal(quoted([0x7f]), "invalid character '\\x7f'");
    assert.equal(quoted([0x5c]), "invalid character '\\\\'");
    assert.equal(quoted([0x27]), "invalid character '\\''");
    assert.equal(errorOf('{"a":1,"'), 'unexpected EOF');
    assert.equal(errorOf('["a" "b"]'), 'invalid character \'"\' after array element');
    // A byte >= 0x80 is printed as the rune of the same number: 'é' (C3 A9) shows its first byte.
    assert.equal(quoted([0xc3, 0xa9]), "invalid character 'Ã'");
    assert.equal(quoted([0xff]), "invalid character 'ÿ'");
    assert.equal(quoted([0x85]), "invalid character '\\u0085'");
    assert.equal(quoted([0xa0]), "invalid character '\\u00a0'");
    assert.equal(quoted([0xad]), "invalid character '\\u00ad'");
  });

  it('allows 10000 levels of nesting and refuses the 10001st', () => {
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    let v = valueOf(deep(10000));
    let depth = 0;
    for (; Array.isArray(v) && v.length > 0; depth++) v = v[0];
    assert.equal(depth, 9999);
    assert.equal(errorOf(deep(10001)), "invalid character '[' exceeded max depth");
    assert.equal(errorOf('{"a":'.repeat(10001)), "invalid character '{' exceeded max depth");
  });
});

describe('decodeGo: strings', () => {
  it('decodes escapes and surrogate pairs', () => {
    assert.equal(valueOf('"\\u00e9\\n\\t\\/\\b\\f\\r\\"\\\\ \\ud83d\\ude00"'), 'é\n\t/\b\f\r"\\ 😀');
  });

  it('turns unpaired surrogate escapes and each byte of malformed UTF-8 into U+FFFD', () => {
    assert.equal(valueOf('"\\ud800\\u0041 \\udc00x \\ud800"'), '\ufffdA \ufffdx \ufffd');
    // E2 82 is a truncated 3-byte sequence: Go replaces each byte, then decodes 'a'.
    assert.equal(valueOf(Uint8Array.from([0x22, 0xe2, 0x82, 0x61, 0xed, 0xa0, 0x80, 0xc0, 0xaf, 0x22])), '\ufffd\ufffda\ufffd\ufffd\ufffd\ufffd\ufffd');
  });
});

describe('decodeGo: storing into Go types', () => {
  it('fills every field of a struct, zero values for the ones not given', () => {
    assert.deepEqual(valueOf('{"name":"n","count":3,"list":[{"n":1}],"pinner":{"f":0.5}}', sample), {
      name: 'n',
      enabled: false,
      count: 3,
      toxicity: 0,
      rate: 0,
      any: null,
      ptr: null,
      list: [{ n: 1, f: 0 }],
      inner: { n: 0, f: 0 },
      pinner: { n: 0, f: 0.5 },
    });
  });

  it("matches keys exactly first, then case-insensitively (with Go's Kelvin sign and long s)", () => {
    const t: GoType = { kind: 'struct', name: 'T', fields: { key: { kind: 'string' }, Key: { kind: 'string' }, stream: { kind: 'string' } } };
    // "KEY" folds onto both key and Key; the first declared field wins.
    assert.deepEqual(valueOf('{"Key":"exact","KEY":"folded"}', t), { key: 'folded', Key: 'exact', stream: '' });
    assert.deepEqual(valueOf('{"\u212aEY":"kelvin","\u017fTREAM":"long s","streams":"no"}', t), { key: 'kelvin', Key: '', stream: 'long s' });
    const v = valueOf('{"NAME":"a","Count":2}', sample) as Record<string, unknown>;
    assert.deepEqual([v.name, v.count], ['a', 2]);
  });

  it('ignores unknown keys, and the last of duplicate keys wins', () => {
    const v = valueOf('{"x":[1,{"y":"z"}],"name":"a","name":"b","NAME":"c"}', sample) as Record<string, unknown>;
    assert.equal(v.name, 'c');
    assert.equal('x' in v, false);
    assert.deepEqual(valueOf('{"a":1,"a":2}'), { a: 2 });
  });

  it('null sets pointers, slices and interfaces to nil and leaves other kinds as they were', () => {
    const initial = { name: 'keep', count: 7, inner: { n: 1, f: 2 }, ptr: true, list: [{ n: 1, f: 0 }], any: 'x' };
    const v = valueOf('{"name":null,"count":null,"inner":null,"ptr":null,"list":null,"any":null}', sample, initial) as Record<string, unknown>;
    assert.deepEqual([v.name, v.count, v.inner, v.ptr, v.list, v.any], ['keep', 7, { n: 1, f: 2 }, null, null, null]);
  });

  it('decodes onto the initial value: fields not present keep their values, initial is not mutated', () => {
    const initial = { name: 'p', toxicity: 1, inner: { n: 5, f: 1.5 }, pinner: { n: 9, f: 0 }, internal: 'not a JSON field' };
    const before = structuredClone(initial);
    const v = valueOf('{"toxicity":0.25,"inner":{"f":3},"pinner":{"f":1}}', sample, initial) as Record<string, unknown>;
    assert.deepEqual(initial, before);
    assert.equal(v.name, 'p');
    assert.equal(v.toxicity, 0.25);
    assert.deepEqual(v.inner, { n: 5, f: 3 });
    assert.deepEqual(v.pinner, { n: 9, f: 1 });
    assert.equal(v.internal, 'not a JSON field');
  });

  it('decodes slice elements onto the existing ones, as Go reuses the backing array', () => {
    const v = valueOf('{"list":[{"f":1},{"f":2}]}', sample, { list: [{ n: 7, f: 0 }] }) as Record<string, unknown>;
    assert.deepEqual(v.list, [{ n: 7, f: 1 }, { n: 0, f: 2 }]);
    assert.deepEqual((valueOf('{"list":[]}', sample, { list: [{ n: 7, f: 0 }] }) as Record<string, unknown>).list, []);
  });

  it('int kinds take only integer literals within int64', () => {
    const count = (body: string): unknown => (valueOf(body, sample) as Record<string, unknown>).count;
    assert.equal(count('{"count":-9223372036854775808}'), -9223372036854775808);
    assert.ok(Object.is(count('{"count":-0}'), 0));
    for (const literal of ['1e2', '1.0', '1E2', '9223372036854775808', '-9223372036854775809']) {
      assert.equal(errorOf(`{"count":${literal}}`, sample), `json: cannot unmarshal number ${literal} into Go struct field Sample.count of type int`);
    }
  });

  it('floats: float32 rounds to 32 bits; only overflow is an error', () => {
    const v = valueOf('{"toxicity":0.1,"rate":0.1,"inner":{"f":1e-50}}', sample) as Record<string, unknown>;
    assert.equal(v.toxicity, Math.fround(0.1));
    assert.equal(v.rate, 0.1);
    assert.deepEqual(v.inner, { n: 0, f: 0 });
    assert.equal(errorOf('{"toxicity":1e39}', sample), 'json: cannot unmarshal number 1e39 into Go struct field Sample.toxicity of type float32');
    assert.equal(errorOf('{"rate":1e400}', sample), 'json: cannot unmarshal number 1e400 into Go struct field Sample.rate of type float64');
    assert.equal(valueOf('3.5', { kind: 'float32' }), 3.5);
  });

  it('interface{} takes anything, numbers as float64, and keeps "__proto__" an ordinary key', () => {
    const v = valueOf('{"any":{"a":[1,"x",null,false,{"b":-0.5e-3}],"__proto__":{"p":1}}}', sample) as Record<string, unknown>;
    assert.deepEqual(v.any, JSON.parse('{"a":[1,"x",null,false,{"b":-0.0005}],"__proto__":{"p":1}}'));
    assert.equal(Object.getPrototypeOf(v.any), Object.prototype);
    assert.equal(errorOf('{"any":[1e400]}', sample), 'json: cannot unmarshal number 1e400 into Go struct field Sample.any of type float64');
    assert.equal(errorOf('1e400'), 'json: cannot unmarshal number 1e400 into Go value of type float64');
  });
});

describe('decodeGo: type errors', () => {
  const cases: Array<[string, string]> = [
    ['{"name":1}', 'number into Go struct field Sample.name of type string'],
    ['{"name":true}', 'bool into Go struct field Sample.name of type string'],
    ['{"name":{}}', 'object into Go struct field Sample.name of type string'],
    ['{"enabled":[]}', 'array into Go struct field Sample.enabled of type bool'],
    ['{"enabled":1}', 'number into Go struct field Sample.enabled of type bool'],
    ['{"ptr":"x"}', 'string into Go struct field Sample.ptr of type bool'],
    ['{"inner":"x"}', 'string into Go struct field Sample.inner of type main.Inner'],
    ['{"pinner":[1]}', 'array into Go struct field Sample.pinner of type main.Inner'],
    ['{"list":{}}', 'object into Go struct field Sample.list of type []main.Inner'],
    ['{"list":[{"n":1},{"n":1.5}]}', 'number 1.5 into Go struct field Inner.list.n of type int64'],
    ['{"inner":{"f":"x"}}', 'string into Go struct field Inner.inner.f of type float32'],
    ['{"pinner":{"n":true}}', 'bool into Go struct field Inner.pinner.n of type int64'],
  ];
  for (const [body, message] of cases) {
    it(`${body} -> ${message}`, () => assert.equal(errorOf(body, sample), `json: cannot unmarshal ${message}`));
  }

  it('reports the top-level value against the Go type itself', () => {
    assert.equal(errorOf('[1]', sample), 'json: cannot unmarshal array into Go value of type main.Sample');
    assert.equal(errorOf('"x"', { kind: 'pointer', elem: inner }), 'json: cannot unmarshal string into Go value of type main.Inner');
    assert.equal(errorOf('{}', { kind: 'slice', elem: { kind: 'pointer', elem: { kind: 'int' } } }), 'json: cannot unmarshal object into Go value of type []*int');
    assert.equal(errorOf('[1, "x"]', { kind: 'slice', elem: { kind: 'int' } }), 'json: cannot unmarshal string into Go value of type int');
    assert.equal(errorOf('[{}]', { kind: 'slice', elem: { kind: 'string' } }), 'json: cannot unmarshal object into Go value of type string');
    // Array indexes are not part of the path; an element of the wrong kind has no struct context.
    const list: GoType = { kind: 'slice', elem: sample };
    assert.equal(errorOf('[{"name":1}]', list), 'json: cannot unmarshal number into Go struct field Sample.name of type string');
    assert.equal(errorOf('[1]', list), 'json: cannot unmarshal number into Go value of type main.Sample');
  });

  it('keeps decoding after a mismatch and reports only the first one', () => {
    // Go would have stored name and count; the first error (enabled) is what it returns.
    assert.equal(
      errorOf('{"enabled":"yes","name":"ok","count":1.5,"inner":{"n":"x"}}', sample),
      'json: cannot unmarshal string into Go struct field Sample.enabled of type bool',
    );
    // A mismatched object is skipped whole: nothing inside it is reported.
    assert.equal(errorOf('{"name":{"n":"x"},"count":"y"}', sample), 'json: cannot unmarshal object into Go struct field Sample.name of type string');
    // Errors keep document order across struct levels.
    assert.equal(errorOf('{"inner":{"f":"x"},"count":"y"}', sample), 'json: cannot unmarshal string into Go struct field Inner.inner.f of type float32');
  });

  it('a syntax error anywhere wins over a type error before it', () => {
    assert.equal(errorOf('{"count":"y","name":"a" x}', sample), "invalid character 'x' after object key:value pair");
    assert.equal(errorOf('{"count":"y","name":', sample), 'unexpected EOF');
  });
});

describe('formatFloat32', () => {
  const cases: Array<[number, string]> = [
    [1, '1'],
    [2, '2'],
    [0.1, '0.1'],
    [0.25, '0.25'],
    [1 / 3, '0.33333334'],
    [100, '100'],
    [123456789, '123456790'],
    [16777216, '16777216'],
    [-0.5, '-0.5'],
    [0, '0'],
    [-0, '-0'],
    [1e21, '1e+21'],
    [1e20, '100000000000000000000'],
    [1e-6, '0.000001'],
    [1e-7, '1e-7'],
    [1.5e-10, '1.5e-10'],
    [3.4028234663852886e38, '3.4028235e+38'],
    [1.401298464324817e-45, '1e-45'],
    [1.1754943508222875e-38, '1.1754944e-38'],
    // Exact ties between two shortest candidates go to the even digit, as in strconv.
    [0.000244140625, '0.00024414062'],
    [324.921875, '324.92188'],
  ];
  for (const [value, text] of cases) {
    it(`${value} -> ${text}`, () => assert.equal(formatFloat32(value), text));
  }

  it('prints the float32 that a decoded toxicity holds, not its float64 expansion', () => {
    const { toxicity } = valueOf('{"toxicity":0.7}', sample) as { toxicity: number };
    assert.notEqual(String(toxicity), '0.7');
    assert.equal(formatFloat32(toxicity), '0.7');
  });

  it('refuses what json.Marshal refuses', () => {
    assert.throws(() => formatFloat32(NaN), /unsupported value: NaN/);
    assert.throws(() => formatFloat32(Infinity), /unsupported value: \+Inf/);
    assert.throws(() => formatFloat32(1e39), /unsupported value: \+Inf/);
  });
});
