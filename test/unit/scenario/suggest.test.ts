import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closest, didYouMean } from '../../../src/scenario/suggest.js';

describe('did you mean', () => {
  it('finds typos: a missing, swapped or wrong letter, or case', () => {
    const keys = ['session', 'count', 'connectRate', 'clientId'];
    assert.equal(closest('sesion', keys), 'session');
    assert.equal(closest('sesison', keys), 'session');
    assert.equal(closest('cout', keys), 'count');
    assert.equal(closest('clientid', keys), 'clientId');
  });

  it('suggests nothing far away, and nothing for an exact match', () => {
    assert.equal(closest('banana', ['session', 'count']), undefined);
    assert.equal(didYouMean('qos', ['via']), '');
    assert.equal(didYouMean('count', ['count']), '');
    assert.equal(didYouMean('cont', ['count']), ' (did you mean "count"?)');
  });

  it('reads a version written short or without dots as the full one: 3 is 3.1.1, not 5', () => {
    const versions = ['3.1.1', '5'];
    assert.deepEqual(['3', '3.1', '311', 'v3', '4', '5'].map((v) => closest(v, versions)), ['3.1.1', '3.1.1', '3.1.1', '3.1.1', '5', '5']);
  });
});
