/**
 * `mqtt-chaos` in a child process a test can signal and watch while it runs: its output so
 * far, its exit, and every process seen as its child (polled), so a test can check none
 * outlives it. Teardown kills the CLI and whatever it left behind, by PID.
 */
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { CLI } from './cli.js';
import { waitUntil } from './tcp.js';
import type { Teardown } from './teardown.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningCli {
  child: ChildProcessByStdio<null, Readable, Readable>;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<Exit>;
  hasExited: () => boolean;
  /** Every process seen with the CLI as its parent while it ran. */
  children: Set<number>;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function spawnCli(td: Teardown, args: string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (err += d.toString()));
  let done = false;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  // 'exit' can come before the pipes are drained: wait for 'close' too.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const children = new Set<number>();
  const poll = setInterval(() => {
    if (done || child.pid === undefined) return;
    execFile('pgrep', ['-P', String(child.pid)], (_error, stdout) => {
      if (done) return;
      for (const pid of stdout.split('\n').filter(Boolean)) children.add(Number(pid));
    });
  }, 100);
  td.add(`cli pid ${child.pid}`, async () => {
    clearInterval(poll);
    if (!done && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    await exited;
    for (const pid of children) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  void exited.then(() => clearInterval(poll));
  return { child, stdout: () => out, stderr: () => err, exited: exited.then(async (e) => (await closed, e)), hasExited: () => done, children };
}

export async function waitExit(cli: RunningCli, timeoutMs: number): Promise<Exit> {
  await waitUntil(cli.hasExited, timeoutMs, `the CLI to exit (stderr: ${cli.stderr().trim()})`);
  return cli.exited;
}

/** The CLI's children that outlived it. */
export const survivors = (cli: RunningCli): number[] => [...cli.children].filter(alive);
