/**
 * `mqtt-chaos` spawned as a user runs it, for tests that watch it while it runs (signals,
 * deadlines): its output as it comes, its exit, and every process it started (found by
 * parent PID while it runs), so a test can check none outlived it. The CLI and whatever it
 * left are killed by PID when the test ends.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Result } from '../../src/result/result.js';
import { CLI } from './cli.js';
import { waitUntil } from './tcp.js';
import type { Teardown } from './teardown.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Cli {
  child: ChildProcessByStdio<null, Readable, Readable>;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<Exit>;
  hasExited: () => boolean;
  /** Every process seen with the CLI as its parent while it ran (polled). */
  children: Set<number>;
}

export function runCli(td: Teardown, args: string[], env: NodeJS.ProcessEnv = {}): Cli {
  return runCommand(td, process.execPath, [CLI, ...args], env);
}

/** Any command watched as runCli watches the CLI (e.g. the CLI under `ip netns exec`, which execs it in place). */
export function runCommand(td: Teardown, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Cli {
  const child = spawn(command, args, {
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
  // The broker and the fault server the CLI starts are its children: note them while it
  // runs, so the test can check they are gone after it exits (when they would be orphans).
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
    // Whatever it left behind (reported by the test's assertions) is killed by its PID.
    for (const pid of children) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  void exited.then(() => clearInterval(poll));
  return { child, stdout: () => out, stderr: () => err, exited: exited.then(async (e) => (await closed, e)), hasExited: () => done, children };
}

/** The CLI's children that outlived it. */
export const survivors = (cli: Cli): number[] => [...cli.children].filter(alive);

export async function waitExit(cli: Cli, timeoutMs: number): Promise<Exit> {
  await waitUntil(cli.hasExited, timeoutMs, `the CLI to exit (stderr: ${cli.stderr().trim()})`);
  return cli.exited;
}

export async function outDir(td: Teardown, prefix = 'mqtt-chaos-run-cli-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  td.add(`rm ${dir}`, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The one invocation folder `run` made in `out` (scenario name and time). */
export function invocationDir(out: string, scenario: string): string {
  const dirs = readdirSync(out).filter((d) => d.startsWith(`${scenario}-`));
  assert.equal(dirs.length, 1, `one folder for ${scenario} in ${out}: ${readdirSync(out).join(', ')}`);
  return join(out, dirs[0]!);
}

export function readResult(dir: string): Result {
  const file = join(dir, 'result.json');
  assert.ok(existsSync(file), `${file} written`);
  return JSON.parse(readFileSync(file, 'utf8')) as Result;
}

export function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Command lines of running processes that mention `text` (e.g. a run folder). */
export function mentioning(text: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', text], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l !== '' && !l.includes('pgrep'));
  } catch {
    return [];
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const noStackTrace = (cli: Cli): void => {
  assert.doesNotMatch(cli.stderr(), /\n\s+at /, `no stack trace on stderr:\n${cli.stderr()}`);
  assert.doesNotMatch(cli.stdout(), /\n\s+at /, 'no stack trace on stdout');
};
