#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitCode, isHarnessError } from '../errors.js';
import { toxiproxyCommand } from './commands/toxiproxy.js';

/** One line on stderr, never a stack trace, and the contract's exit code. */
export function fail(message: string, exitCode: number): never {
  process.stderr.write(`mqtt-chaos: ${message}\n`);
  process.exit(exitCode);
}

async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('mqtt-chaos')
    .usage('$0 <command> [options]\n\nLoad- and chaos-testing harness for MQTT brokers.')
    .command(toxiproxyCommand)
    .demandCommand(1, 'name a command: see mqtt-chaos --help')
    .example('$0 toxiproxy', 'serve the Toxiproxy 2.x API on 127.0.0.1:8474')
    .example('$0 toxiproxy --port 0', 'serve it on a free port (printed at start)')
    .strict()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      if (err && isHarnessError(err)) fail(err.message, err.exitCode);
      if (err) throw err;
      fail(msg, ExitCode.usage);
    })
    .parseAsync();
}

main(hideBin(process.argv)).catch((err: unknown) => {
  if (isHarnessError(err)) fail(err.message, err.exitCode);
  const message = err instanceof Error ? err.message : String(err);
  fail(`internal error: ${message}`, ExitCode.environment);
});
