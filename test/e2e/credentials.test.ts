/**
 * Broker credentials come from the environment and go nowhere else: a run against a
 * Mosquitto that requires a password (given as MQCHAOS_PASS) passes, and neither the
 * password nor the user name is in any file the run wrote (result.json, summary.md,
 * junit.xml, report.html, the run folders), on stdout or stderr (plain or --json), or in
 * `plan`; nor in the one line a wrong password gets.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startMosquitto } from '../../src/brokers/mosquitto.js';
import { CLI, lines } from '../helpers/cli.js';
import { noStackTrace, outDir, readResult, runCli, survivors, waitExit } from '../helpers/cli-process.js';
import { useTeardown } from '../helpers/teardown.js';
import { requireMosquitto, requireMosquittoTool } from '../helpers/requires.js';

const mosquitto = requireMosquitto();
const mosquittoPasswd = requireMosquittoTool('mosquitto_passwd');
const skip = !existsSync(CLI) ? `not built: ${CLI}` : mosquitto && mosquittoPasswd ? false : 'mosquitto or mosquitto_passwd is not installed';

const USER = 'chaos-user-5f2a';
const PASSWORD = 'pw-e2e-9d41-never-print-me';

/** Every file under `dir`, with its text. */
function filesUnder(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((file) => statSync(file).isFile())
    .map((file) => ({ file, text: readFileSync(file, 'latin1') }));
}

function assertNoSecret(where: string, text: string): void {
  assert.ok(!text.includes(PASSWORD), `the password is in ${where}`);
  assert.ok(!text.includes(USER), `the user name is in ${where}`);
}

describe('broker credentials', { skip }, () => {
  test('from the environment, in no report, log, output or plan', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td, 'mqtt-chaos-credentials-');
    const brokerDir = join(out, 'broker');
    const passwordFile = join(out, 'passwd');
    await promisify(execFile)(mosquittoPasswd!, ['-c', '-b', passwordFile, USER, PASSWORD]);
    const broker = await startMosquitto({ binary: mosquitto!, runDir: brokerDir, options: { allow_anonymous: false, password_file: passwordFile } });
    td.add(broker.description, () => broker.stop());

    const scenario = join(out, 'secret.yaml');
    writeFileSync(
      scenario,
      `name: secret
broker: { url: "mqtt://127.0.0.1:${broker.port}", usernameEnv: MQCHAOS_USER, passwordEnv: MQCHAOS_PASS }
faults: embedded
protocols: ["5"]
groups:
  devices: { count: 2, role: subscriber, topic: "secret/{i}", qos: 1 }
  backend: { count: 1, role: publisher, via: direct }
phases:
  - connect: {}
  - subscribe: {}
  - publish: { from: backend, to: devices, perTarget: 2, qos: 1 }
  - drain: { timeout: 10s }
`,
    );
    const env = { MQCHAOS_USER: USER, MQCHAOS_PASS: PASSWORD };
    const reports = join(out, 'reports');

    for (const json of [false, true]) {
      const run = runCli(td, ['run', scenario, '--out', reports, ...(json ? ['--json'] : [])], env);
      const exit = await waitExit(run, 60_000);
      assert.deepEqual(exit, { code: 0, signal: null }, `stderr:\n${run.stderr()}`);
      assertNoSecret(`stdout${json ? ' (--json)' : ''}`, run.stdout());
      assertNoSecret(`stderr${json ? ' (--json)' : ''}`, run.stderr());
      assert.deepEqual(survivors(run), []);
    }
    // Two invocations: two folders, or one if both began within the same second.
    const result = readResult(join(reports, readdirSync(reports)[0]!));
    assert.equal(result.runs[0]!.verdict, 'pass', 'the broker took the credentials: the run passed');
    assert.equal(result.runs[0]!.redelivery.delivered, 4);
    const written = filesUnder(reports);
    for (const name of ['result.json', 'summary.md', 'junit.xml', 'report.html']) {
      assert.ok(written.some((w) => w.file.endsWith(name)), `${name} written`);
    }
    for (const { file, text } of written) assertNoSecret(file, text);

    const plan = runCli(td, ['plan', scenario, '--json'], env);
    assert.equal((await waitExit(plan, 30_000)).code, 0, plan.stderr());
    assert.match(plan.stdout(), /"passwordEnv": "MQCHAOS_PASS"/, 'the plan names the variable');
    assertNoSecret('plan', plan.stdout() + plan.stderr());

    const refused = runCli(td, ['run', scenario, '--out', join(out, 'refused')], { ...env, MQCHAOS_PASS: `${PASSWORD}-wrong` });
    assert.equal((await waitExit(refused, 60_000)).code, 3, refused.stderr());
    noStackTrace(refused);
    assert.match(lines(refused.stderr()).at(-1)!, /^mqtt-chaos: broker .* refused the connection/);
    assertNoSecret('the refusal', refused.stdout() + refused.stderr());
    for (const { file, text } of existsSync(join(out, 'refused')) ? filesUnder(join(out, 'refused')) : []) assertNoSecret(file, text);
  });
});
