import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves when the child has exited (at once if it already has). */
async function exited(child: ChildProcess): Promise<void> {
  if (!hasExited(child)) await once(child, 'exit');
}

/**
 * SIGTERM (or the given signal), then SIGKILL if it is still running after `graceMs`.
 * Signals go to this child's PID only, never to a process group or a name.
 */
export async function stopProcess(
  child: ChildProcess,
  { signal = 'SIGTERM', graceMs = 5000 }: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<void> {
  if (hasExited(child)) return;
  const done = exited(child);
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await done;
  } finally {
    clearTimeout(timer);
  }
}
