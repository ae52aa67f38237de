/**
 * Durations, rates and sizes as a scenario writes them: always with a unit, so "2" never
 * silently means 2 ms to one reader and 2 s to another. The patterns go into the JSON
 * Schema (editors flag a bad value as it is typed); the parsers give the plan's numbers.
 */

/** Milliseconds per duration unit. */
export const DURATION_UNITS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Bytes per size unit: SI units are 1000-based (as Toxiproxy's KB/s), IEC ones 1024-based. */
export const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

const NUMBER = '[0-9]+(\\.[0-9]+)?';
export const DURATION_PATTERN = `^${NUMBER}(us|ms|s|m|h)$`;
/** A rate above zero: 0/s would read as "unlimited" to some and "never" to others. */
export const RATE_PATTERN = `^(?!0+(\\.0+)?/)${NUMBER}/(s|m|h)$`;
/** Toxiproxy's bandwidth toxic counts whole KB/s (1 KB = 1000 B), so only SI units. */
export const BANDWIDTH_PATTERN = `^${NUMBER}(KB|MB|GB)/s$`;

const SPLIT = /^([0-9]+(?:\.[0-9]+)?)([A-Za-z%]*)$/;

/** Splits "1.5s" into 1.5 and "s"; undefined when it is not a number followed by letters. */
function splitQuantity(text: string): { amount: number; unit: string } | undefined {
  const m = SPLIT.exec(text);
  if (!m) return undefined;
  return { amount: Number(m[1]), unit: m[2] ?? '' };
}

/** Rounds away binary noise (1.1 * 1000 = 1100.0000000000002) at a millionth. */
function tidy(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** "250ms" -> 250, "1.5s" -> 1500; undefined when not a duration with a unit. */
export function parseDuration(text: string): number | undefined {
  const q = splitQuantity(text);
  const factor = q && DURATION_UNITS[q.unit];
  return q && factor !== undefined ? tidy(q.amount * factor) : undefined;
}

/**
 * The inverse of parseDuration, as people write a duration: 600000 -> "10m", 90000 -> "90s",
 * 1500 -> "1.5s", 250 -> "250ms" (the largest unit that states it exactly, to 0.1 s).
 */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** "500/s" -> 500, "30/m" -> 0.5 (per second); undefined when not a rate. */
export function parseRate(text: string): number | undefined {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return undefined;
  const perUnit = DURATION_UNITS[text.slice(slash + 1)];
  const q = splitQuantity(text.slice(0, slash));
  if (!q || q.unit !== '' || perUnit === undefined || perUnit < 1000) return undefined;
  return tidy((q.amount * 1000) / perUnit);
}

/** "100KB/s" -> 100000 (bytes per second); undefined when not a bandwidth. */
export function parseBandwidth(text: string): number | undefined {
  if (!text.endsWith('/s')) return undefined;
  const q = splitQuantity(text.slice(0, -2));
  const factor = q && SIZE_UNITS[q.unit];
  return q && factor !== undefined && q.unit !== '' ? tidy(q.amount * factor) : undefined;
}
