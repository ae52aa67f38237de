import { readFileSync } from 'node:fs';

/**
 * This process's open-file limit (`ulimit -n`): every socket is one descriptor, so it
 * caps clients and proxied connections per process. 1024 where /proc cannot tell.
 */
export function openFileLimit(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    return Number(/Max open files\s+(\d+)/.exec(limits)?.[1] ?? 1024);
  } catch {
    return 1024;
  }
}
