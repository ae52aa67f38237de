import type { CommandModule } from 'yargs';
import { ExitCode, HarnessError } from '../../errors.js';
import { TOKEN_ENV } from '../../workers/agent-protocol.js';
import { hostPort } from '../agent-flags.js';

interface Args {
  join: string;
}

export const agentCommand: CommandModule<object, Args> = {
  command: 'agent',
  describe: `run a share of a coordinator's clients: join \`mqtt-chaos run --listen\` (token from ${TOKEN_ENV}; see docs/scaling-out.md)`,
  builder: (yargs) =>
    yargs.option('join', { type: 'string', demandOption: true, describe: 'HOST:PORT of the coordinator (`mqtt-chaos run … --listen HOST:PORT`)' }),
  handler: async (argv) => {
    const { host, port } = hostPort(argv.join, '--join');
    const token = process.env[TOKEN_ENV];
    if (!token) throw new HarnessError('E_USAGE', `set ${TOKEN_ENV} to the coordinator's token`);
    const { runAgent } = await import('../../engine/agent.js');
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const log = (line: string): void => void process.stderr.write(`agent: ${line}\n`);
    const end = await runAgent({ host, port, token, log, signal: controller.signal });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    switch (end.kind) {
      case 'bye':
        log('the coordinator is done');
        process.exitCode = ExitCode.ok;
        return;
      case 'interrupted':
        log('interrupted: shards stopped');
        process.exitCode = ExitCode.interrupted;
        return;
      case 'coordinator-gone':
        throw new HarnessError('E_ENVIRONMENT', `the coordinator at ${argv.join} went away: shards stopped`);
      case 'refused':
        throw new HarnessError('E_USAGE', `the coordinator at ${argv.join} refused this agent: ${end.reason}`);
      case 'unreachable':
        throw new HarnessError('E_ENVIRONMENT', end.reason);
    }
  },
};
