#!/usr/bin/env node
import { createRequire } from 'node:module';
import type yargsESM from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitCode, HarnessError, isHarnessError } from '../errors.js';
import { ScenarioError } from '../scenario/problems.js';
import { agentCommand } from './commands/agent.js';
import { compareCommand } from './commands/compare.js';
import { k8sCommand } from './commands/k8s.js';
import { planCommand } from './commands/plan.js';
import { projectCommand } from './commands/project.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { toxiproxyCommand } from './commands/toxiproxy.js';
import { validateCommand } from './commands/validate.js';
import { flagProblem, type KnownOptions } from './flags.js';
import { DOCS_EPILOGUE, helpWidth, withExamples } from './help.js';

// yargs' ESM build lays help out with a wrap that cuts words anywhere (`--protoc` / `ol 5`);
// its CommonJS build wraps at word boundaries.
const yargs = createRequire(import.meta.url)('yargs') as typeof yargsESM;

/** One line on stderr, never a stack trace, and the contract's exit code. */
export function fail(message: string, exitCode: number): never {
  process.stderr.write(`mqtt-chaos: ${message}\n`);
  process.exit(exitCode);
}

async function main(argv: string[]): Promise<void> {
  const cli = yargs(argv)
    .scriptName('mqtt-chaos')
    .usage('$0 <command> [options]\n\nLoad- and chaos-testing harness for MQTT brokers.')
    // Messages are matched and reworded below: the same words whatever the user's LANG.
    .locale('en')
    .command(runCommand)
    .command(validateCommand)
    .command(planCommand)
    .command(toxiproxyCommand)
    .command(reportCommand)
    .command(compareCommand)
    .command(projectCommand)
    .command(k8sCommand)
    .command(agentCommand)
    .demandCommand(1, 'name a command: see mqtt-chaos --help');
  await withExamples(cli, [
    ['$0 run scenarios/quickstart.yaml', 'run a scenario: v3.1.1 beside v5, summary and reports/'],
    ['$0 run scenarios/persistent-session.yaml --broker mqtt://127.0.0.1:1883', 'against your own broker'],
    ['$0 validate scenarios/*.yaml', 'check scenario files without running them'],
    ['$0 plan scenarios/quickstart.yaml --protocol 5', 'what a run would do, and how long it takes at least'],
    ['$0 report reports/quickstart-20250101-120000/result.json', 're-render summary.md, junit.xml and report.html'],
    ['$0 compare baselines/*.json reports/x/result.json --tolerance "redelivery.latency.p99 +100ms"', 'gate on stored baselines (their spread is the noise band): exit 1 on a regression'],
    ['$0 k8s scenarios/quickstart.yaml --agents 3 --broker mqtt://mosquitto.mqtt.svc:1883 > mqtt-chaos.yaml', 'Kubernetes manifests: a coordinator and 3 agent pods (docs/kubernetes.md)'],
    ['$0 toxiproxy --port 0', 'serve the Toxiproxy 2.x API on a free port (printed at start)'],
  ])
    .strict()
    // Before yargs' own checks: an unknown flag gets a did-you-mean, and a repeated one is
    // ambiguous unless the option takes a list, so say so rather than take one silently.
    .middleware(() => {
      // A command's builder adds its options to this same instance.
      const problem = flagProblem(argv, (cli as unknown as { getOptions(): KnownOptions }).getOptions());
      if (problem !== undefined) throw new HarnessError('E_USAGE', problem);
    }, true)
    .epilogue(DOCS_EPILOGUE)
    .help()
    .alias('h', 'help')
    .version()
    .wrap(helpWidth(process.stdout.columns, process.env))
    .fail((msg, err) => {
      if (err instanceof ScenarioError) failScenario(err);
      if (err && isHarnessError(err)) fail(err.message, err.exitCode);
      if (err) throw err;
      // yargs words some failures over several lines; the contract is one.
      fail(msg.replace(/\s*\n\s*/g, ' '), ExitCode.usage);
    })
    .parseAsync();
}

/** Scenario problems already name their file:line:column, one per line. */
function failScenario(err: ScenarioError): never {
  process.stderr.write(`${err.message}\n`);
  process.exit(err.exitCode);
}

// A reader that went away (`mqtt-chaos run … | head`) must not end the run: without this an
// EPIPE is thrown from the next write, the run dies before writing its reports and a managed
// broker may be left behind. What would have been printed is in the reports.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

main(hideBin(process.argv)).catch((err: unknown) => {
  if (err instanceof ScenarioError) failScenario(err);
  if (isHarnessError(err)) fail(err.message, err.exitCode);
  const message = err instanceof Error ? err.message : String(err);
  fail(`internal error: ${message}`, ExitCode.environment);
});
