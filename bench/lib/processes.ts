import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
export { openFileLimit } from '../../src/net/open-files.js';
import { fileURLToPath } from 'node:url';

export interface Child {
  process: ChildProcess;
  /** The first line matching `pattern` on stdout. */
  line: string;
  stop(): Promise<void>;
}

/** Starts a node script as a child and waits for a stdout line matching `pattern`. */
export function startChild(script: string, args: string[], pattern: RegExp): Promise<Child> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start in 10 s`)), 10_000);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.stdout?.on('data', (data: Buffer) => {
      buffered += data.toString();
      const line = buffered.split('\n').find((l) => pattern.test(l));
      if (!line) return;
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume();
      resolve({
        process: child,
        line,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** A path under the compiled tree's root (dist/), e.g. distFile('src/cli/main.js'). */
export const distFile = (relative: string): string => fileURLToPath(new URL(`../../${relative}`, import.meta.url));

/** Resident set size of a process, in bytes, from /proc. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}
