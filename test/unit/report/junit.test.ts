import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderJunit } from '../../../src/report/junit.js';
import type { Result } from '../../../src/result/result.js';
import { loadFixture } from './fixtures.js';

/** The parsed document (attributes by name), every element that may repeat as an array. */
interface Counted {
  name?: string;
  tests?: string;
  failures?: string;
  errors?: string;
  skipped?: string;
  time?: string;
}
interface Outcome {
  message?: string;
  type?: string;
  '#text'?: string;
}
interface Testcase {
  name?: string;
  classname?: string;
  failure?: Outcome[];
  error?: Outcome[];
  skipped?: Outcome[];
}
interface Testsuite extends Counted {
  testcase: Testcase[];
  properties: { property: { name: string; value: string }[] }[];
  'system-out'?: string[];
}
interface Doc {
  testsuites: (Counted & { testsuite: Testsuite[] })[];
}

function parse(result: Result): Doc['testsuites'][number] {
  const xml = renderJunit(result);
  assert.equal(XMLValidator.validate(xml), true, 'well-formed XML');
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    // Numeric character references (&#39;, &#10;) are XML; this parser decodes them only when asked.
    htmlEntities: true,
    isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ['testsuites', 'testsuite', 'testcase', 'failure', 'error', 'skipped', 'properties', 'property', 'system-out'].includes(name),
  });
  const doc = parser.parse(xml) as Doc;
  assert.equal(doc.testsuites.length, 1, 'one <testsuites> root');
  return doc.testsuites[0]!;
}

const counts = (a: Counted) => ({ tests: a.tests, failures: a.failures, errors: a.errors, skipped: a.skipped });

describe('renderJunit', () => {
  it('has one testsuite per run and one testcase per check, named by the check, classname scenario.run (no other dots)', () => {
    const result = loadFixture('persistent-session');
    const root = parse(result);
    assert.equal(root.name, 'mqtt-chaos: persistent-session');
    assert.deepEqual(counts(root), { tests: '15', failures: '1', errors: '0', skipped: '0' });
    assert.deepEqual(
      root.testsuite.map((s) => s.name),
      result.runs.map((r) => `persistent-session: ${r.label}`),
    );
    root.testsuite.forEach((suite, i) => {
      const run = result.runs[i]!;
      assert.deepEqual(
        suite.testcase.map((c) => [c.classname, c.name]),
        run.checks.map((c) => [`persistent-session.${run.id.replace(/\./g, '_')}`, c.name]),
      );
      const property = (name: string) => suite.properties[0]!.property.find((p) => p.name === name)?.value;
      assert.equal(property('protocol'), run.protocol);
      assert.equal(property('verdict'), run.verdict);
      assert.equal(suite.time, (run.durationMs / 1000).toFixed(3));
    });
  });

  it('makes a failed check a <failure> whose message is its one-line explanation', () => {
    const result = loadFixture('persistent-session');
    const suite = parse(result).testsuite[1]!;
    assert.deepEqual(counts(suite), { tests: '5', failures: '1', errors: '0', skipped: '0' });
    const failed = suite.testcase.filter((c) => c.failure);
    assert.deepEqual(failed.map((c) => c.name), ['redelivery.offlineDeliveredRatio == 100%']);
    const check = result.runs[1]!.checks.find((c) => !c.passed)!;
    const failure = failed[0]!.failure![0]!;
    assert.equal(failure.message, check.explanation);
    assert.match(failure.message!, /^redelivery\.offlineDeliveredRatio was 0%, needs == 100%: Session Expiry Interval 0/);
    assert.equal(failure.type, 'scenario');
    assert.match(failure['#text']!, /actual: 0\nthreshold: == 100%\n/);
  });

  it('gives the loss cause for lost messages', () => {
    const root = parse(loadFixture('queue-limit'));
    assert.deepEqual(counts(root), { tests: '15', failures: '4', errors: '0', skipped: '0' });
    const lost = root.testsuite[0]!.testcase.find((c) => c.name === 'no expected message lost')!;
    assert.match(lost.failure![0]!.message!, /^6 of 10 expected messages per client lost on devices: Mosquitto max_queued_messages is 4, newest messages dropped over the limit$/);
  });

  it('shows a run the broker could not do as one skipped test case with the reason', () => {
    const root = parse(loadFixture('aedes-quickstart'));
    assert.deepEqual(counts(root), { tests: '7', failures: '0', errors: '0', skipped: '2' });
    for (const suite of root.testsuite.slice(1)) {
      assert.deepEqual(counts(suite), { tests: '1', failures: '0', errors: '0', skipped: '1' });
      assert.match(suite.testcase[0]!.skipped![0]!.message!, /^not run: embedded Aedes .* does not support MQTT 5$/);
    }
  });

  it('turns every check of an incomplete run into an <error> naming why it stopped', () => {
    const result = loadFixture('persistent-session');
    result.runs[0]!.incomplete = 'interrupted (SIGINT)';
    result.runs[0]!.verdict = 'fail';
    const root = parse(result);
    assert.deepEqual(counts(root), { tests: '15', failures: '1', errors: '5', skipped: '0' });
    const suite = root.testsuite[0]!;
    assert.ok(suite.testcase.every((c) => c.error?.[0]?.message === 'run incomplete: interrupted (SIGINT)'));
    assert.match(suite.testcase[0]!.error![0]!['#text']!, /measured until then: passed: no expected message lost/);
    result.runs[0]!.checks = [];
    const bare = parse(result).testsuite[0]!;
    assert.deepEqual(bare.testcase.map((c) => [c.name, c.error?.[0]?.type]), [['run', 'incomplete']]);
  });

  it('escapes what the result says, control characters included, and reads back the same', () => {
    const result = loadFixture('aedes-quickstart');
    result.scenario.name = `a<b>&"c'`;
    result.runs[0]!.label = '</testsuite><x y="1">';
    result.runs[0]!.checks[0]!.passed = false;
    result.runs[0]!.checks[0]!.explanation = 'bad\u0001byte & <tag> "quoted"\nsecond line';
    const root = parse(result);
    assert.equal(root.name, `mqtt-chaos: a<b>&"c'`);
    assert.equal(root.testsuite[0]!.name, `a<b>&"c': </testsuite><x y="1">`);
    assert.equal(root.testsuite[0]!.testcase[0]!.failure![0]!.message, 'bad\uFFFDbyte & <tag> "quoted"\nsecond line');
  });
});
