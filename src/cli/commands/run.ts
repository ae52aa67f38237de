import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { ExitCode, HarnessError, isHarnessError } from '../../errors.js';
import type { Plan } from '../../scenario/plan.js';
import { parseDuration } from '../../scenario/units.js';
import { withExamples } from '../help.js';
import { planOptions, planOverrides, type PlanArgs } from '../plan-options.js';

interface Args extends PlanArgs {
  scenario: string[];
  out: string;
  json: boolean;
  'progress-interval': string;
  'keep-sessions': boolean;
}

/** Folder name of one invocation: scenario name and start time, sortable. */
function runId(plan: Plan): string {
  return `${plan.scenario.name}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}`;
}

/** What stopped a scenario, as the one line and exit code the CLI ends with. */
function harnessError(error: unknown): HarnessError {
  return isHarnessError(error) ? error : new HarnessError('E_ENVIRONMENT', error instanceof Error ? error.message : String(error));
}

export const runCommand: CommandModule<object, Args> = {
  command: 'run <scenario...>',
  describe: 'run scenarios: every run of the matrix, then the v3.1.1/v5 summary and reports',
  builder: (yargs) =>
    withExamples(planOptions(yargs.positional('scenario', { type: 'string', array: true, demandOption: true })), [
      ['$0 run scenarios/quickstart.yaml', 'every run of the matrix on a broker the harness starts'],
      ['$0 run scenarios/persistent-session.yaml --broker mqtt://127.0.0.1:1883 --protocol 5', 'one protocol, against your own broker'],
      ['$0 run scenarios/capacity.yaml --count devices=500 --deadline 10m --json > events.ndjson', 'smaller, bounded, and machine-readable for CI'],
    ])
      .option('out', { type: 'string', default: 'reports', describe: 'folder that gets one sub-folder per run' })
      .option('json', { type: 'boolean', default: false, describe: 'NDJSON on stdout: progress events, then result.json as the last line of each scenario' })
      .option('progress-interval', { type: 'string', default: '5s', describe: 'without a terminal (CI): how often a progress line is printed' })
      .option('keep-sessions', {
        type: 'boolean',
        default: false,
        describe: "leave the runs' persistent sessions on an external broker (by default each run clears them at its end, interrupted or not)",
      }),
  handler: async (argv) => {
    // Loaded here, not at start: `--help` and the other commands never pay for the engine.
    const [{ formatDeadline, scenarioDeadlineMs }, { runScenario }, { renderReports }, { judgeScenario }, { renderConsole }, { writeReportFiles }, { formatProblem, loadScenario }, { newInvocation }, { ProgressRenderer, progressMode }] =
      await Promise.all([
        import('../../engine/deadline.js'),
        import('../../engine/orchestrator.js'),
        import('../../report/render-all.js'),
        import('../../checks/judge.js'),
        import('../../report/summary-md.js'),
        import('../../report/write-files.js'),
        import('../../scenario/index.js'),
        import('../../workers/invocation.js'),
        import('../progress.js'),
      ]);
    // Load every file first: a typo in the third must not cost the first two runs.
    const loaded = argv.scenario.map((file) => loadScenario(file, planOverrides(argv)));
    const intervalMs = parseDuration(argv['progress-interval']);
    if (intervalMs === undefined) throw new HarnessError('E_USAGE', `--progress-interval ${argv['progress-interval']}: write a duration such as 5s or 500ms`);
    const mode = progressMode({ json: argv.json, isTTY: process.stderr.isTTY === true, env: process.env });
    const progress = new ProgressRenderer({ mode, err: process.stderr, out: process.stdout, intervalMs });
    const log = progress.log;
    // Said before anything connects: a broker that refuses these topics fails the run late.
    for (const warning of loaded.flatMap((l) => l.warnings)) log(formatProblem(warning));
    const plans = loaded.map((l) => l.plan);
    const controller = new AbortController();
    let interruptedExit: number | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (interruptedExit !== undefined) {
        // The user insists: leave now, cleanup or not.
        process.stderr.write(`mqtt-chaos: second ${signal}: exiting without finishing the cleanup\n`);
        process.exit(interruptedExit);
      }
      interruptedExit = signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated;
      log(`${signal}: stopping, cleaning up, writing what was measured…`);
      controller.abort(new Error(`interrupted (${signal})`));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let exitCode: number = ExitCode.ok;
    // One per invocation, shared by its scenarios: their messages and default client ids carry it.
    const invocation = newInvocation();
    try {
      for (const plan of plans) {
        const dir = resolve(argv.out, runId(plan));
        progress.event({ type: 'scenario-start', scenario: plan.scenario.name, file: plan.scenario.file, dir, runs: plan.runs.map((r) => r.id) });
        log(`scenario ${plan.scenario.name} (${plan.scenario.file}) → ${dir} (deadline ${formatDeadline(scenarioDeadlineMs(plan))})`);
        const outcome = await runScenario(plan, {
          runDir: join(dir, 'runs'),
          signal: controller.signal,
          log,
          onProgress: progress.event,
          invocation,
          keepSessions: argv['keep-sessions'],
        });
        // Stopped before any run began (a broker unreachable): nothing measured, no empty report.
        if (outcome.records.length === 0 && outcome.error !== undefined && interruptedExit === undefined) throw harnessError(outcome.error);
        const result = judgeScenario(plan, outcome.records);
        // summary.md, junit.xml, report.html: all rendered from the result alone (`report` re-renders them).
        // A report that fails to render must not cost what was measured: result.json is written anyway.
        const files: Record<string, string> = { 'result.json': `${JSON.stringify(result, null, 2)}\n` };
        try {
          Object.assign(files, renderReports(result));
        } catch (err) {
          log(`reports not rendered (${err instanceof Error ? err.message : String(err)}): try mqtt-chaos report ${join(dir, 'result.json')}`);
        }
        await writeReportFiles(dir, files);
        progress.event({ type: 'reports', dir, files: Object.keys(files) });
        progress.suspend();
        if (argv.json) progress.document(result);
        else process.stdout.write(`${renderConsole(result)}\nwritten: ${join(dir, 'result.json')}, ${Object.keys(files).slice(1).join(', ')}\n`);
        if (interruptedExit !== undefined) {
          exitCode = interruptedExit;
          break;
        }
        if (outcome.error) throw harnessError(outcome.error);
        if (result.runs.some((r) => r.verdict === 'fail' || r.verdict === 'incomplete')) exitCode = ExitCode.checkFailed;
      }
    } finally {
      progress.close();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    process.exitCode = exitCode;
  },
};
