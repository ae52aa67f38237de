/** Numbers as the explanations and summaries print them. */

/** 1234 -> "1,234" */
export function count(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** 340 -> "340 ms", 1234 -> "1.23 s", 90000 -> "90 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${count(Number(ms.toPrecision(3)))} ms`;
  return `${count(Number((ms / 1000).toPrecision(3)))} s`;
}

/** (1, "reconnect") -> "1 reconnect", (2, "reconnect") -> "2 reconnects". */
export function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * 982 -> "982 B", 24689568 -> "24.7 MB" (decimal units, as scenario sizes are; three
 * significant digits); below `exactBelow` bytes, to the byte ("9,876 B" for per-item costs).
 */
export function size(bytes: number, exactBelow = 1000): string {
  if (Math.abs(bytes) < exactBelow) return `${count(Math.round(bytes))} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let n = bytes / 1000;
  let i = 0;
  while (Math.abs(n) >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${count(Number(n.toPrecision(3)))} ${units[i]}`;
}

/** "+540 ms", "-1.2 s" */
export function signed(ms: number): string {
  const abs = Math.abs(ms);
  const text = abs < 1000 ? `${Math.round(abs)} ms` : `${Number((abs / 1000).toPrecision(3))} s`;
  return `${ms < 0 ? '-' : '+'}${text}`;
}
