/**
 * `mqtt-chaos report` as a user runs it, in a child process: every format re-rendered from
 * a stored result.json (beside it, or into --out), and one line with exit 2 for a file that
 * is not a result this version reads. `run` writes the same files, and `report` re-renders
 * them byte for byte.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { useTeardown } from '../helpers/teardown.js';
import { fixturePath } from '../unit/report/fixtures.js';
import { cli, oneLine, tempDir } from './report-support.js';
import { requireMosquitto } from '../helpers/requires.js';

const SMALL = fileURLToPath(new URL('../../../test/fixtures/run/small.yaml', import.meta.url));
const REPORTS = ['summary.md', 'junit.xml', 'report.html'];

describe('mqtt-chaos report', () => {
  test('re-renders summary.md, junit.xml and report.html beside the result.json', async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'mqtt-chaos-report-');
    const result = join(dir, 'result.json');
    copyFileSync(fixturePath('persistent-session'), result);
    const ran = await cli(td, ['report', result]);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stderr, '');
    assert.equal(ran.stdout, `written: ${REPORTS.map((f) => join(dir, f)).join(', ')}\n`);
    assert.deepEqual(readdirSync(dir).sort(), ['junit.xml', 'report.html', 'result.json', 'summary.md']);
    assert.match(readFileSync(join(dir, 'summary.md'), 'utf8'), /^# mqtt-chaos: persistent-session$/m);
    assert.match(readFileSync(join(dir, 'junit.xml'), 'utf8'), /<testsuites name="mqtt-chaos: persistent-session" tests="15" failures="1"/);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i, 'nothing loaded from elsewhere');
    assert.match(html, /var uPlot=/, 'the chart library is inline');
  });

  test('--out puts them in another folder (created), the result untouched', async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'mqtt-chaos-report-');
    const out = join(dir, 'a', 'b');
    const before = readFileSync(fixturePath('queue-limit'), 'utf8');
    const ran = await cli(td, ['report', fixturePath('queue-limit'), '--out', out]);
    assert.equal(ran.code, 0, ran.stderr);
    assert.deepEqual(readdirSync(out).sort(), [...REPORTS].sort());
    assert.equal(readFileSync(fixturePath('queue-limit'), 'utf8'), before);
  });

  test('not a result this version reads: exit 2, one line naming the file', async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'mqtt-chaos-report-');
    const missing = join(dir, 'missing.json');
    oneLine(await cli(td, ['report', missing]), new RegExp(`^mqtt-chaos: ${missing}: cannot read: no such file$`));

    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'name: yaml\n');
    oneLine(await cli(td, ['report', notJson]), new RegExp(`^mqtt-chaos: ${notJson}: not JSON \\(.+\\)$`));

    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ hello: 1 }));
    oneLine(await cli(td, ['report', other]), new RegExp(`^mqtt-chaos: ${other}: not an mqtt-chaos result.json \\(no schemaVersion\\)$`));

    const old = join(dir, 'old.json');
    const result = JSON.parse(readFileSync(fixturePath('persistent-session'), 'utf8')) as { schemaVersion: number; tool: { version: string } };
    result.schemaVersion = 0;
    result.tool.version = '0.0.9';
    writeFileSync(old, JSON.stringify(result));
    oneLine(await cli(td, ['report', old]), new RegExp(`^mqtt-chaos: ${old}: result schemaVersion 0, written by mqtt-chaos 0\\.0\\.9; this mqtt-chaos reads schemaVersion 1: .+$`));
    assert.equal(existsSync(join(dir, 'report.html')), false, 'nothing written');
  });
});

const mosquitto = requireMosquitto();

describe('mqtt-chaos run writes every report', { skip: mosquitto ? false : 'mosquitto is not installed' }, () => {
  test('result.json, summary.md, junit.xml, report.html; `report` re-renders them byte for byte', async (t) => {
    const td = useTeardown(t);
    const out = await tempDir(td, 'mqtt-chaos-report-run-');
    const ran = await cli(td, ['run', SMALL, '--out', out, '--protocol', '3.1.1'], 90_000);
    assert.equal(ran.code, 0, ran.stderr);
    const [folder] = readdirSync(out);
    const dir = join(out, folder!);
    assert.match(ran.stdout, new RegExp(`written: ${join(dir, 'result.json')}, summary.md, junit.xml, report.html`));
    const written = Object.fromEntries(REPORTS.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    const again = join(out, 'again');
    const re = await cli(td, ['report', join(dir, 'result.json'), '--out', again]);
    assert.equal(re.code, 0, re.stderr);
    for (const f of REPORTS) assert.equal(readFileSync(join(again, f), 'utf8'), written[f], `${f} re-rendered identically`);
  });
});
