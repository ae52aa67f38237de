import type { CommandModule } from 'yargs';
import { ExitCode, HarnessError } from '../../errors.js';
import { TOKEN_ENV } from '../../workers/agent-protocol.js';
import { hostPort } from '../agent-flags.js';
import { parseDuration } from '../../scenario/units.js';
import { sleep } from '../../clock.js';

const RETRY_MS = 1000;

interface Args {
  join: string;
  'wait-for-coordinator': string;
}

export const agentCommand: CommandModule<object, Args> = {
  command: 'agent',
  describe: `run a share of a coordinator's clients: join \`mqtt-chaos run --listen\` (token from ${TOKEN_ENV}; see docs/scaling-out.md)`,
  builder: (yargs) =>
    yargs
      .option('join', { type: 'string', demandOption: true, describe: 'HOST:PORT of the coordinator (`mqtt-chaos run … --listen HOST:PORT`)' })
      .option('wait-for-coordinator', {
        type: 'string',
        default: '60s',
        describe: 'keep trying to reach the coordinator this long (agents may start before it listens, as pods of a Job do)',
      }),
  handler: async (argv) => {
    const { host, port } = hostPort(argv.join, '--join');
    const waitMs = parseDuration(argv['wait-for-coordinator']);
    if (waitMs === undefined) throw new HarnessError('E_USAGE', `--wait-for-coordinator ${argv['wait-for-coordinator']}: write a duration such as 60s or 0s`);
    const token = process.env[TOKEN_ENV];
    if (!token) throw new HarnessError('E_USAGE', `set ${TOKEN_ENV} to the coordinator's token`);
    const { runAgent } = await import('../../engine/agent.js');
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const log = (line: string): void => void process.stderr.write(`agent: ${line}\n`);
    const until = performance.now() + waitMs;
    let end = await runAgent({ host, port, token, log, signal: controller.signal });
    if (end.kind === 'unreachable' && waitMs > 0) log(`${end.reason}; trying again for up to ${argv['wait-for-coordinator']}`);
    while (end.kind === 'unreachable' && performance.now() < until && !controller.signal.aborted) {
      await sleep(RETRY_MS, controller.signal).catch(() => undefined);
      if (controller.signal.aborted) break;
      end = await runAgent({ host, port, token, log, signal: controller.signal });
    }
    if (controller.signal.aborted) end = { kind: 'interrupted' };
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
