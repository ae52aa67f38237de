import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, parseExpression, type Expression } from '../../../src/checks/expression.js';

function ok(text: string): Expression {
  const parsed = parseExpression(text);
  assert.ok(!('error' in parsed), `${text}: ${JSON.stringify(parsed)}`);
  return parsed;
}

describe('parseExpression', () => {
  it('parses metric, operator and a value normalised to the kind’s unit', () => {
    assert.deepEqual(ok('redelivery.lost == 0'), {
      metric: 'redelivery.lost',
      op: '==',
      value: 0,
      unit: 'count',
      source: 'redelivery.lost == 0',
    });
    assert.equal(ok('redelivery.latency.p99 < 2s').value, 2000);
    assert.equal(ok('redelivery.latency.p99<1.5m').value, 90_000);
    assert.equal(ok('latency.e2e.max <= 250us').value, 0.25);
    assert.equal(ok('  reconnect.time.p50 >= 10ms  ').source, 'reconnect.time.p50 >= 10ms');
    assert.equal(ok('connect.failed != 3').op, '!=');
  });

  it('points at the bad token with a 1-based column', () => {
    const cases: [string, string, number][] = [
      ['', 'empty expression: write e.g. "redelivery.lost == 0"', 1],
      ['== 0', 'expected a metric name, e.g. redelivery.lost', 1],
      ['redelivery.lots == 0', 'unknown metric "redelivery.lots" (did you mean "redelivery.lost"?)', 1],
      ['redelivery.lost = 0', 'expected an operator (== != < <= > >=) after redelivery.lost (use == to compare)', 17],
      ['redelivery.lost =< 0', 'expected an operator (== != < <= > >=) after redelivery.lost', 17],
      ['redelivery.lost ==', 'expected a number after ==', 19],
      ['redelivery.lost == 0 or more', 'unexpected "or more" after the value', 22],
      ['redelivery.latency.p99 < 2', 'redelivery.latency.p99 is a duration: add a unit such as 2s', 26],
      ['redelivery.latency.p99 < 2KB', 'redelivery.latency.p99 is a duration: "KB" is not one of its units (us, ms, s, m, h)', 27],
      ['redelivery.latency.p99 < 2 s', 'no space between a number and its unit', 27],
      ['redelivery.lost == 1s', 'redelivery.lost is a count: remove the unit "s"', 21],
    ];
    for (const [text, error, column] of cases) assert.deepEqual(parseExpression(text), { error, column }, text);
  });
});

describe('evaluate', () => {
  it('compares the measured value with each operator', () => {
    const at = (op: string) => ok(`redelivery.latency.p99 ${op} 2s`);
    assert.equal(evaluate(at('<'), 1999), true);
    assert.equal(evaluate(at('<'), 2000), false);
    assert.equal(evaluate(at('<='), 2000), true);
    assert.equal(evaluate(at('>'), 2000), false);
    assert.equal(evaluate(at('>='), 2000), true);
    assert.equal(evaluate(at('=='), 2000), true);
    assert.equal(evaluate(at('!='), 2000), false);
  });
});
