import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flagProblem, type KnownOptions } from '../../../src/cli/flags.js';
import { helpWidth } from '../../../src/cli/help.js';

const options: KnownOptions = {
  key: { help: true, tolerance: true, count: true, seed: true, 'allow-remote': true, defaults: true },
  alias: { help: ['h'] },
  array: ['tolerance', 'count'],
  boolean: ['help', 'allow-remote', 'defaults'],
};

describe('flagProblem', () => {
  it('lets an array option repeat, in either spelling', () => {
    assert.equal(flagProblem(['--tolerance', 'a', '--tolerance=b', '--count', 'x=1', '--count', 'y=2'], options), undefined);
  });
  it('refuses any other flag given twice, whatever its spelling', () => {
    assert.equal(flagProblem(['--seed', '1', '--seed=2'], options), '--seed given more than once');
    assert.equal(flagProblem(['--defaults', '--no-defaults'], options), '--no-defaults given more than once');
    assert.equal(flagProblem(['--allow-remote', '--allowRemote'], options), '--allowRemote given more than once');
  });
  it('names the closest known flag for an unknown one', () => {
    assert.equal(flagProblem(['--tolerence', 'x'], options), '--tolerence: unknown flag (did you mean --tolerance?)');
    assert.equal(flagProblem(['--no-defults'], options), '--no-defults: unknown flag (did you mean --no-defaults?)');
    assert.equal(flagProblem(['--banana'], options), '--banana: unknown flag');
  });
  it('leaves values, short flags and everything after -- alone', () => {
    assert.equal(flagProblem(['-h', 'x', '--seed', '1', '--', '--seed', '--banana'], options), undefined);
  });
});

describe('helpWidth', () => {
  it('takes the terminal, else COLUMNS, else 100; within 40 to 120', () => {
    assert.equal(helpWidth(90, { COLUMNS: '60' }), 90);
    assert.equal(helpWidth(undefined, { COLUMNS: '80' }), 80);
    assert.equal(helpWidth(undefined, {}), 100);
    assert.equal(helpWidth(undefined, { COLUMNS: 'wide' }), 100);
    assert.equal(helpWidth(300, {}), 120);
    assert.equal(helpWidth(undefined, { COLUMNS: '10' }), 40);
  });
});
