import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aliveShare, estimateBoundary, fitDecreasing, survivalCurve, type ProbePoint } from '../../../src/checks/expiry-survival.js';

const probe = (offsetMs: number, alive: boolean): ProbePoint => ({ offsetMs, alive });

describe('survival fit (pool adjacent violators)', () => {
  it('leaves a curve that never rises as it is', () => {
    assert.deepEqual(fitDecreasing([1, 1, 0.5, 0, 0]), [1, 1, 0.5, 0, 0]);
  });

  it('pools a rise with its neighbour: the least-squares non-increasing fit', () => {
    assert.deepEqual(fitDecreasing([1, 0, 1, 0]), [1, 0.5, 0.5, 0]);
    assert.deepEqual(fitDecreasing([0, 1, 1]), [2 / 3, 2 / 3, 2 / 3]);
  });
});

describe('boundary estimate', () => {
  it('a clean step: halfway between the last alive and the first gone probe', () => {
    const probes = [probe(-500, true), probe(0, true), probe(500, false), probe(1000, false)];
    assert.deepEqual(estimateBoundary(probes), { boundaryMs: 250 });
  });

  it('ignores input order', () => {
    const probes = [probe(1000, false), probe(0, true), probe(500, false), probe(-500, true)];
    assert.deepEqual(estimateBoundary(probes), { boundaryMs: 250 });
  });

  it('a violator is pooled, and the crossing interpolated between step centres', () => {
    // alive, gone, alive, gone: the middle two pool to 0.5 at their mean offset.
    const probes = [probe(0, true), probe(100, false), probe(200, true), probe(300, false)];
    assert.deepEqual(estimateBoundary(probes), { boundaryMs: 150 });
  });

  it('a spread of ends: the crossing falls where half the probes are gone', () => {
    // A broker ending sessions uniformly over 0..1000 ms after E, probed every 50 ms.
    const probes = Array.from({ length: 21 }, (_, k) => probe(k * 50, k * 50 < 500));
    const { boundaryMs } = estimateBoundary(probes);
    assert.ok(boundaryMs !== null && Math.abs(boundaryMs - 475) <= 25, String(boundaryMs));
  });

  it('says which side of the probes the boundary is on when it is not among them', () => {
    assert.deepEqual(estimateBoundary([probe(0, true), probe(100, true)]), { boundaryMs: null, outside: 'after' });
    assert.deepEqual(estimateBoundary([probe(0, false), probe(100, false)]), { boundaryMs: null, outside: 'before' });
    assert.deepEqual(estimateBoundary([]), { boundaryMs: null });
  });
});

describe('survival curve', () => {
  it('slices the probed offsets, beside the will method at the same offsets', () => {
    const probes = [probe(0, true), probe(100, true), probe(900, false), probe(1000, false)];
    const wills = [400, 600, Infinity, 800];
    const s = survivalCurve(probes, wills, 2);
    assert.deepEqual(s.points, [
      { offsetMs: 50, probes: 2, alive: 2, fraction: 1, willFraction: 1 },
      { offsetMs: 950, probes: 2, alive: 0, fraction: 0, willFraction: 0.25 },
    ]);
    assert.equal(s.boundaryMs, 500);
    assert.equal(s.lastAliveMs, 100);
    assert.equal(s.firstGoneMs, 900);
    assert.equal(s.spacingMs, 333.3);
  });

  it('no will-timed sessions: no will column; no probes: no points', () => {
    assert.equal(survivalCurve([probe(0, true)], []).points[0]!.willFraction, null);
    assert.deepEqual(survivalCurve([], [1, 2]).points, []);
  });

  it('aliveShare counts never-ended sessions as alive', () => {
    assert.equal(aliveShare([100, Infinity], 500), 0.5);
    assert.equal(aliveShare([], 0), null);
  });
});
