import { readFileSync } from 'node:fs';
import { HarnessError } from '../errors.js';

export interface OpenFileLimits {
  soft: number;
  /** Infinity when unlimited. */
  hard: number;
}

/**
 * This process's open-file limits (`ulimit -Sn`, `ulimit -Hn`): every socket is one
 * descriptor, so they cap clients and proxied connections per process. 1024 where /proc
 * cannot tell.
 */
export function openFileLimits(): OpenFileLimits {
  return limitsAtLoad;
}

function readLimits(): OpenFileLimits {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const [, soft, hard] = /Max open files\s+(\S+)\s+(\S+)/.exec(limits) ?? [];
    const value = (text: string | undefined) => (text === 'unlimited' ? Infinity : Number(text ?? 1024));
    return { soft: value(soft), hard: value(hard) };
  } catch {
    return { soft: 1024, hard: 1024 };
  }
}

/**
 * Read once, at load: a process cannot change its own limits here (Node has no setrlimit),
 * and reading /proc needs a descriptor, which is what may be missing when they are asked for.
 */
const limitsAtLoad = readLimits();

/** The soft limit: what this process can open now. */
export function openFileLimit(): number {
  return openFileLimits().soft;
}

const RAISE = 'raise it with ulimit -Hn / LimitNOFILE= / docker --ulimit nofile=…';

/** The one line a run stops with when a process cannot get the descriptors it needs. */
export function openFilesProblem(needed: number, where: string, limits: OpenFileLimits): string {
  return `needs ${needed} open files in ${where}, the hard limit is ${limits.hard} (${RAISE})`;
}

/**
 * Stops with the one line when a process needs more descriptors than it may open. Node
 * raises its own soft limit to the hard one at start, and the processes it spawns inherit
 * that, so the hard limit is the one that counts.
 */
export function checkOpenFiles(needed: number, where: string, limits: OpenFileLimits): void {
  if (needed > limits.soft) throw new HarnessError('E_ENVIRONMENT', openFilesProblem(needed, where, limits));
}

/** True for a socket that could not be made for want of descriptors (this process's, or the system's). */
export function isOutOfFiles(text: string): boolean {
  return /\bE[MN]FILE\b/.test(text);
}

/** The one line for sockets refused at runtime: EMFILE (this process) or ENFILE (the whole system). */
export function outOfFilesAtRuntime(text: string, where: string): string {
  if (/\bENFILE\b/.test(text)) return `the system's open-file table is full (ENFILE) while connecting in ${where}: raise fs.file-max or stop other processes`;
  const limits = openFileLimits();
  return `needs more than ${limits.soft} open files in ${where} (socket creation failed with EMFILE), the hard limit is ${limits.hard} (${RAISE})`;
}

/** The out-of-files line inside a longer message (e.g. "shard 0: connect: <line>"), if there is one. */
export function outOfFilesLine(message: string): string | undefined {
  return /(needs more than \d+ open files in .*|the system's open-file table is full .*)$/.exec(message)?.[1];
}
