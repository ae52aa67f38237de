/**
 * The CLI as a person meets it: repeatable flags repeat, other flags given twice are one
 * line and exit 2, typos get a did-you-mean, help wraps at words with examples for every
 * command, `plan` reads as a summary (JSON behind --json), a deadline reads as written.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { HELP_DOC_PAGES } from '../../src/cli/help.js';
import type { Plan } from '../../src/scenario/plan.js';
import { cli, lines } from '../helpers/cli.js';
import { closedPort } from '../helpers/tcp.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const QUICKSTART = join(ROOT, 'scenarios/quickstart.yaml');
const RESULT = join(ROOT, 'test/fixtures/report/aedes-quickstart.result.json');
const COMMANDS = ['run', 'validate', 'plan', 'report', 'compare', 'toxiproxy'];

/** A refusal: exit 2, one line on stderr, nothing on stdout. */
async function refused(args: string[]): Promise<string> {
  const o = await cli(args);
  assert.equal(o.code, 2, `exit 2: ${o.stderr}`);
  assert.equal(o.stdout, '');
  assert.equal(lines(o.stderr).length, 1, `one line:\n${o.stderr}`);
  return o.stderr.trim();
}

describe('repeated flags', () => {
  test('compare takes --tolerance twice (the README CI recipe)', async () => {
    const o = await cli(['compare', RESULT, RESULT, '--tolerance', 'redelivery.latency.p99 +20%', '--tolerance', 'redelivery.lost <= baseline']);
    assert.equal(o.code, 0, o.stderr);
  });
  test('plan takes --count twice, one group each', async () => {
    const o = await cli(['plan', QUICKSTART, '--count', 'devices=7', '--count', 'backend=3', '--json']);
    assert.equal(o.code, 0, o.stderr);
    const counts = (JSON.parse(o.stdout) as Plan).runs[0]!.groups.map((g) => [g.name, g.count]);
    assert.deepEqual(counts, [['devices', 7], ['backend', 3]]);
  });
  test('a flag that is not repeatable, given twice: one line naming it, exit 2', async () => {
    assert.equal(await refused(['plan', QUICKSTART, '--seed', '1', '--seed=2']), 'mqtt-chaos: --seed given more than once');
  });
});

describe('typos', () => {
  test('--protocol 3 suggests 3.1.1', async () => {
    assert.equal(await refused(['plan', QUICKSTART, '--protocol', '3']), 'mqtt-chaos: --protocol 3: must be 3.1.1 or 5 (did you mean "3.1.1"?)');
  });
  test('an unknown flag gets the closest known one', async () => {
    assert.equal(await refused(['plan', QUICKSTART, '--protocl', '5']), 'mqtt-chaos: --protocl: unknown flag (did you mean --protocol?)');
  });
});

describe('help', () => {
  test('mqtt-chaos --help points to docs/, and every page it names exists', async () => {
    const o = await cli(['--help'], { COLUMNS: '80' });
    assert.equal(o.code, 0, o.stderr);
    const text = o.stdout.replace(/\s+/g, ' ');
    assert.match(text, /Documentation: the docs\/ folder of this package \(README\.md lists every page\)/);
    for (const page of HELP_DOC_PAGES) {
      assert.ok(text.includes(`docs/${page}`), page);
      assert.ok(existsSync(join(ROOT, 'docs', page)), `docs/${page} exists`);
    }
  });

  /** Every word of the help, in order of appearance ignored: a word cut over two lines is two other words. */
  const words = (text: string): string[] => text.split(/\s+/).filter((w) => w !== '').sort();

  for (const command of ['', ...COMMANDS]) {
    test(`${command || 'mqtt-chaos'} --help at 80 columns: no line longer, no word cut, examples`, async () => {
      const args = command === '' ? ['--help'] : [command, '--help'];
      const [narrow, wide] = await Promise.all([cli(args, { COLUMNS: '80' }), cli(args, { COLUMNS: '120' })]);
      assert.equal(narrow.code, 0, narrow.stderr);
      const long = lines(narrow.stdout).filter((l) => l.length > 80);
      assert.deepEqual(long, [], 'every line within 80 columns');
      assert.deepEqual(words(narrow.stdout), words(wide.stdout), 'the same words at 80 and 120 columns');
      const examples = narrow.stdout.slice(narrow.stdout.indexOf('\nExamples:'));
      const commands = lines(examples).filter((l) => l.trim().startsWith(`mqtt-chaos ${command}`));
      assert.ok(commands.length >= 2, `at least two examples:\n${narrow.stdout}`);
    });
  }
});

describe('plan', () => {
  test('a summary by default: runs, groups, clients, phases, the time it takes', async () => {
    const o = await cli(['plan', QUICKSTART]);
    assert.equal(o.code, 0, o.stderr);
    const got = lines(o.stdout);
    assert.match(got[0]!, /^quickstart \(.*quickstart\.yaml\): 3 runs, seed \d+$/);
    assert.ok(got.some((l) => /^run 3\.1\.1-cleansession-0 \(MQTT 3\.1\.1\): 2 groups, 202 clients, 8 phases, at least \S+ m?s$/.test(l)), o.stdout);
    // What each protocol makes of the session: the v5 trap reads as what it is.
    const groups = got.filter((l) => l.startsWith('  groups: '));
    assert.deepEqual(
      groups.map((l) => l.slice(0, l.indexOf('), backend') + 1)),
      [
        '  groups: devices 200 subscribers (QoS 1, persistent session)',
        '  groups: devices 200 subscribers (QoS 1, expiry 0: the session ends at disconnect)',
        '  groups: devices 200 subscribers (QoS 1, persistent session, expiry 3600 s)',
      ],
      o.stdout,
    );
    assert.ok(got.some((l) => /^ {2}phases: connect → subscribe → fault cut → /.test(l)), o.stdout);
    assert.match(o.stdout, /^estimated time: at least \S+ m?s, deadline \d+[hms]$/m);
  });
  test('--json: the resolved plan, as before', async () => {
    const o = await cli(['plan', QUICKSTART, '--json']);
    assert.equal(o.code, 0, o.stderr);
    const plan = JSON.parse(o.stdout) as Plan;
    assert.equal(plan.planVersion, 1);
    assert.equal(plan.runs.length, 3);
  });
});

describe('run', () => {
  test('says its deadline as people write it (51m, not 3060600ms)', async (t) => {
    const out = await mkdtemp(join(tmpdir(), 'mqtt-chaos-cli-usability-'));
    t.after(() => rm(out, { recursive: true, force: true }));
    // A closed port: the run stops before anything starts, after the line under test.
    const port = await closedPort();
    const o = await cli(['run', QUICKSTART, '--out', out, '--broker', `mqtt://127.0.0.1:${port}`]);
    assert.equal(o.code, 3, o.stderr);
    assert.match(o.stderr, /\(deadline \d+m\)$/m);
    assert.doesNotMatch(o.stderr, /deadline \d+ms/);
  });
});
