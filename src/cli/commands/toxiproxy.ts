import type { CommandModule } from 'yargs';
import { HarnessError } from '../../errors.js';
import { toxiproxyVersion } from '../../faults/version.js';
import { withExamples } from '../help.js';

interface Args {
  host: string;
  port: number;
  'allow-remote': boolean;
}

export const toxiproxyCommand: CommandModule<object, Args> = {
  command: 'toxiproxy',
  describe: `serve the Toxiproxy ${toxiproxyVersion} HTTP API (the embedded fault server) until Ctrl-C`,
  builder: (yargs) =>
    withExamples(yargs, [
      ['$0 toxiproxy', 'serve the API on 127.0.0.1:8474, where toxiproxy-cli looks'],
      ['$0 toxiproxy --port 0', 'on a free port (printed at start)'],
    ])
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address the API listens on' })
      .option('port', { type: 'number', default: 8474, describe: 'API port (0 picks a free one)' })
      .option('allow-remote', {
        type: 'boolean',
        default: false,
        describe: 'let proxies dial upstreams outside loopback',
      })
      .check((argv) => {
        if (!Number.isInteger(argv.port) || argv.port < 0 || argv.port > 65535) {
          throw new HarnessError('E_USAGE', `--port must be an integer from 0 to 65535 (got ${argv.port})`);
        }
        return true;
      }),
  handler: async (argv) => {
    const { startFaultServer } = await import('../../faults/server.js');
    const log = (line: string): void => void process.stderr.write(`${line}\n`);
    const server = await startFaultServer({
      host: argv.host,
      port: argv.port,
      allowRemote: argv['allow-remote'],
      log,
    }).catch((err: NodeJS.ErrnoException) => {
      throw new HarnessError('E_LISTEN', `cannot serve the API on ${argv.host}:${argv.port}: ${err.code ?? err.message}`);
    });
    // Ctrl-C is how this server is meant to stop, so a clean stop exits 0. The handlers go
    // in before the ready line: a supervisor may signal the moment it reads it.
    const stopped = new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (): void => {
        if (stopping) return;
        stopping = true;
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      // Started by a run or an agent (fork, with an IPC channel): when that process dies,
      // even by SIGKILL, the channel closes, and the server must not outlive it as an orphan.
      if (process.connected) process.once('disconnect', stop);
    });
    process.stdout.write(`fault server (Toxiproxy ${toxiproxyVersion} API) listening on ${server.url}\n`);
    await stopped;
    process.stdout.write('fault server stopped\n');
  },
};
