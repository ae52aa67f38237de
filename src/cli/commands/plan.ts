import type { CommandModule } from 'yargs';
import { formatProblem, loadScenario } from '../../scenario/index.js';
import { planOptions, planOverrides, type PlanArgs } from '../plan-options.js';

export const planCommand: CommandModule<object, PlanArgs & { scenario: string }> = {
  command: 'plan <scenario>',
  describe: 'print the resolved plan (every default filled, the matrix expanded) without running',
  builder: (yargs) => planOptions(yargs.positional('scenario', { type: 'string', demandOption: true })),
  handler: (argv) => {
    const { plan, warnings } = loadScenario(argv.scenario, planOverrides(argv));
    for (const warning of warnings) process.stderr.write(`${formatProblem(warning)}\n`);
    process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
  },
};
