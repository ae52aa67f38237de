import { dirname, join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { withExamples } from '../help.js';

interface Args {
  result: string;
  out?: string;
}

export const reportCommand: CommandModule<object, Args> = {
  command: 'report <result>',
  describe: 're-render summary.md, junit.xml and report.html from a stored result.json',
  builder: (yargs) =>
    withExamples(yargs, [
      ['$0 report reports/quickstart-20250101-120000/result.json', 're-render the reports beside the result.json'],
      ['$0 report baseline/result.json --out /tmp/baseline-report', 'into another folder'],
    ])
      .positional('result', { type: 'string', demandOption: true, describe: 'a result.json written by mqtt-chaos run' })
      .option('out', { type: 'string', describe: 'folder for the reports (default: beside the result.json)' }),
  handler: async (argv) => {
    // Loaded here, not at start: `--help` and the other commands never pay for them.
    const [{ readResultFile }, { renderReports }, { writeReportFiles }] = await Promise.all([
      import('../../report/read-result.js'),
      import('../../report/render-all.js'),
      import('../../report/write-files.js'),
    ]);
    const result = await readResultFile(argv.result);
    const dir = resolve(argv.out ?? dirname(argv.result));
    const files = renderReports(result);
    await writeReportFiles(dir, files);
    process.stdout.write(`written: ${Object.keys(files).map((name) => join(dir, name)).join(', ')}\n`);
  },
};
