/**
 * Every scenario in scenarios/ run as a user runs it (broker: auto, so the managed Mosquitto), with
 * its big groups shrunk by --count so the whole set fits a CI run: each run has the verdict
 * it is shipped for (PASS, but for persistent-session's v5 run without expiry, which shows
 * the trap by failing), no shortfall, and nothing the broker refused. A change that makes
 * the harness see refusals or shortfalls where there are none fails here. Each result.json
 * is held to schema/result.schema.json, the contract the tools that read results rely on.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { CLI } from '../helpers/cli.js';
import { invocationDir, noStackTrace, outDir, readResult, runCli, waitExit } from '../helpers/cli-process.js';
import { useTeardown } from '../helpers/teardown.js';
import { failsByDesign, RAMP_KNEES, SHIPPED_COUNTS } from '../../bench/lib/shipped.js';
import { requireMosquitto } from '../helpers/requires.js';

const SCENARIOS = fileURLToPath(new URL('../../../scenarios/', import.meta.url));
const mosquitto = requireMosquitto();
const skip = !existsSync(CLI) ? `not built: ${CLI}` : mosquitto ? false : 'mosquitto is not installed';

const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml')).sort();
const RESULT_SCHEMA = fileURLToPath(new URL('../../../schema/result.schema.json', import.meta.url));
const validResult = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(RESULT_SCHEMA, 'utf8')));

describe('every shipped scenario against managed Mosquitto', { skip }, () => {
  test('there is something to run', () => assert.ok(files.length >= 6, files.join(', ')));

  for (const file of files) {
    test(file, async (t) => {
      const td = useTeardown(t);
      const out = await outDir(td, 'mqtt-chaos-shipped-');
      const count = SHIPPED_COUNTS[file];
      const cli = runCli(td, ['run', join(SCENARIOS, file), '--out', out, ...(count ? ['--count', count] : [])]);
      const exit = await waitExit(cli, 240_000);
      noStackTrace(cli);
      const result = readResult(invocationDir(out, file.replace(/\.yaml$/, '')));
      const why = `stderr:\n${cli.stderr()}\nstdout:\n${cli.stdout()}`;
      assert.equal(validResult(result), true, `result.json against schema/result.schema.json: ${JSON.stringify(validResult.errors?.slice(0, 3))}`);
      for (const run of result.runs) {
        const want = failsByDesign(file, run.id) ? 'fail' : 'pass';
        assert.equal(run.verdict, want, `${run.id}\n${why}`);
        assert.deepEqual(run.shortfalls, [], `${run.id}: shortfalls\n${why}`);
        assert.deepEqual(
          (run.brokerSaid ?? []).filter((s) => s.kind !== 'told').map((s) => `${s.group}: ${s.what}`),
          [],
          `${run.id}: the broker refused or changed nothing\n${why}`,
        );
      }
      // A ramp's knee is a finding: exit 0, and the console prints it.
      const knee = RAMP_KNEES[file];
      if (knee) {
        assert.equal(result.ramp?.outcome, 'knee', why);
        assert.deepEqual([result.ramp.lastHeld, result.ramp.firstBroke], [knee.lastHeld, knee.firstBroke], why);
        assert.ok(cli.stdout().includes(`Knee between ${knee.lastHeld} sessions (held) and ${knee.firstBroke} sessions (broke)`), why);
      }
      assert.equal(exit.code, !knee && result.runs.some((r) => r.verdict !== 'pass') ? 1 : 0, why);
    });
  }
});
