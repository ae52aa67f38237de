import type { CommandModule } from 'yargs';
import { ExitCode, HarnessError } from '../../errors.js';
import type { Result } from '../../result/result.js';
import { withExamples } from '../help.js';

interface Args {
  results: string[];
  tolerance: string[];
  defaults: boolean;
  markdown: boolean;
  json: boolean;
}

export const compareCommand: CommandModule<object, Args> = {
  command: 'compare <results..>',
  describe: 'compare a result.json with one or more baselines: per metric the change and its direction; exit 1 on a regression',
  builder: (yargs) =>
    withExamples(yargs, [
      ['$0 compare baseline/result.json reports/x/result.json', 'the default tolerances: nothing more lost, duplicated or unexpected'],
      [
        '$0 compare baselines/*.json reports/x/result.json --tolerance "redelivery.latency.p50 +2ms" --tolerance "redelivery.latency.p99 +100ms"',
        'several baselines (their spread is the noise band), your own tolerances, each --tolerance one',
      ],
      ['$0 compare baseline/result.json reports/x/result.json --markdown >> "$GITHUB_STEP_SUMMARY"', 'a Markdown table for a CI job summary'],
    ])
      .positional('results', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'the baseline result.json files (several: their spread is the noise band), then the current result.json last',
      })
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
    // Loaded here, not at start: `--help` and the other commands never pay for them.
    const [{ compareResults }, { tolerancesInForce }, { renderComparison }, { readResultFile }] = await Promise.all([
      import('../../report/compare.js'),
      import('../../report/compare-metrics.js'),
      import('../../report/compare-render.js'),
      import('../../report/read-result.js'),
    ]);
    if (argv.markdown && argv.json) throw new HarnessError('E_USAGE', '--markdown and --json: choose one');
    // Flags first: a typo in a tolerance is found before any file is read.
    const tolerances = tolerancesInForce(argv.tolerance, argv.defaults);
    if (argv.results.length < 2) throw new HarnessError('E_USAGE', `compare needs a baseline and a current result.json, got ${argv.results.length} file`);
    const files: { file: string; result: Result }[] = [];
    // In order, so a bad file among several is always the first one named.
    for (const file of argv.results) files.push({ file, result: await readResultFile(file) });
    const current = files.at(-1)!;
    const comparison = compareResults(files.slice(0, -1), current, tolerances);
    if (comparison.runs.length === 0) {
      const ids = ({ file, result }: (typeof files)[number]) => `${file} has ${result.runs.map((x) => x.id).join(', ') || 'none'}`;
      throw new HarnessError('E_USAGE', `no run to compare: ${files.map(ids).join('; ')}`);
    }
    process.stdout.write(argv.json ? `${JSON.stringify(comparison, null, 2)}\n` : renderComparison(comparison, { markdown: argv.markdown }));
    process.exitCode = comparison.regressions.length > 0 ? ExitCode.checkFailed : ExitCode.ok;
  },
};
