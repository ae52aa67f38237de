import type { CommandModule } from 'yargs';
import { HarnessError } from '../../errors.js';
import type { ResultFile } from '../../report/project-figures.js';
import { parseDuration } from '../../scenario/units.js';
import { withExamples } from '../help.js';

interface Args {
  result: string[];
  devices: string;
  queued: string;
  outage: string;
  json: boolean;
}

/** As written, so the refusal quotes the user's own text. */
function wholeNumber(flag: string, text: string, least: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < least || value > 1e12) throw new HarnessError('E_USAGE', `--${flag} ${text}: write a whole number from ${least}`);
  return value;
}

export const projectCommand: CommandModule<object, Args> = {
  command: 'project <result...>',
  describe: 'project broker memory, backlog drain time and reconnect storm length for a fleet, from measured results',
  builder: (yargs) =>
    withExamples(yargs, [
      ['$0 project reports/capacity-x/result.json reports/reconnect-storm-y/result.json --devices 100000 --queued 50 --outage 30m', 'memory per session and per message from capacity, drain and reconnect rates from the storm'],
    ])
      .positional('result', { type: 'string', array: true, demandOption: true, describe: 'result.json files whose runs measured the figures (capacity, reconnect-storm)' })
      .option('devices', { type: 'string', demandOption: true, describe: 'devices with persistent sessions' })
      .option('queued', { type: 'string', demandOption: true, describe: 'messages queued for each device while it is offline' })
      .option('outage', { type: 'string', demandOption: true, describe: 'how long the devices are offline, e.g. 30m' })
      .option('json', { type: 'boolean', default: false, describe: 'the projection as JSON on stdout' }),
  handler: async (argv) => {
    const devices = wholeNumber('devices', argv.devices, 1);
    const queued = wholeNumber('queued', argv.queued, 0);
    const outageMs = parseDuration(argv.outage);
    if (outageMs === undefined || !(outageMs > 0)) throw new HarnessError('E_USAGE', `--outage ${argv.outage}: write a duration above 0, such as 30m or 2h`);
    // Loaded here, not at the top: every CLI start loads each command's module (CLI start).
    const [{ measuredFigures }, { project }, { renderProjection }, { readResultFile }] = await Promise.all([
      import('../../report/project-figures.js'),
      import('../../report/project-model.js'),
      import('../../report/project-render.js'),
      import('../../report/read-result.js'),
    ]);
    const files: ResultFile[] = [];
    for (const file of argv.result) files.push({ file, result: await readResultFile(file) });
    const projection = project(measuredFigures(files), { devices, queued, outageMs });
    process.stdout.write(argv.json ? `${JSON.stringify(projection, null, 2)}\n` : renderProjection(projection));
  },
};
