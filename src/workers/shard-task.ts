/**
 * The piscina task: one per shard, pending for the whole run (an idle piscina worker may
 * block its event loop, and with it every socket it holds). Talks to the engine over the
 * MessagePort it is handed: `ready` once the clients exist, then one command at a time
 * with a `done` after each, `status` answered at once even while a command runs, and
 * `ledger` at `finish` — or after an unexpected error, so nothing measured is lost.
 */
import type { MessagePort } from 'node:worker_threads';
import { oneLine } from './client-options.js';
import type { Command, ShardEvent, ShardInit } from './protocol.js';
import { Shard } from './shard.js';

export interface ShardTaskInput {
  port: MessagePort;
  init: ShardInit;
}

export default async function shardTask({ port, init }: ShardTaskInput): Promise<void> {
  const post = (event: ShardEvent): void => port.postMessage(event);
  let shard: Shard;
  try {
    shard = new Shard(init);
  } catch (err) {
    post({ kind: 'error', shard: init.shard, message: `start: ${oneLine(err)}` });
    port.close();
    return;
  }
  await new Promise<void>((resolve) => {
    let queue = Promise.resolve();
    let ended = false;

    const end = async (): Promise<void> => {
      ended = true;
      try {
        post({ kind: 'ledger', shard: init.shard, ledger: await shard.finish() });
      } catch (err) {
        post({ kind: 'error', shard: init.shard, message: `finish: ${oneLine(err)}` });
      } finally {
        port.close();
        resolve();
      }
    };

    const execute = async (command: Exclude<Command, { kind: 'status' }>): Promise<void> => {
      if (ended) return;
      if (command.kind === 'finish') return end();
      try {
        const detail = await shard.run(command);
        post({ kind: 'done', shard: init.shard, command: command.kind, ...(detail !== undefined ? { detail } : {}) });
      } catch (err) {
        post({ kind: 'error', shard: init.shard, message: `${command.kind}: ${oneLine(err)}` });
        await end();
      }
    };

    port.on('message', (command: Command) => {
      if (command.kind === 'status') {
        post({ kind: 'status', shard: init.shard, status: shard.status() });
        return;
      }
      // The engine waits for `done` before the next command; the queue only keeps order if it does not.
      queue = queue.then(() => execute(command));
    });
    post({ kind: 'ready', shard: init.shard });
  });
}
