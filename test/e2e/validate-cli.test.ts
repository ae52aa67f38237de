/**
 * Bad input to the CLI, as a user meets it: a broken scenario file makes `validate` and
 * `run` exit 2 with one line per problem — `file:line:column: path: message` — and never a
 * stack trace; `run` starts nothing. A valid file validates (exit 0) and `plan` prints the
 * resolved runs as JSON. Bad flags are one line and exit 2.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import type { Plan } from '../../src/scenario/plan.js';
import { cli, CLI, lines, type Outcome } from '../helpers/cli.js';
import { useTeardown, type Teardown } from '../helpers/teardown.js';

/** The source tree's fixtures: tsc does not copy YAML into dist. */
const SCENARIOS = fileURLToPath(new URL('../../../test/fixtures/scenarios/', import.meta.url));
const RUN_FIXTURES = fileURLToPath(new URL('../../../test/fixtures/run/', import.meta.url));
const scenario = (name: string): string => join(SCENARIOS, name);


function noStackTrace(o: Outcome): void {
  assert.ok(!o.stderr.includes('    at '), `no stack trace on stderr:\n${o.stderr}`);
  assert.ok(!o.stdout.includes('    at '), `no stack trace on stdout:\n${o.stdout}`);
}

async function outDir(td: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mqtt-chaos-validate-cli-'));
  td.add(`rm ${dir}`, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The problems each broken fixture must produce, as [line, path] (path '' for the file as a
 * whole, e.g. a YAML syntax error), in file order. A line may be a list of acceptable ones:
 * the unclosed `[` of yaml-syntax.yaml is on line 5, and the parser notices it on line 6.
 */
type Expected = [number | number[], string];
const BROKEN: { file: string; what: string; problems: Expected[] }[] = [
  { file: 'yaml-syntax.yaml', what: 'a YAML syntax error', problems: [[[5, 6], '']] },
  {
    file: 'unknown-key.yaml',
    what: 'unknown keys',
    problems: [
      [7, 'groups.devices.sesion'],
      [9, 'phases[0].conect'],
    ],
  },
  {
    file: 'wrong-type.yaml',
    what: 'values of the wrong type',
    problems: [
      [4, 'groups.devices.count'],
      [7, 'groups.devices.session.clean'],
      [7, 'groups.devices.session.expiry'],
      [8, 'groups.devices.qos'],
    ],
  },
  {
    file: 'missing-required.yaml',
    what: 'missing fields',
    problems: [
      [3, 'groups.devices.role'],
      [8, 'phases[1].fault.kind'],
    ],
  },
];

/** Each stderr line is `file:line:column: path: message` (no path for a whole-file problem). */
function assertProblemLines(o: Outcome, file: string, problems: Expected[]): void {
  const got = lines(o.stderr);
  assert.equal(got.length, problems.length, `one line per problem:\n${o.stderr}`);
  got.forEach((line, i) => {
    const [lineNo, path] = problems[i]!;
    const lineNos = Array.isArray(lineNo) ? `(?:${lineNo.join('|')})` : String(lineNo);
    const shape = new RegExp(`^${escape(file)}:${lineNos}:[1-9][0-9]*: ${path === '' ? '' : `${escape(path)}: `}\\S.*$`);
    assert.match(line, shape, `problem ${i + 1} of ${file}`);
  });
}

describe('bad scenario files: validate and run exit 2, one line per problem', { skip: existsSync(CLI) ? false : `not built: ${CLI}` }, () => {
  for (const { file, what, problems } of BROKEN) {
    test(`${what} (${file})`, async (t) => {
      const td = useTeardown(t);
      const path = scenario(file);

      const out = await outDir(td);
      const [validated, ran] = await Promise.all([cli(['validate', path]), cli(['run', path, '--out', join(out, 'reports')])]);
      assert.equal(validated.code, 2, `validate exit code\n${validated.stderr}`);
      noStackTrace(validated);
      assertProblemLines(validated, path, problems);
      assert.equal(validated.stdout, '', 'nothing on stdout for a bad file');

      assert.equal(ran.code, 2, `run exit code\n${ran.stderr}`);
      noStackTrace(ran);
      assertProblemLines(ran, path, problems);
      assert.deepEqual(lines(ran.stderr), lines(validated.stderr), 'run reports exactly what validate does');
      assert.equal(ran.stdout, '');
      assert.equal(existsSync(join(out, 'reports')), false, 'run started nothing and wrote nothing');
    });
  }

  test('several files: every problem of every bad file, and the good one said ok', async () => {
    const good = scenario('valid-full.yaml');
    const files = [scenario('unknown-key.yaml'), good, scenario('wrong-type.yaml')];
    const o = await cli(['validate', ...files]);
    assert.equal(o.code, 2);
    noStackTrace(o);
    assert.equal(lines(o.stderr).length, 2 + 4, o.stderr);
    assert.ok(lines(o.stderr).every((l) => /^\S+\.yaml:\d+:\d+: \S+: \S/.test(l)), o.stderr);
    assert.deepEqual(lines(o.stdout), [`ok: ${good} (3.1.1, v5-one-hour-expiry, 5-no-expiry)`]);
  });

  test('a file that does not exist: exit 2, one line naming it', async () => {
    const missing = scenario('no-such-scenario.yaml');
    const outcomes = await Promise.all(['validate', 'run'].map(async (command) => [command, await cli([command, missing])] as const));
    for (const [command, o] of outcomes) {
      assert.equal(o.code, 2, `${command}: ${o.stderr}`);
      noStackTrace(o);
      assert.equal(lines(o.stderr).length, 1, `${command}: one line:\n${o.stderr}`);
      assert.ok(o.stderr.includes(missing), `${command} names the file: ${o.stderr}`);
    }
  });
});

describe('valid scenario files', { skip: existsSync(CLI) ? false : `not built: ${CLI}` }, () => {
  test('validate: exit 0, "ok" with the run ids', async () => {
    const files = [scenario('valid-full.yaml'), join(RUN_FIXTURES, 'small.yaml')];
    const outcomes = await Promise.all(files.map(async (file) => [file, await cli(['validate', file])] as const));
    for (const [file, o] of outcomes) {
      assert.equal(o.code, 0, `${file}: ${o.stderr}`);
      assert.equal(o.stderr, '');
      assert.match(o.stdout, new RegExp(`^ok: ${escape(file)} \\(.+\\)\\n$`));
    }
  });

  test('plan: the resolved runs as JSON, every default filled; --protocol keeps that protocol', async () => {
    const file = scenario('valid-full.yaml');
    const [o, only5] = await Promise.all([cli(['plan', file, '--json']), cli(['plan', file, '--protocol', '5', '--json'])]);
    assert.equal(o.code, 0, o.stderr);
    const plan = JSON.parse(o.stdout) as Plan;
    assert.equal(plan.planVersion, 1);
    assert.equal(plan.scenario.name, 'persistent-session');
    assert.equal(plan.seed, 42);
    assert.deepEqual(plan.broker, { kind: 'managed-mosquitto', options: { max_queued_messages: 100 } });
    assert.deepEqual(
      plan.runs.map((r) => [r.id, r.protocol]),
      [
        ['3.1.1', '3.1.1'],
        ['v5-one-hour-expiry', '5'],
        ['5-no-expiry', '5'],
      ],
    );
    const devices = (id: string) => plan.runs.find((r) => r.id === id)!.groups.find((g) => g.name === 'devices')!;
    assert.equal(devices('3.1.1').sessionExpiry, 0xffffffff, '3.1.1 CleanSession=0: never expires');
    assert.equal(devices('v5-one-hour-expiry').sessionExpiry, 3600);
    assert.equal(devices('5-no-expiry').sessionExpiry, 0, 'the matrix override applied');
    assert.equal(devices('3.1.1').keepAliveSec, 10);
    assert.ok(plan.runs.every((r) => r.phases.length === 12), 'every phase resolved');
    const publish = plan.runs[0]!.phases.find((p) => p.kind === 'publish');
    assert.deepEqual(publish, { kind: 'publish', from: 'backend', to: 'devices', perTarget: 20, qos: 1, ratePerSec: 2000, payloadBytes: 128 });

    assert.equal(only5.code, 0, only5.stderr);
    assert.deepEqual((JSON.parse(only5.stdout) as Plan).runs.map((r) => r.id), ['v5-one-hour-expiry', '5-no-expiry']);
  });
});

describe('bad flags: exit 2 with one line', { skip: existsSync(CLI) ? false : `not built: ${CLI}` }, () => {
  const good = scenario('valid-full.yaml');
  const cases: { args: string[]; says: RegExp }[] = [
    { args: ['run', good, '--protocol', '4'], says: /protocol/ },
    { args: ['plan', good, '--protocol', '4'], says: /protocol/ },
    { args: ['run', good, '--bogus-flag'], says: /bogus-flag/ },
    { args: ['validate', good, '--bogus-flag'], says: /bogus-flag/ },
  ];
  for (const { args, says } of cases) {
    test(args.slice(0, 1).concat(args.slice(2)).join(' '), async (t) => {
      const td = useTeardown(t);
      const out = await outDir(td);
      const withOut = args[0] === 'run' ? [...args, '--out', join(out, 'reports')] : args;
      const o = await cli(withOut);
      assert.equal(o.code, 2, o.stderr);
      noStackTrace(o);
      assert.equal(lines(o.stderr).length, 1, `one line on stderr:\n${o.stderr}`);
      assert.match(o.stderr, says);
      assert.equal(o.stdout, '');
      assert.equal(existsSync(join(out, 'reports')), false, 'nothing ran');
    });
  }
});
