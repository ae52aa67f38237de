import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { reasonOf, type MemoryProbe, type MemorySample } from './memory-probe.js';

/**
 * Resident set size from /proc/<pid>/status (VmRSS, in kB), Linux only. The process is the
 * broker the harness started (its pid asked for on every sample, so a restart is followed),
 * a pid the scenario gives, or the one process with a given name.
 */
export type RssTarget =
  | { kind: 'pid'; pid: () => number | undefined; what: string }
  | { kind: 'process'; name: string };

const VM_RSS = /^VmRSS:\s+(\d+)\s+kB$/m;

/** VmRSS in bytes from a /proc/<pid>/status text; undefined when absent (a zombie, a kernel thread). */
export function parseVmRss(status: string): number | undefined {
  const match = VM_RSS.exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

/**
 * Pids whose name is `name`: the kernel's comm (cut to 15 characters) or the basename of
 * argv[0]. The calling process is left out.
 */
export async function findProcesses(name: string, proc = '/proc'): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir(proc)) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const comm = (await readFile(`${proc}/${entry}/comm`, 'utf8')).trim();
      const argv0 = (await readFile(`${proc}/${entry}/cmdline`, 'utf8')).split('\0')[0] ?? '';
      if (comm === name || comm === name.slice(0, 15) || (argv0 !== '' && basename(argv0) === name)) found.push(Number(entry));
    } catch {
      // gone since readdir, or not ours to read
    }
  }
  return found;
}

export class RssProbe implements MemoryProbe {
  readonly name = 'rss';
  #target: RssTarget;
  #pid: (() => number | undefined) | undefined;
  #unavailable: string | undefined;
  #proc: string;

  constructor(target: RssTarget, proc = '/proc') {
    this.#target = target;
    this.#proc = proc;
    if (target.kind === 'pid') this.#pid = target.pid;
  }

  get source(): string {
    const pid = this.#pid?.();
    const which = this.#target.kind === 'pid' ? this.#target.what : `the process named "${this.#target.name}"`;
    return `VmRSS in /proc/${pid ?? '<pid>'}/status: ${which}`;
  }

  get unavailable(): string | undefined {
    return this.#unavailable;
  }

  async start(): Promise<void> {
    if (process.platform !== 'linux') {
      this.#unavailable = `RSS is read from /proc, which ${process.platform} does not have`;
      return;
    }
    if (this.#target.kind === 'process') {
      const { name } = this.#target;
      let pids: number[];
      try {
        pids = await findProcesses(name, this.#proc);
      } catch (err) {
        this.#unavailable = `cannot list processes in ${this.#proc}: ${reasonOf(err)}`;
        return;
      }
      if (pids.length !== 1) {
        this.#unavailable =
          pids.length === 0
            ? `no process named "${name}" is running`
            : `${pids.length} processes are named "${name}" (pids ${pids.join(', ')}): give memory.probes { rss: { pid } } instead`;
        return;
      }
      const pid = pids[0];
      this.#pid = () => pid;
    }
    await this.sample();
  }

  async sample(): Promise<MemorySample | undefined> {
    const pid = this.#pid?.();
    if (!this.#pid) return undefined;
    if (pid === undefined) {
      this.#unavailable = 'the broker process has no pid (not started, or stopped)';
      return undefined;
    }
    let status: string;
    try {
      status = await readFile(`${this.#proc}/${pid}/status`, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      this.#unavailable = code === 'ENOENT' || code === 'ESRCH' ? `process ${pid} is gone` : `cannot read ${this.#proc}/${pid}/status: ${reasonOf(err)}`;
      return undefined;
    }
    const bytes = parseVmRss(status);
    if (bytes === undefined) {
      this.#unavailable = `process ${pid} has no VmRSS (it has exited)`;
      return undefined;
    }
    this.#unavailable = undefined;
    return { at: performance.now(), bytes };
  }

  async stop(): Promise<void> {}
}
