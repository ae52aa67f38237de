import type { CommandModule } from 'yargs';
import { withExamples } from '../help.js';
import { planOptions, planOverrides, type PlanArgs } from '../plan-options.js';

export const planCommand: CommandModule<object, PlanArgs & { scenario: string; json: boolean }> = {
  command: 'plan <scenario>',
  describe: 'what a run would do without running it: runs, groups, clients, phases, time; --json for the resolved plan',
  builder: (yargs) =>
    withExamples(
      planOptions(yargs.positional('scenario', { type: 'string', demandOption: true })).option('json', {
        type: 'boolean',
        default: false,
        describe: 'print the resolved plan as JSON: every default filled, the matrix expanded',
      }),
      [
        ['$0 plan scenarios/quickstart.yaml', 'runs, clients, phases and the time it takes at least'],
        ['$0 plan scenarios/capacity.yaml --count devices=5000 --protocol 5', 'with flags, as run would take them'],
        ['$0 plan scenarios/quickstart.yaml --json', 'the resolved plan as JSON'],
      ],
    ),
  handler: async (argv) => {
    // Loaded here, not at start: `--help` and the other commands never pay for them.
    const [{ formatProblem, loadScenario }, { renderPlanSummary }] = await Promise.all([import('../../scenario/index.js'), import('../plan-summary.js')]);
    const { plan, warnings } = loadScenario(argv.scenario, planOverrides(argv));
    for (const warning of warnings) process.stderr.write(`${formatProblem(warning)}\n`);
    process.stdout.write(argv.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanSummary(plan, argv.scenario));
  },
};
