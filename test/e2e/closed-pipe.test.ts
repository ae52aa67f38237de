/**
 * `mqtt-chaos run … | head`: the reader of the CLI's output goes away while the run goes on.
 * The run must finish and write its reports (nothing measured is lost), exit with the
 * run's own code, and leave no managed broker or fault server behind.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { invocationDir, outDir, readResult, runCli, survivors, waitExit } from '../helpers/cli-process.js';
import { requireMosquitto } from '../helpers/requires.js';
import { useTeardown } from '../helpers/teardown.js';

const QUICKSTART = fileURLToPath(new URL('../../../scenarios/quickstart.yaml', import.meta.url));
const skip = requireMosquitto() ? false : 'mosquitto is not installed';

describe('a reader that goes away mid-run', { skip }, () => {
  for (const which of ['stdout', 'stderr'] as const) {
    test(`${which} closed after its first line: the run finishes, writes its reports, leaves nothing`, async (t) => {
      const td = useTeardown(t);
      const out = await outDir(td, 'mqtt-chaos-closed-pipe-');
      const cli = runCli(td, ['run', QUICKSTART, '--count', 'devices=10', '--out', out]);
      const stream = cli.child[which];
      // As `head -1` does: read a line, then close the pipe; every later write gets EPIPE.
      await new Promise<void>((resolve) => stream.once('data', () => resolve()));
      stream.destroy();
      const exit = await waitExit(cli, 120_000);
      const result = readResult(invocationDir(out, 'quickstart'));
      assert.ok(result.runs.length >= 2, 'the runs in result.json');
      for (const run of result.runs) assert.deepEqual(run.shortfalls, [], `${run.id} ran to its end`);
      assert.equal(exit.code, result.runs.some((r) => r.verdict !== 'pass') ? 1 : 0, `exit ${exit.code}; stderr:\n${cli.stderr()}`);
      assert.ok(cli.children.size > 0, 'the managed broker was seen as a child');
      assert.deepEqual(survivors(cli), [], 'no child outlived the CLI');
    });
  }
});
