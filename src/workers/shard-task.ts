/**
 * The piscina task: one per shard, pending for the whole run (an idle piscina worker may
 * block its event loop, and with it every socket it holds). Talks to the engine over the
 * MessagePort it is handed: `ready` once the clients exist, then one command at a time
 * with a `done` after each, `status` answered at once even while a command runs, and
 * `ledger` at `finish` — or after an unexpected error, so nothing measured is lost.
 * `finish` does not wait behind a running command: the engine sends it mid-command only
 * when the run is being stopped (Ctrl-C, a deadline, a phase timeout), and then the
 * clients are stopped at once rather than after a rate-limited connect or publish ends.
 */
import type { MessagePort } from 'node:worker_threads';
import { oneLine } from './client-options.js';
import { acceptEveryPubackFailure } from './lenient-acks.js';
import type { ClearRequest, Command, ShardEvent, ShardInit } from './protocol.js';
import { Shard } from './shard.js';
import { shiftClock } from './shifted-clock.js';

export interface ShardTaskInput {
  port: MessagePort;
  init: ShardInit;
}

/**
 * Test hook: MQTT_CHAOS_TEST_CRASH="shard=0,command=publish" makes that shard's thread die
 * of an uncaught exception when that command arrives, as a bug in a socket callback would,
 * so tests can check the engine notices a crashed worker. Unset in normal use.
 */
export function crashHook(value: string | undefined): { shard: number; command: string } | undefined {
  const match = /^shard=(\d+),command=([a-z-]+)$/.exec(value?.trim() ?? '');
  return match ? { shard: Number(match[1]), command: match[2]! } : undefined;
}

const crash = crashHook(process.env.MQTT_CHAOS_TEST_CRASH);

acceptEveryPubackFailure();

export default async function shardTask({ port, init }: ShardTaskInput): Promise<void> {
  const post = (event: ShardEvent): void => port.postMessage(event);
  let shard: Shard;
  if (init.clockOffsetMs !== undefined) shiftClock(init.clockOffsetMs);
  try {
    shard = new Shard(init);
  } catch (err) {
    post({ kind: 'error', shard: init.shard, message: `start: ${oneLine(err)}` });
    port.close();
    return;
  }
  await new Promise<void>((resolve) => {
    let queue = Promise.resolve();
    let ending: Promise<void> | undefined;

    const end = (clear?: ClearRequest): Promise<void> =>
      (ending ??= (async () => {
        try {
          if (clear) post({ kind: 'sessions-cleared', shard: init.shard, ...(await shard.clearSessions(clear)) });
          post({ kind: 'ledger', shard: init.shard, ledger: await shard.finish() });
        } catch (err) {
          post({ kind: 'error', shard: init.shard, message: `finish: ${oneLine(err)}` });
        } finally {
          port.close();
          resolve();
        }
      })());

    const execute = async (command: Exclude<Command, { kind: 'status' | 'finish' }>): Promise<void> => {
      if (ending) return;
      // A command cut short by `finish` ends in silence: its clients were stopped under it.
      try {
        const detail = await shard.run(command);
        if (!ending) post({ kind: 'done', shard: init.shard, command: command.kind, ...(detail !== undefined ? { detail } : {}) });
      } catch (err) {
        if (ending) return;
        post({ kind: 'error', shard: init.shard, message: `${command.kind}: ${oneLine(err)}` });
        await end();
      }
    };

    port.on('message', (command: Command) => {
      if (command.kind === 'status') {
        post({ kind: 'status', shard: init.shard, status: shard.status() });
        return;
      }
      if (crash?.shard === init.shard && crash.command === command.kind) {
        setImmediate(() => {
          throw new Error(`test hook MQTT_CHAOS_TEST_CRASH: shard ${init.shard} crashed at ${command.kind}`);
        });
        return;
      }
      if (command.kind === 'finish') {
        void end(command.clear);
        return;
      }
      // The engine waits for `done` before the next command; the queue only keeps order if it does not.
      queue = queue.then(() => execute(command));
    });
    post({ kind: 'ready', shard: init.shard });
  });
}
