import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandModule } from 'yargs';
import { ExitCode, HarnessError, isHarnessError } from '../../errors.js';
import type { Plan } from '../../scenario/plan.js';
import { parseDuration } from '../../scenario/units.js';
import { withExamples } from '../help.js';
import { planOptions, planOverrides, type PlanArgs } from '../plan-options.js';
import { parseMetricsFlag } from '../metrics-flag.js';
import type { MetricsServer } from '../../metrics/live-server.js';
import type { ProgressListener } from '../../engine/run-progress.js';
import { agentsRequest, type AgentArgs } from '../agent-flags.js';

interface Args extends PlanArgs, AgentArgs {
  scenario: string[];
  out: string;
  json: boolean;
  'progress-interval': string;
  'keep-sessions': boolean;
  metrics?: string;
  'metrics-linger': string;
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
      })
      .option('metrics', { type: 'string', describe: 'serve live Prometheus metrics at http://HOST:PORT/metrics while the runs go (loopback unless --allow-remote; see docs/live-metrics.md)' })
      .option('agents', { type: 'number', describe: 'run the clients in N local agent processes (past one process\'s descriptor limit; docs/scaling-out.md)' })
      .option('listen', { type: 'string', describe: 'wait for agents (`mqtt-chaos agent --join`) on HOST:PORT (loopback unless --allow-remote; token from MQTT_CHAOS_TOKEN)' })
      .option('expect-agents', { type: 'number', describe: 'with --listen: how many agents to wait for before the first run' })
      .option('metrics-linger', { type: 'string', default: '0s', describe: 'with --metrics: keep serving this long after the last scenario, so a scraper gets the settled figures (Ctrl-C ends it)' }),
  handler: async (argv) => {
    // Loaded here, not at start: `--help` and the other commands never pay for the engine.
    const [{ formatDeadline, scenarioDeadlineMs }, { runScenario }, { renderReports }, { judgeScenario }, { renderConsole }, { writeReportFiles }, { formatProblem, loadScenario }, { newInvocation }, { ProgressRenderer, progressMode }, { runRamp }, { rampExitCode }, { buildResult }] =
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
        import('../../engine/ramp.js'),
        import('../../checks/ramp.js'),
        import('../../result/build.js'),
      ]);
    // Load every file first: a typo in the third must not cost the first two runs.
    const loaded = argv.scenario.map((file) => loadScenario(file, planOverrides(argv)));
    const agents = agentsRequest(argv);
    // Remote agents leave when a scenario ends (`bye`): they are gathered for one.
    if (agents?.kind === 'listen' && loaded.length > 1) throw new HarnessError('E_USAGE', `--listen: run one scenario per invocation with remote agents (${loaded.length} given)`);
    // A ramp runs the scenario once per step, and remote agents leave at the end of the first.
    if (agents?.kind === 'listen' && loaded[0]?.plan.ramp) throw new HarnessError('E_USAGE', `--listen: a ramp scenario (${loaded[0].plan.scenario.file}) runs with local agents (--agents N) only`);
    const metricsAt = argv.metrics === undefined ? undefined : parseMetricsFlag(argv.metrics, argv['allow-remote'] ?? false);
    const lingerMs = parseDuration(argv['metrics-linger']);
    if (lingerMs === undefined) throw new HarnessError('E_USAGE', `--metrics-linger ${argv['metrics-linger']}: write a duration such as 30s or 0s`);
    if (lingerMs > 0 && metricsAt === undefined) throw new HarnessError('E_USAGE', `--metrics-linger ${argv['metrics-linger']}: there is nothing to keep serving without --metrics HOST:PORT`);
    const intervalMs = parseDuration(argv['progress-interval']);
    if (intervalMs === undefined) throw new HarnessError('E_USAGE', `--progress-interval ${argv['progress-interval']}: write a duration such as 5s or 500ms`);
    const mode = progressMode({ json: argv.json, isTTY: process.stderr.isTTY === true, env: process.env });
    const progress = new ProgressRenderer({ mode, err: process.stderr, out: process.stdout, intervalMs });
    const log = progress.log;
    // Said before anything connects: a broker that refuses these topics fails the run late.
    for (const warning of loaded.flatMap((l) => l.warnings)) log(formatProblem(warning));
    const plans = loaded.map((l) => l.plan);
    const ramped = plans.find((p) => p.ramp);
    if (ramped && argv['keep-sessions']) {
      throw new HarnessError('E_USAGE', `--keep-sessions: ${ramped.scenario.file} ramps, and each step must start without the previous step's sessions`);
    }
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
    // prom-client only for a run that serves metrics.
    const live = metricsAt ? new (await import('../../metrics/live-metrics.js')).LiveMetrics() : undefined;
    let server: MetricsServer | undefined;
    const onProgress: ProgressListener = live
      ? (event) => {
          progress.event(event);
          live.note(event);
        }
      : progress.event;
    try {
      // Before the first run, so a scraper sees every run from its start.
      if (live && metricsAt) {
        const { serveMetrics } = await import('../../metrics/live-server.js');
        server = await serveMetrics(live.registry, metricsAt, `--metrics ${argv.metrics}`);
        log(`metrics: ${server.url}`);
      }
      for (const plan of plans) {
        live?.plan(plan);
        const dir = resolve(argv.out, runId(plan));
        progress.event({ type: 'scenario-start', scenario: plan.scenario.name, file: plan.scenario.file, dir, runs: plan.runs.map((r) => r.id) });
        log(`scenario ${plan.scenario.name} (${plan.scenario.file}) → ${dir} (deadline ${formatDeadline(scenarioDeadlineMs(plan))})`);
        const options = { runDir: join(dir, 'runs'), signal: controller.signal, log, onProgress, invocation, keepSessions: argv['keep-sessions'], ...(agents ? { agents } : {}) };
        // A ramp runs the scenario once per step (docs/capacity-planning.md); its steps' runs are judged as they end.
        const ramp = plan.ramp ? await runRamp(plan, plan.ramp, { ...options, onStep: (step) => live?.plan(step) }) : undefined;
        const once = ramp ? undefined : await runScenario(plan, options);
        const error = ramp ? ramp.error : once?.error;
        const ranNothing = ramp ? ramp.runs.length === 0 : once?.records.length === 0;
        // Stopped before any run began (a broker unreachable): nothing measured, no empty report.
        if (ranNothing && error !== undefined && interruptedExit === undefined) throw harnessError(error);
        const result = ramp ? { ...buildResult(plan, ramp.runs, ramp.startedAtIso), ramp: ramp.ramp } : judgeScenario(plan, once?.records ?? []);
        // summary.md, junit.xml, report.html: all rendered from the result alone (`report` re-renders them).
        // A report that fails to render must not cost what was measured: result.json is written anyway.
        const files: Record<string, string> = { 'result.json': `${JSON.stringify(result, null, 2)}\n` };
        try {
          Object.assign(files, renderReports(result));
        } catch (err) {
          log(`reports not rendered (${err instanceof Error ? err.message : String(err)}): try mqtt-chaos report ${join(dir, 'result.json')}`);
        }
        await writeReportFiles(dir, files);
        // Settled once result.json is on disk: a scraper that sees it can read the file.
        live?.settle(result);
        progress.event({ type: 'reports', dir, files: Object.keys(files) });
        progress.suspend();
        if (argv.json) progress.document(result);
        else process.stdout.write(`${renderConsole(result)}\nwritten: ${join(dir, 'result.json')}, ${Object.keys(files).slice(1).join(', ')}\n`);
        if (interruptedExit !== undefined) {
          exitCode = interruptedExit;
          break;
        }
        if (error) throw harnessError(error);
        // A ramp's knee is a finding, not a failure: its outcome decides (docs/exit-codes.md).
        const failed = result.ramp ? rampExitCode(result.ramp.outcome) !== ExitCode.ok : result.runs.some((r) => r.verdict === 'fail' || r.verdict === 'incomplete');
        if (failed) exitCode = ExitCode.checkFailed;
      }
      if (server && lingerMs > 0 && interruptedExit === undefined) {
        log(`metrics: serving the settled figures for ${argv['metrics-linger']} more (Ctrl-C ends it)`);
        await sleep(lingerMs, undefined, { signal: controller.signal }).catch(() => undefined);
        if (interruptedExit !== undefined) exitCode = interruptedExit;
      }
    } finally {
      await server?.close();
      progress.close();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    process.exitCode = exitCode;
  },
};
