import { checkOpenFiles, openFileLimits, type OpenFileLimits } from '../net/open-files.js';
import type { Plan } from '../scenario/plan.js';

/**
 * Descriptors the harness process holds besides its clients' sockets: worker threads,
 * stdio, report and log files, the fault servers' pipes, memory probes.
 */
export const HARNESS_RESERVE = 256;

/** The largest run's clients: each one socket in the harness, whichever way it connects. */
export function largestPopulation(plan: Plan): number {
  return Math.max(0, ...plan.runs.map((run) => run.groups.reduce((n, g) => n + g.count, 0)));
}

/**
 * Before anything starts: the harness holds every client's socket, so a limit too low for
 * that stops the invocation with one line (exit 3). Node has already raised the soft limit
 * to the hard one; the fault servers are sized by it (as many processes as it takes), and
 * the managed broker (which inherits it) holds no more sockets than the harness does.
 */
export function preflightOpenFiles(plan: Plan, limits: OpenFileLimits = openFileLimits()): void {
  checkOpenFiles(largestPopulation(plan) + HARNESS_RESERVE, 'the harness process', limits);
}
