/**
 * The CI recipe (docs/reports-and-ci.md, which the README points to), run as written: its
 * "run the scenario" and "compare with the baselines" steps, taken from the page's yaml, against two back-to-back real quickstart
 * runs (the first copied to baselines/ as the page says) must exit 0 — a gate that fails
 * identical runs gets switched off — and against a copy of the second that lost 7 messages
 * must exit 1. Takes two quickstart runs (~15–25 s each).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import type { Result } from '../../src/result/result.js';
import { useTeardown } from '../helpers/teardown.js';
import { CLI, tempDir, type Ran } from './report-support.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The shell of a step of the CI recipe's yaml, by its name, dedented as Actions runs it. */
function step(name: string): string {
  const page = readFileSync(join(ROOT, 'docs/reports-and-ci.md'), 'utf8');
  assert.ok(page.includes('\n## In CI\n'), 'docs/reports-and-ci.md has its "In CI" section');
  const ci = page.slice(page.indexOf('\n## In CI\n'));
  const yaml = ci.slice(ci.indexOf('```yaml\n') + 8, ci.indexOf('\n```', ci.indexOf('```yaml')));
  const lines = yaml.split('\n');
  const at = lines.findIndex((l) => l.trim() === `- name: ${name}`);
  assert.ok(at >= 0, `a step "${name}" in the CI recipe's yaml`);
  const run = lines.slice(at + 1).find((l) => l.trim().startsWith('run:'))!;
  if (run.trim() !== 'run: |') return run.trim().slice('run:'.length).trim();
  const indent = lines[lines.indexOf(run) + 1]!.match(/^ */)![0];
  const block = [];
  for (const l of lines.slice(lines.indexOf(run) + 1)) {
    if (!l.startsWith(indent)) break;
    block.push(l.slice(indent.length));
  }
  return block.join('\n');
}

/** Runs a step with bash in `cwd` as Actions would; `npx mqtt-chaos` is this checkout's CLI. */
function bash(script: string, cwd: string, bin: string): Promise<Ran> {
  const env = { ...process.env, NO_COLOR: '1', PATH: `${bin}:${process.env.PATH}`, GITHUB_STEP_SUMMARY: join(cwd, 'step-summary.md') };
  // Actions runs `run:` with `bash -e {0}`; -o pipefail is not set there, hence the recipe's PIPESTATUS.
  const child = spawn('bash', ['-e', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('the CI recipe (docs/reports-and-ci.md)', () => {
  test('the README points to it', () => {
    assert.match(readFileSync(join(ROOT, 'README.md'), 'utf8'), /\]\(docs\/reports-and-ci\.md#in-ci\)/);
  });

  test('two back-to-back quickstart runs: exit 0; one that lost 7 messages: exit 1', { timeout: 180_000 }, async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'mqtt-chaos-ci-recipe-');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'npx'), `#!/bin/sh\n[ "$1" = mqtt-chaos ] || exit 127\nshift\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(bin, 'npx'), 0o755);
    symlinkSync(join(ROOT, 'scenarios'), join(dir, 'scenarios'));
    const [runStep, compareStep] = [step('run the scenario'), step('compare with the baselines')];

    const first = await bash(runStep, dir, bin);
    assert.equal(first.code, 0, first.stderr);
    const [good] = readdirSync(join(dir, 'reports'));
    mkdirSync(join(dir, 'baselines'));
    copyFileSync(join(dir, 'reports', good!, 'result.json'), join(dir, 'baselines', 'quickstart.json'));

    const second = await bash(runStep, dir, bin);
    assert.equal(second.code, 0, second.stderr);
    const same = await bash(compareStep, dir, bin);
    assert.equal(same.code, 0, same.stdout + same.stderr);
    assert.match(same.stdout, /✅ \*\*no regression\*\*/);
    assert.match(readFileSync(join(dir, 'step-summary.md'), 'utf8'), /no regression/);

    // A later report folder, so the recipe picks it: the second run's result, its v3.1.1 run 7 messages short.
    const latest = readdirSync(join(dir, 'reports')).sort().at(-1)!;
    const lossy = join(dir, 'reports', 'quickstart-99991231-235959');
    mkdirSync(lossy);
    const result = JSON.parse(readFileSync(join(dir, 'reports', latest, 'result.json'), 'utf8')) as Result;
    const run = result.runs[0]!;
    run.redelivery.lost += 7;
    run.redelivery.lostBy.unknown += 7;
    run.redelivery.delivered -= 7;
    writeFileSync(join(lossy, 'result.json'), JSON.stringify(result, null, 2));
    const lost = await bash(compareStep, dir, bin);
    assert.equal(lost.code, 1, lost.stdout + lost.stderr);
    assert.match(lost.stdout, new RegExp(`- ${run.id.replaceAll('.', '\\.')}: redelivery\\.lost 0 → 7, outside redelivery\\.lost \\+0 \\(default\\)`));
  });
});
