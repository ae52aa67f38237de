/**
 * The bad-input corpus, as a user meets it: every file under test/fixtures/bad-scenarios/
 * is a broken scenario. For each, `validate` exits 2; every stderr line is
 * `<file>:<line>:<col>: <path>: <message>` (or `<file>:<line>:<col>: <message>` for a
 * whole-file problem); the locations the file lists are among them; loading it as `run`
 * does fails with the same lines. The whole corpus goes through the validate command's own
 * function in-process (a CLI start per file doubled the suite's time for nothing the
 * function does not show); a sample of it goes through the real CLI, `validate` and `run`,
 * for the exit code, the streams, no stack trace, and a `run` that starts nothing.
 *
 * Each file lists what it expects in comments, `# expect: LINE:COL PATH` (PATH "-" for the
 * file as a whole), one line per problem that must be reported; a file that cannot hold a
 * comment (the empty one) has them in a sidecar `<file>.expect`, one `LINE:COL PATH` a line.
 *
 * `run` is given a broker and a fault server on a closed loopback port: a broken file
 * must be refused before either is contacted, and a file the harness wrongly accepts then
 * ends at once with exit 3 instead of starting a load of a billion clients.
 *
 * Then bad flags (one line, exit 2) and bad `compare` inputs, the same way.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, test } from 'node:test';
import { validateFiles, type Validation } from '../../src/cli/commands/validate.js';
import { loadScenario } from '../../src/scenario/index.js';
import { ScenarioError } from '../../src/scenario/problems.js';
import { closedPort } from '../helpers/tcp.js';
import { cli, CLI, lines, type Outcome } from '../helpers/cli.js';
import { useTeardown, type Teardown } from '../helpers/teardown.js';

/** The source tree's fixtures: tsc does not copy YAML into dist. */
const CORPUS = fileURLToPath(new URL('../../../test/fixtures/bad-scenarios/', import.meta.url));
const GOOD = fileURLToPath(new URL('../../../test/fixtures/run/small.yaml', import.meta.url));
const built = existsSync(CLI) ? false : `not built: ${CLI}`;

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function noStackTrace(o: Outcome, what: string): void {
  assert.ok(!o.stderr.includes('    at '), `${what}: no stack trace on stderr:\n${o.stderr}`);
  assert.ok(!o.stdout.includes('    at '), `${what}: no stack trace on stdout:\n${o.stdout}`);
}

async function tempDir(td: Teardown, tag: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `mqtt-chaos-${tag}-`));
  td.add(`rm ${dir}`, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** What `load` threw, or undefined. */
function refusal(load: () => unknown): unknown {
  try {
    load();
  } catch (err) {
    return err;
  }
  return undefined;
}

/** A place in a file and the field there ('' for the file as a whole). */
interface Expected {
  line: number;
  column: number;
  path: string;
}

const EXPECT_COMMENT = /^# expect: (\d+):(\d+) (\S+)\s*$/gm;
const EXPECT_LINE = /^(\d+):(\d+) (\S+)$/;

/** The expectations a corpus file lists, in its comments or its sidecar. */
function expectationsOf(file: string): Expected[] {
  const toExpected = (line: string, column: string, path: string): Expected => ({
    line: Number(line),
    column: Number(column),
    path: path === '-' ? '' : path,
  });
  const sidecar = `${file}.expect`;
  if (existsSync(sidecar)) {
    return lines(readFileSync(sidecar, 'utf8')).map((l) => {
      const m = EXPECT_LINE.exec(l.trim());
      assert.ok(m, `${sidecar}: "${l}" is not LINE:COL PATH`);
      return toExpected(m[1]!, m[2]!, m[3]!);
    });
  }
  return [...readFileSync(file, 'utf8').matchAll(EXPECT_COMMENT)].map((m) => toExpected(m[1]!, m[2]!, m[3]!));
}

const CORPUS_FILES = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
  : [];

/** `file:line:col: path: message`, or `file:line:col: message`; the message is never empty. */
function lineShape(file: string): RegExp {
  return new RegExp(`^${escape(file)}:[1-9][0-9]*:[1-9][0-9]*: \\S.*$`);
}

function assertProblems(o: Outcome | Validation, file: string, expected: readonly Expected[], what: string): void {
  const got = Array.isArray(o.stderr) ? o.stderr : lines(o.stderr);
  assert.ok(got.length > 0, `${what}: at least one problem line`);
  const shape = lineShape(file);
  for (const line of got) assert.match(line, shape, `${what}: every stderr line is file:line:col: [path: ]message`);
  for (const e of expected) {
    const at = `${file}:${e.line}:${e.column}: `;
    const wanted = e.path === '' ? at : `${at}${e.path}: `;
    const hit = got.some((l) => l.startsWith(wanted) && l.length > wanted.length);
    const shown = got.map((l) => l.slice(file.length)).join('\n  ');
    assert.ok(hit, `${what}: expected a problem at ${e.line}:${e.column} ${e.path || '(whole file)'}; got:\n  ${shown}`);
  }
}

describe('the bad-scenario corpus: validate exits 2 with one located line per problem, and run says the same', () => {
  test('the corpus holds at least 40 files, each listing what it expects', () => {
    assert.ok(CORPUS_FILES.length >= 40, `${CORPUS_FILES.length} files in ${CORPUS}`);
    for (const name of CORPUS_FILES) assert.ok(expectationsOf(join(CORPUS, name)).length > 0, `${name} lists an expected problem`);
  });

  for (const name of CORPUS_FILES) {
    test(name, async () => {
      const file = join(CORPUS, name);
      const validated = await validateFiles([file]);
      assert.equal(validated.exitCode, 2, `validate exits 2\nstderr: ${validated.stderr.join('\n')}`);
      assert.deepEqual(validated.stdout, [], 'validate: nothing on stdout for a bad file');
      assertProblems(validated, file, expectationsOf(file), 'validate');
      // What `run` does first with the file, before it starts anything.
      const refused = refusal(() => loadScenario(file, {}));
      assert.ok(refused instanceof ScenarioError, `run refuses the file: ${String(refused)}`);
      assert.equal(refused.exitCode, 2);
      assert.deepEqual(lines(refused.message), validated.stderr, 'run says what validate says');
    });
  }
});

/** The CLI's own streams and exit codes, for a sample: a YAML error, a schema error, an order error, an empty file, many at once. */
const SPAWNED = ['file-empty.yaml', 'syntax-duplicate-key.yaml', 'type-count-string.yaml', 'order-publish-before-subscribe.yaml', 'many-problems-at-once.yaml'];

describe('the bad-scenario corpus through the CLI: validate and run exit 2, no stack trace, nothing started', { skip: built, concurrency: 2 }, () => {
  let guards: string[] = [];
  before(async () => {
    const port = await closedPort();
    guards = ['--broker', `mqtt://127.0.0.1:${port}`, '--toxiproxy', `http://127.0.0.1:${port}`];
  });

  test('the sample is in the corpus', () => {
    for (const name of SPAWNED) assert.ok(CORPUS_FILES.includes(name), name);
  });

  for (const name of SPAWNED) {
    test(name, async (t) => {
      const td = useTeardown(t);
      const file = join(CORPUS, name);
      const expected = expectationsOf(file);

      const validated = await cli(['validate', file]);
      assert.equal(validated.code, 2, `validate exits 2\nstdout: ${validated.stdout}\nstderr: ${validated.stderr}`);
      noStackTrace(validated, 'validate');
      assert.equal(validated.stdout, '', 'validate: nothing on stdout for a bad file');
      assertProblems(validated, file, expected, 'validate');

      const out = join(await tempDir(td, 'bad-scenario'), 'reports');
      const ran = await cli(['run', file, '--out', out, ...guards]);
      assert.equal(ran.code, 2, `run exits 2\nstderr: ${ran.stderr.split('\n').slice(-5).join('\n')}`);
      noStackTrace(ran, 'run');
      assert.equal(ran.stdout, '', 'run: nothing on stdout');
      assert.deepEqual(lines(ran.stderr), lines(validated.stderr), 'run reports exactly what validate does');
      assert.equal(existsSync(out), false, 'run started nothing and wrote nothing');
    });
  }
});

describe('bad flags: exit 2, one line, nothing run', { skip: built }, () => {
  const cases: { args: string[]; says: RegExp }[] = [
    { args: ['run', GOOD, '--bogus-flag'], says: /bogus-flag/ },
    { args: ['validate', GOOD, '--bogus-flag'], says: /bogus-flag/ },
    { args: ['plan', GOOD, '--bogus-flag'], says: /bogus-flag/ },
    { args: ['run', GOOD, '--protocol', '4'], says: /protocol/ },
    { args: ['plan', GOOD, '--protocol', '4'], says: /protocol/ },
    { args: ['run', GOOD, '--seed', 'abc'], says: /seed/ },
    { args: ['plan', GOOD, '--seed', 'abc'], says: /seed/ },
    { args: ['run', GOOD, '--seed', '-1'], says: /seed/ },
    { args: ['run', GOOD, '--out', 'a', '--out', 'b'], says: /out/ },
    { args: ['run'], says: /scenario|argument/ },
    { args: ['validate'], says: /scenario|argument/ },
    { args: ['plan'], says: /scenario|argument/ },
    { args: ['frobnicate', GOOD], says: /frobnicate/ },
  ];
  let guards: string[] = [];
  before(async () => {
    const port = await closedPort();
    guards = ['--broker', `mqtt://127.0.0.1:${port}`, '--toxiproxy', `http://127.0.0.1:${port}`];
  });

  for (const { args, says } of cases) {
    test(args.map((a) => (a === GOOD ? '<scenario>' : a)).join(' '), async (t) => {
      const td = useTeardown(t);
      const dir = await tempDir(td, 'bad-flag');
      // A run that slips through must fail fast (closed ports), not start a load; and --out
      // points into the temp dir unless the case is about --out itself.
      const extra = args[0] === 'run' && args.length > 1 ? [...(args.includes('--out') ? [] : ['--out', join(dir, 'reports')]), ...guards] : [];
      const o = await cli([...args, ...extra]);
      assert.equal(o.code, 2, `exit 2\nstdout: ${o.stdout.slice(0, 500)}\nstderr: ${o.stderr.split('\n').slice(-5).join('\n')}`);
      noStackTrace(o, args.join(' '));
      assert.equal(lines(o.stderr).length, 1, `one line on stderr:\n${o.stderr}`);
      assert.match(o.stderr, says);
      assert.equal(o.stdout, '');
      assert.equal(existsSync(join(dir, 'reports')), false, 'nothing ran');
    });
  }
});

/** `compare` is newer than this corpus: its cases run only where the command exists. */
async function hasCompare(): Promise<boolean> {
  if (built) return false;
  const help = await cli(['--help']);
  return /\bcompare\b/.test(help.stdout);
}

describe('bad compare inputs: exit 2, one line naming the file', { skip: built }, () => {
  test('missing, unreadable and malformed result files', async (t) => {
    if (!(await hasCompare())) return t.skip('no compare command in this build');
    const td = useTeardown(t);
    const dir = await tempDir(td, 'bad-compare');
    const files: Record<string, string> = {
      'not-json.json': '{ "schemaVersion": 1, ',
      'empty.json': '',
      'a-list.json': '[1, 2, 3]',
      'future-version.json': '{ "schemaVersion": 99, "runs": [] }',
    };
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const at = (name: string) => join(dir, name);
    const cases: { args: string[]; names: string }[] = [
      { args: [at('missing.json'), at('not-json.json')], names: at('missing.json') },
      { args: [at('not-json.json'), at('not-json.json')], names: at('not-json.json') },
      { args: [at('empty.json'), at('empty.json')], names: at('empty.json') },
      { args: [at('a-list.json'), at('a-list.json')], names: at('a-list.json') },
      { args: [at('future-version.json'), at('future-version.json')], names: at('future-version.json') },
      { args: [dir, dir], names: dir },
    ];
    for (const { args, names } of cases) {
      const o = await cli(['compare', ...args]);
      const what = `compare ${args.map((a) => a.slice(dir.length + 1) || '<dir>').join(' ')}`;
      assert.equal(o.code, 2, `${what}: exit 2\n${o.stderr}`);
      noStackTrace(o, what);
      assert.equal(lines(o.stderr).length, 1, `${what}: one line:\n${o.stderr}`);
      assert.ok(o.stderr.includes(names), `${what}: names ${names}: ${o.stderr}`);
    }
    const one = await cli(['compare', at('a-list.json')]);
    assert.equal(one.code, 2, `compare with one file: exit 2\n${one.stderr}`);
    assert.equal(lines(one.stderr).length, 1, one.stderr);
  });
});
