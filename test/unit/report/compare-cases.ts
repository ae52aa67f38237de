import { mergeHistograms } from '../../../src/checks/latency.js';
import { encodeHistogram, newLatencyHistogram } from '../../../src/metrics/histograms.js';
import { decode, recordedValues } from '../../../src/report/distribution.js';
import type { Result, RunResult } from '../../../src/result/result.js';
import { loadFixture } from './fixtures.js';

/**
 * Baseline and current results for compare, made from the real persistent-session result
 * by editing numbers: `equal` is the baseline as it is; `improved` has every redelivery
 * latency 30% lower and fewer failed connection attempts; `regressed` has its v5 expiry run
 * lose 25 messages (verdict FAIL) and every redelivery latency 50% higher. Histograms are
 * edited as histograms (each recorded value scaled), and the percentiles in result.json
 * recomputed from them, as the checks would.
 */
export const BASELINE_RUN = '5-expiry-3600';

export function baseline(): Result {
  return loadFixture('persistent-session');
}

export function equal(): Result {
  return loadFixture('persistent-session');
}

export function improved(): Result {
  const result = loadFixture('persistent-session');
  for (const run of result.runs) {
    scaleRedelivery(run, 0.7);
    run.reconnect.connectFailures = Math.round(run.reconnect.connectFailures * 0.5);
  }
  return result;
}

export function regressed(): Result {
  const result = loadFixture('persistent-session');
  for (const run of result.runs) scaleRedelivery(run, 1.5);
  const run = result.runs.find((r) => r.id === BASELINE_RUN)!;
  run.redelivery.lost = 25;
  run.redelivery.lostBy.unknown = 25;
  run.redelivery.delivered -= 25;
  run.redelivery.offlineDelivered -= 25;
  const check = run.checks.find((c) => c.name === 'no expected message lost')!;
  Object.assign(check, { passed: false, actual: 25, explanation: '25 of 20,000 expected messages lost on devices (25 of 1,000 clients): cause unknown (no broker limit or session loss explains it)' });
  run.verdict = 'fail';
  return result;
}

/** Every recorded redelivery latency times `factor`; percentiles and drain time follow. */
function scaleRedelivery(run: RunResult, factor: number): void {
  const histogram = decode(run.histograms.redelivery);
  if (!histogram) return;
  const scaled = newLatencyHistogram();
  for (const { value, count } of recordedValues(histogram)) scaled.recordValueWithCount(Math.max(1, Math.round(value * factor * 1000)), count);
  const merged = mergeHistograms([encodeHistogram(scaled)]);
  run.histograms.redelivery = merged.encoded;
  run.redelivery.latency = merged.percentiles;
  if (run.redelivery.drainTime !== null) run.redelivery.drainTime = Math.round(run.redelivery.drainTime * factor * 1000) / 1000;
}
