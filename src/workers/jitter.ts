/**
 * Reconnect delays with jitter, from a seeded generator per client: the same scenario
 * and seed give every client the same sequence of delays, whichever shard owns it, so a
 * reconnect storm can be repeated.
 */
import type { ReconnectPlan } from '../scenario/plan.js';

/** A client's own seed: FNV-1a of "group/index", mixed with the run's seed. */
export function clientSeed(runSeed: number, group: string, index: number): number {
  let hash = 0x811c9dc5 ^ (runSeed >>> 0);
  const text = `${group}/${index}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: small, fast, good enough for spreading delays; uniform in [0, 1). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [delayMs - jitterMs, delayMs + jitterMs], never below 0. */
export function jitteredDelay(random: () => number, delayMs: number, jitterMs: number): number {
  return Math.max(0, delayMs + (2 * random() - 1) * jitterMs);
}

/** Uniform in [0, min(maxMs, delayMs × 2^failures)): exponential backoff with full jitter. */
export function backoffDelay(random: () => number, delayMs: number, maxMs: number, failures: number): number {
  // 2^30 × any delay is past every cap; a larger exponent would only overflow.
  const cap = Math.min(maxMs, delayMs * 2 ** Math.min(failures, 30));
  return random() * cap;
}

/**
 * The wait before the next attempt. `failures` counts the attempts since the last CONNACK
 * that got none (0 right after losing a working connection).
 */
export function reconnectDelay(plan: ReconnectPlan, random: () => number, failures: number): number {
  return plan.backoff === 'fixed'
    ? jitteredDelay(random, plan.delayMs, plan.jitterMs)
    : backoffDelay(random, plan.delayMs, plan.maxMs, failures);
}
