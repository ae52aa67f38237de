import { open } from 'node:fs/promises';

/** Bytes in the log so far: a start reads only what it appended after this offset. */
export async function logSize(file: string): Promise<number> {
  try {
    const handle = await open(file, 'r');
    try {
      return (await handle.stat()).size;
    } finally {
      await handle.close();
    }
  } catch {
    return 0;
  }
}

/**
 * The line that says why a broker process stopped. Mosquitto logs `<epoch>: Error: Unknown
 * configuration variable "x".` then `Error found at file:line.` (the first is the reason);
 * a crashed Node child prints `TypeError: ...` amid its stack trace.
 */
export function lastMeaningfulLine(text: string): string | undefined {
  const lines = text
    .split('\n')
    .map((line) => line.replace(/^\d+: /, '').trim())
    .filter((line) => line !== '');
  const errors = lines.filter((line) => /^\w*Error\b/.test(line) && !/^Error found at /.test(line));
  return errors.at(-1) ?? lines.at(-1);
}

/** The log text appended since `from`. */
export async function readLogSince(file: string, from: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.max(0, size - from));
    await handle.read(buffer, 0, buffer.length, from);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}
