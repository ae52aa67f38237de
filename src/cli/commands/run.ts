import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { runScenario } from '../../engine/orchestrator.js';
import { ExitCode, HarnessError, isHarnessError } from '../../errors.js';
import { buildResult } from '../../report/result.js';
import { renderConsole, renderSummary } from '../../report/summary-md.js';
import { writeReportFiles } from '../../report/write-files.js';
import { loadScenario } from '../../scenario/index.js';
import type { Plan } from '../../scenario/plan.js';
import { planOptions, planOverrides, type PlanArgs } from '../plan-options.js';

interface Args extends PlanArgs {
  scenario: string[];
  out: string;
  json: boolean;
}

/** Folder name of one invocation: scenario name and start time, sortable. */
function runId(plan: Plan): string {
  return `${plan.scenario.name}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}`;
}

export const runCommand: CommandModule<object, Args> = {
  command: 'run <scenario...>',
  describe: 'run scenarios: every run of the matrix, then the v3.1.1/v5 summary and reports',
  builder: (yargs) =>
    planOptions(yargs.positional('scenario', { type: 'string', array: true, demandOption: true }))
      .option('out', { type: 'string', default: 'reports', describe: 'folder that gets one sub-folder per run' })
      .option('json', { type: 'boolean', default: false, describe: 'print result.json on stdout (progress stays on stderr)' }),
  handler: async (argv) => {
    // Load every file first: a typo in the third must not cost the first two runs.
    const plans = argv.scenario.map((file) => loadScenario(file, planOverrides(argv)));
    const log = (line: string): void => void process.stderr.write(`${line}\n`);
    const controller = new AbortController();
    let interruptedExit: number | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      interruptedExit = signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated;
      log(`${signal}: stopping, cleaning up, writing what was measured…`);
      controller.abort(new Error(`interrupted (${signal})`));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let exitCode: number = ExitCode.ok;
    try {
      for (const plan of plans) {
        const dir = resolve(argv.out, runId(plan));
        log(`scenario ${plan.scenario.name} (${plan.scenario.file}) → ${dir}`);
        const outcome = await runScenario(plan, { runDir: join(dir, 'runs'), signal: controller.signal, log });
        const result = buildResult(plan, outcome.records);
        await writeReportFiles(dir, {
          'result.json': `${JSON.stringify(result, null, 2)}\n`,
          'summary.md': renderSummary(result),
        });
        if (argv.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else process.stdout.write(`${renderConsole(result)}\nwritten: ${join(dir, 'result.json')}, summary.md\n`);
        if (interruptedExit !== undefined) {
          exitCode = interruptedExit;
          break;
        }
        if (outcome.error) {
          const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
          throw isHarnessError(outcome.error) ? outcome.error : new HarnessError('E_ENVIRONMENT', message);
        }
        if (result.runs.some((r) => r.verdict === 'fail')) exitCode = ExitCode.checkFailed;
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    process.exitCode = exitCode;
  },
};
