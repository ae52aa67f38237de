import type { CommandModule } from 'yargs';
import { ExitCode, HarnessError } from '../../errors.js';
import { withExamples } from '../help.js';
import { compareResults } from '../../report/compare.js';
import { tolerancesInForce } from '../../report/compare-metrics.js';
import { renderComparison } from '../../report/compare-render.js';
import { readResultFile } from '../../report/read-result.js';

interface Args {
  baseline: string;
  current: string;
  tolerance: string[];
  defaults: boolean;
  markdown: boolean;
  json: boolean;
}

export const compareCommand: CommandModule<object, Args> = {
  command: 'compare <baseline> <current>',
  describe: 'compare a result.json with a baseline: per metric the change and its direction; exit 1 on a regression',
  builder: (yargs) =>
    withExamples(yargs, [
      ['$0 compare baseline/result.json reports/x/result.json', 'the default tolerances: nothing more lost, duplicated or unexpected'],
      [
        '$0 compare baseline/result.json reports/x/result.json --tolerance "redelivery.latency.p99 +20%" --tolerance "redelivery.lost <= baseline"',
        'your own tolerances, each --tolerance one',
      ],
      ['$0 compare baseline/result.json reports/x/result.json --markdown >> "$GITHUB_STEP_SUMMARY"', 'a Markdown table for a CI job summary'],
    ])
      .positional('baseline', { type: 'string', demandOption: true, describe: 'the stored result.json to compare against' })
      .positional('current', { type: 'string', demandOption: true, describe: 'the new result.json' })
      .option('tolerance', {
        type: 'string',
        array: true,
        default: [],
        describe: 'what may change, e.g. "redelivery.latency.p99 +10%", "redelivery.lost <= baseline", "latency.e2e.p99 < 50ms" (repeatable)',
      })
      .option('defaults', { type: 'boolean', default: true, describe: 'also apply the default tolerances (lost, QoS 2 duplicates, unexpected, missing reconnects +0); --no-defaults to drop them' })
      .option('markdown', { type: 'boolean', default: false, describe: 'print Markdown for a pull-request comment or job summary' })
      .option('json', { type: 'boolean', default: false, describe: 'print the comparison as JSON' }),
  handler: async (argv) => {
    if (argv.markdown && argv.json) throw new HarnessError('E_USAGE', '--markdown and --json: choose one');
    // Flags first: a typo in a tolerance is found before any file is read.
    const tolerances = tolerancesInForce(argv.tolerance, argv.defaults);
    const [baseline, current] = [await readResultFile(argv.baseline), await readResultFile(argv.current)];
    const comparison = compareResults({ file: argv.baseline, result: baseline }, { file: argv.current, result: current }, tolerances);
    if (comparison.runs.length === 0) {
      const ids = (r: typeof baseline) => r.runs.map((x) => x.id).join(', ') || 'none';
      throw new HarnessError('E_USAGE', `no run to compare: ${argv.baseline} has ${ids(baseline)}; ${argv.current} has ${ids(current)}`);
    }
    process.stdout.write(argv.json ? `${JSON.stringify(comparison, null, 2)}\n` : renderComparison(comparison, { markdown: argv.markdown }));
    process.exitCode = comparison.regressions.length > 0 ? ExitCode.checkFailed : ExitCode.ok;
  },
};
