import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { rssBytes } from './processes.js';

/** Clock ticks per second of /proc/<pid>/stat times (100 on Linux nearly always). */
const ticksPerSecond = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Fields of /proc/<pid>/stat after the `(comm)` field, which may itself hold spaces. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime of a process, in µs (resolution 1/CLK_TCK); 0 once it is gone. */
export function processCpuUs(pid: number): number {
  const fields = statFields(pid);
  if (!fields) return 0;
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticksPerSecond;
}

/** Direct children of `parent` (from /proc/<pid>/stat's ppid), except `excluded`. */
export function childPids(parent: number, excluded: readonly number[] = []): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || excluded.includes(pid)) continue;
    if (statFields(pid)?.[1] === String(parent)) pids.push(pid);
  }
  return pids;
}

/** CPU of the parties of a benchmark at one instant: µs, on one wall clock (ms). */
export interface CpuSnapshot {
  at: number;
  /** This process, every thread (main and workers). */
  harnessUs: number;
  /** Child processes of this one other than the broker (the embedded fault servers). */
  childrenUs: number;
  brokerUs: number;
  harnessRss: number;
  brokerRss: number;
}

/** `children`: the fault servers' pids, found once (scanning /proc at every snapshot would cost the harness). */
export function cpuSnapshot(brokerPid: number, children: readonly number[] = []): CpuSnapshot {
  const { user, system } = process.cpuUsage();
  return {
    at: performance.now(),
    harnessUs: user + system,
    childrenUs: children.reduce((sum, pid) => sum + processCpuUs(pid), 0),
    brokerUs: processCpuUs(brokerPid),
    harnessRss: process.memoryUsage().rss,
    brokerRss: rssBytes(brokerPid),
  };
}

/** One party's CPU over an interval: share of one core, and µs per unit of work. */
export interface CpuShare {
  pctCore: number;
  usPerUnit: number;
}

export interface Interval {
  wallMs: number;
  harness: CpuShare;
  faultServer: CpuShare;
  broker: CpuShare;
}

/** CPU of each party between two snapshots, per `units` (messages, connections). */
export function interval(from: CpuSnapshot, to: CpuSnapshot, units: number): Interval {
  const wallMs = to.at - from.at;
  const share = (us: number): CpuShare => ({ pctCore: (us / 1000 / Math.max(wallMs, 1e-3)) * 100, usPerUnit: us / Math.max(units, 1) });
  return {
    wallMs,
    harness: share(to.harnessUs - from.harnessUs),
    faultServer: share(to.childrenUs - from.childrenUs),
    broker: share(to.brokerUs - from.brokerUs),
  };
}
