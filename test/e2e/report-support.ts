/** Running the CLI to its end for the report tests (report, compare, progress). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Teardown } from '../helpers/teardown.js';

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end (killed by its PID if the test ends first). */
export function cli(td: Teardown, args: string[], timeoutMs = 30_000, env: NodeJS.ProcessEnv = { NO_COLOR: '1' }): Promise<Ran> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
  const closed = new Promise<Ran>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  td.add(`cli pid ${child.pid}`, async () => {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await closed;
  });
  return closed.finally(() => clearTimeout(timer));
}

export async function tempDir(td: Teardown, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  td.add(`rm ${dir}`, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Exit 2 and exactly one line on stderr, matching `line`, nothing on stdout. */
export function oneLine(ran: Ran, line: RegExp): void {
  assert.equal(ran.code, 2, `exit 2; stderr:\n${ran.stderr}`);
  const lines = ran.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr:\n${ran.stderr}`);
  assert.match(lines[0]!, line);
  assert.doesNotMatch(ran.stderr, /\n\s+at /, 'no stack trace');
}
