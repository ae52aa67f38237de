import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** dist/test/helpers/cli.js → dist/src/cli/main.js */
export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end (killed after 60 s: a loaded CI machine starts node slowly); `env` adds to the environment. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { timeout: 60_000, killSignal: 'SIGKILL', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code: child.exitCode ?? code, stdout, stderr });
      },
    );
  });
}

/** Non-empty lines of a command's output. */
export const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');
