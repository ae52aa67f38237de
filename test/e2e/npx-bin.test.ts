/**
 * The README's quick start is `npm ci && npx mqtt-chaos run …`: npx runs the package's own
 * bin, dist/src/cli/main.js, as an executable. tsc writes it without the execute bit, so
 * the build sets it; without that the quick start ends in "mqtt-chaos: Permission denied"
 * (the docs-that-run test cannot see it: it puts its own npx in front).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { CLI } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('npx mqtt-chaos, as the quick start runs it', () => {
  test('the bin is executable and npx runs it from the checkout', async () => {
    assert.notEqual(statSync(CLI).mode & 0o111, 0, `${CLI} is executable`);
    const { version } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('npx', ['--no-install', 'mqtt-chaos', '--version'], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as NodeJS.ErrnoException).code ?? 1) : 0, stdout, stderr }),
      );
    });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout.trim(), version);
  });
});
