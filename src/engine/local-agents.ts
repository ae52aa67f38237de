/**
 * `--agents N`: N agent processes on this machine (`mqtt-chaos agent --join` to a loopback
 * listener), each with its own descriptor budget and worker pool. They run in their own
 * process group, so a Ctrl-C at the terminal reaches the coordinator only, which then
 * finishes the run through them (collecting their ledgers) and tells them to stop. Every
 * one still alive when stopped is killed by its PID after a grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { HarnessError } from '../errors.js';
import { TOKEN_ENV } from '../workers/agent-protocol.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const EXIT_GRACE_MS = 5000;

export interface LocalAgents {
  readonly pids: readonly number[];
  /** Rejects when an agent exits before the run is over; never resolves. */
  readonly exited: Promise<never>;
  stop(): Promise<void>;
}

/** The token local agents share with their coordinator: the user's, or a fresh one. */
export function localToken(env: NodeJS.ProcessEnv = process.env): string {
  return env[TOKEN_ENV] || randomBytes(24).toString('base64url');
}

export function startLocalAgents(count: number, port: number, token: string, log: (line: string) => void): LocalAgents {
  const children: ChildProcess[] = [];
  let stopping = false;
  let fail!: (err: Error) => void;
  const exited = new Promise<never>((_, reject) => (fail = reject));
  exited.catch(() => undefined);
  for (let i = 0; i < count; i++) {
    const child = spawn(process.execPath, [CLI, 'agent', '--join', `127.0.0.1:${port}`], {
      env: { ...process.env, [TOKEN_ENV]: token },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    children.push(child);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      for (const line of text.split('\n')) if (line.trim() !== '') log(`  local agent pid ${child.pid}: ${line}`);
    });
    child.on('exit', (code, signal) => {
      if (!stopping) fail(new HarnessError('E_ENVIRONMENT', `local agent pid ${child.pid} exited (${signal ?? `code ${code}`})`));
    });
  }
  return {
    pids: children.map((c) => c.pid ?? -1),
    exited,
    stop: async () => {
      stopping = true;
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              const timer = setTimeout(() => {
                if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
              }, EXIT_GRACE_MS);
              child.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
            }),
        ),
      );
    },
  };
}
