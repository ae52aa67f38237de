import type { Argv } from 'yargs';
import { HarnessError } from '../errors.js';
import type { PlanOverrides } from '../scenario/index.js';
import { didYouMean } from '../scenario/suggest.js';
import { parseDuration } from '../scenario/units.js';

/** Flags that override what a scenario file says, shared by `run` and `plan`. */
export interface PlanArgs {
  broker?: string;
  toxiproxy?: string;
  protocol?: '3.1.1' | '5';
  seed?: number;
  'allow-remote'?: boolean;
  deadline?: string;
  count?: string[];
}

const PROTOCOLS = ['3.1.1', '5'] as const;

export function planOptions<T>(yargs: Argv<T>): Argv<T & PlanArgs> {
  return yargs
    .option('broker', {
      type: 'string',
      describe: 'target broker: a URL (mqtt://127.0.0.1:1883), managed-mosquitto or embedded-aedes',
    })
    .option('toxiproxy', { type: 'string', describe: 'use the Toxiproxy at this URL instead of the embedded one' })
    // Checked below rather than by `choices`: yargs' refusal names no likely meaning (3 → 3.1.1).
    .option('protocol', { type: 'string', describe: 'run only this protocol version of the matrix: 3.1.1 or 5' })
    .option('seed', { type: 'number', describe: 'seed for jitter and ordering (default: the scenario\'s)' })
    .option('allow-remote', { type: 'boolean', describe: 'permit a broker or fault server outside loopback' })
    .option('deadline', { type: 'string', describe: "stop each scenario after this long (e.g. 10m), as on Ctrl-C, exit 3; default: the scenario's deadline, else its phase timeouts summed" })
    .option('count', { type: 'string', array: true, describe: 'GROUP=N: run GROUP with N clients instead of the file\'s count (repeatable)' })
    .check((argv) => {
      const protocol = argv.protocol as string | undefined;
      if (protocol !== undefined && !(PROTOCOLS as readonly string[]).includes(protocol)) {
        throw new HarnessError('E_USAGE', `--protocol ${protocol}: must be 3.1.1 or 5${didYouMean(protocol, PROTOCOLS)}`);
      }
      const seed = argv.seed;
      if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
        throw new HarnessError('E_USAGE', `--seed must be an integer from 0 to 4294967295 (got ${String(argv.seed)})`);
      }
      const deadline = argv.deadline;
      if (deadline !== undefined && !((parseDuration(deadline) ?? 0) > 0)) {
        throw new HarnessError('E_USAGE', `--deadline ${deadline}: write a duration above 0, such as 90s or 10m`);
      }
      return true;
    }) as Argv<T & PlanArgs>;
}

export function planOverrides(argv: PlanArgs): PlanOverrides {
  return {
    ...(argv.broker !== undefined ? { broker: argv.broker } : {}),
    ...(argv.toxiproxy !== undefined ? { toxiproxy: argv.toxiproxy } : {}),
    ...(argv.protocol !== undefined ? { protocol: argv.protocol } : {}),
    ...(argv.seed !== undefined ? { seed: argv.seed } : {}),
    ...(argv['allow-remote'] !== undefined ? { allowRemote: argv['allow-remote'] } : {}),
    ...(argv.deadline !== undefined ? { deadlineMs: parseDuration(argv.deadline)! } : {}),
    ...(argv.count !== undefined ? { counts: parseCounts(argv.count) } : {}),
  };
}

/** The schema's bounds for a group's count: 1 to 1,000,000. */
const MAX_COUNT = 1_000_000;

function parseCounts(items: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const match = /^([a-z][a-z0-9-]*)=(\d+)$/.exec(item);
    const count = Number(match?.[2]);
    if (!match || !(count >= 1 && count <= MAX_COUNT)) {
      throw new HarnessError('E_USAGE', `--count ${item}: write GROUP=N with N from 1 to ${MAX_COUNT}, e.g. --count devices=500`);
    }
    counts[match[1]!] = count;
  }
  return counts;
}
