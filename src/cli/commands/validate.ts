import type { CommandModule } from 'yargs';
import { ExitCode } from '../../errors.js';
import { withExamples } from '../help.js';
import { ScenarioError } from '../../scenario/problems.js';

interface Args {
  scenario: string[];
}

/** What `validate` prints for some files, and its exit code: the command's whole behaviour, callable in-process. */
export interface Validation {
  stdout: string[];
  stderr: string[];
  exitCode: number;
}

export async function validateFiles(files: readonly string[]): Promise<Validation> {
  // Loaded here, not at start: `--help` and the other commands never pay for it.
  const { loadScenario, formatProblem } = await import('../../scenario/index.js');
  const out: Validation = { stdout: [], stderr: [], exitCode: ExitCode.ok };
  for (const file of files) {
    try {
      // A target outside loopback is not a fault of the file: `run --allow-remote` may opt in.
      const { plan, warnings } = loadScenario(file, { allowRemote: true });
      out.stderr.push(...warnings.map(formatProblem));
      out.stdout.push(`ok: ${file} (${plan.runs.map((r) => r.id).join(', ')})`);
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      out.exitCode = ExitCode.usage;
      out.stderr.push(...err.problems.map(formatProblem));
    }
  }
  return out;
}

export const validateCommand: CommandModule<object, Args> = {
  command: 'validate <scenario...>',
  describe: 'check scenario files: every problem, with file:line:column and the field; warnings do not fail',
  builder: (yargs) =>
    withExamples(yargs.positional('scenario', { type: 'string', array: true, demandOption: true }), [
      ['$0 validate scenarios/quickstart.yaml', 'one file: ok, or every problem with file:line:column'],
      ['$0 validate scenarios/*.yaml', 'every shipped scenario; exit 2 if any is broken'],
    ]),
  handler: async (argv) => {
    const { stdout, stderr, exitCode } = await validateFiles(argv.scenario);
    for (const line of stderr) process.stderr.write(`${line}\n`);
    for (const line of stdout) process.stdout.write(`${line}\n`);
    process.exitCode = exitCode;
  },
};
