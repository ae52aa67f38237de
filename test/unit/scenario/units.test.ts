import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseBandwidth, parseDuration, parseRate } from '../../../src/scenario/units.js';

describe('units', () => {
  it('durations to ms', () => {
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('1.1s'), 1100);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('500us'), 0.5);
    assert.equal(parseDuration('0s'), 0);
    for (const bad of ['2', '2 s', 's', '-1s', '2sec', '1e3ms']) assert.equal(parseDuration(bad), undefined, bad);
  });

  it('durations as people write them, each read back by parseDuration', () => {
    const cases: [number, string][] = [
      [600_000, '10m'],
      [30_000, '30s'],
      [90_000, '90s'],
      [3_600_000, '1h'],
      [1500, '1.5s'],
      [1000, '1s'],
      [500, '500ms'],
      [1234, '1234ms'],
      [0, '0ms'],
    ];
    for (const [ms, text] of cases) {
      assert.equal(formatDuration(ms), text, String(ms));
      assert.equal(parseDuration(text), ms, text);
    }
  });

  it('rates to per second', () => {
    assert.equal(parseRate('500/s'), 500);
    assert.equal(parseRate('30/m'), 0.5);
    assert.equal(parseRate('3600/h'), 1);
    for (const bad of ['500', '500/ms', '/s', '5s/s']) assert.equal(parseRate(bad), undefined, bad);
  });

  it('bandwidths to bytes per second, KB = 1000 B', () => {
    assert.equal(parseBandwidth('100KB/s'), 100_000);
    assert.equal(parseBandwidth('1.5MB/s'), 1_500_000);
    for (const bad of ['100', '100KB', '100kb/s']) assert.equal(parseBandwidth(bad), undefined, bad);
  });
});
