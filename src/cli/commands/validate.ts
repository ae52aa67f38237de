import type { CommandModule } from 'yargs';
import { ExitCode } from '../../errors.js';
import { withExamples } from '../help.js';
import { ScenarioError } from '../../scenario/problems.js';

interface Args {
  scenario: string[];
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
    // Loaded here, not at start: `--help` and the other commands never pay for it.
    const { loadScenario, formatProblem } = await import('../../scenario/index.js');
    let bad = 0;
    for (const file of argv.scenario) {
      try {
        // A target outside loopback is not a fault of the file: `run --allow-remote` may opt in.
        const { plan, warnings } = loadScenario(file, { allowRemote: true });
        for (const warning of warnings) process.stderr.write(`${formatProblem(warning)}\n`);
        process.stdout.write(`ok: ${file} (${plan.runs.map((r) => r.id).join(', ')})\n`);
      } catch (err) {
        if (!(err instanceof ScenarioError)) throw err;
        bad += 1;
        for (const problem of err.problems) process.stderr.write(`${formatProblem(problem)}\n`);
      }
    }
    if (bad > 0) process.exitCode = ExitCode.usage;
  },
};
