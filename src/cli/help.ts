import type { Argv } from 'yargs';

/** Help wider than this is hard to read, whatever the terminal. */
const MAX_WIDTH = 120;
/** Without a terminal (a pipe, CI) and no COLUMNS: wide enough for a command on one line. */
const DEFAULT_WIDTH = 100;
const MIN_WIDTH = 40;

/** The width help wraps at: the terminal's, else COLUMNS, else 100; within 40 to 120. */
export function helpWidth(columns: number | undefined, env: NodeJS.ProcessEnv): number {
  const fromEnv = Number(env.COLUMNS);
  const width = columns ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_WIDTH);
  return Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, width));
}

/**
 * Examples as a shell comment saying what, then the command on a line of its own. yargs'
 * two columns give a command half the width, so a real one wraps over lines and cannot be
 * pasted; an example with no description gets the whole width.
 */
export function withExamples<T>(yargs: Argv<T>, examples: readonly [command: string, what: string][]): Argv<T> {
  return examples.reduce((y, [command, what]) => y.example(`# ${what}\n${command}`, ''), yargs);
}

/** Pages under docs/ the top-level help names; a test holds that each exists. */
export const HELP_DOC_PAGES = ['writing-scenarios.md', 'scenario-reference.md', 'reports-and-ci.md', 'exit-codes.md'] as const;

/** Where the detail is: the package's docs/ folder, which README.md lists page by page. */
export const DOCS_EPILOGUE =
  'Documentation: the docs/ folder of this package (README.md lists every page), e.g. ' +
  `${HELP_DOC_PAGES.map((p) => `docs/${p}`).join(', ')}.`;
