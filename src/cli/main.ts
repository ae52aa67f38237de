#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitCode, HarnessError, isHarnessError } from '../errors.js';
import { ScenarioError } from '../scenario/index.js';
import { compareCommand } from './commands/compare.js';
import { planCommand } from './commands/plan.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { toxiproxyCommand } from './commands/toxiproxy.js';
import { validateCommand } from './commands/validate.js';

/** One line on stderr, never a stack trace, and the contract's exit code. */
export function fail(message: string, exitCode: number): never {
  process.stderr.write(`mqtt-chaos: ${message}\n`);
  process.exit(exitCode);
}

async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('mqtt-chaos')
    .usage('$0 <command> [options]\n\nLoad- and chaos-testing harness for MQTT brokers.')
    .command(runCommand)
    .command(validateCommand)
    .command(planCommand)
    .command(toxiproxyCommand)
    .command(reportCommand)
    .command(compareCommand)
    .demandCommand(1, 'name a command: see mqtt-chaos --help')
    .example('$0 run scenarios/quickstart.yaml', 'run a scenario: v3.1.1 beside v5, summary and reports/')
    .example('$0 run scenarios/persistent-session.yaml --broker mqtt://127.0.0.1:1883', 'against your own broker')
    .example('$0 validate scenarios/*.yaml', 'check scenario files without running them')
    .example('$0 plan scenarios/quickstart.yaml --protocol 5', 'print the resolved plan')
    .example('$0 report reports/quickstart-20250101-120000/result.json', 're-render summary.md, junit.xml and report.html')
    .example('$0 compare baseline/result.json reports/x/result.json --tolerance "redelivery.latency.p99 +10%"', 'gate on a stored baseline: exit 1 on a regression')
    .example('$0 toxiproxy', 'serve the Toxiproxy 2.x API on 127.0.0.1:8474')
    .example('$0 toxiproxy --port 0', 'serve it on a free port (printed at start)')
    .strict()
    // A repeated flag is ambiguous: say so rather than take one silently.
    .middleware((argv) => {
      const repeated = process.argv.filter((a, i, all) => a.startsWith('--') && a !== '--tolerance' && !a.includes('=') && all.indexOf(a) !== i);
      if (repeated.length > 0) throw new HarnessError('E_USAGE', `${repeated[0]} given more than once`);
    }, true)
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(100, process.stdout.columns ?? 100))
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

main(hideBin(process.argv)).catch((err: unknown) => {
  if (err instanceof ScenarioError) failScenario(err);
  if (isHarnessError(err)) fail(err.message, err.exitCode);
  const message = err instanceof Error ? err.message : String(err);
  fail(`internal error: ${message}`, ExitCode.environment);
});
