/**
 * result.json is never half-written: a writer killed with SIGKILL in the middle of
 * writeAtomic leaves the previous whole file (or the new whole one), and a failed write
 * leaves the old file and no temporary file.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeAtomic, writeReportFiles } from '../../../src/report/write-files.js';
import { sleep, waitUntil } from '../../helpers/tcp.js';
import { useTeardown, type Teardown } from '../../helpers/teardown.js';

const WRITE_FILES = new URL('../../../src/report/write-files.js', import.meta.url).href;
/** Big enough that a write takes a while, so a kill lands inside one. */
const PAD = 8 << 20;

/** Rewrites `file` over and over, each time a whole JSON document of a new generation. */
const WRITER = `
import { writeAtomic } from ${JSON.stringify(WRITE_FILES)};
const pad = 'x'.repeat(${PAD});
for (let generation = 1; generation <= 10000; generation++) {
  await writeAtomic(process.env.ATOMIC_FILE, JSON.stringify({ generation, pad, end: true }));
}
`;

async function tempDir(td: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mqtt-chaos-atomic-'));
  td.add(`rm ${dir}`, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

function assertWhole(file: string): number {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { generation: number; pad: string; end: boolean };
  assert.equal(doc.pad.length, PAD);
  assert.equal(doc.end, true);
  return doc.generation;
}

describe('writeAtomic', () => {
  it('a writer killed (SIGKILL) in the middle of a write leaves a whole result.json', async (t) => {
    const td = useTeardown(t, 10_000);
    const dir = await tempDir(td);
    const file = join(dir, 'result.json');
    let midWrite = 0;
    // Bounded: stop once three kills have landed inside a write (a temporary file left behind).
    for (let attempt = 0; attempt < 12 && midWrite < 3; attempt++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER], { env: { ...process.env, ATOMIC_FILE: file }, stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      td.add(`writer pid ${child.pid}`, async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      });
      const before = existsSync(file) ? assertWhole(file) : 0;
      await waitUntil(() => existsSync(file) && readdirSync(dir).some((f) => f.endsWith('.tmp')), 30_000, 'a write under way');
      await sleep(attempt * 7);
      child.kill('SIGKILL');
      await exited;
      const temporary = `${file}.${child.pid}.tmp`;
      if (existsSync(temporary)) midWrite++;
      const generation = assertWhole(file);
      assert.ok(generation >= before, 'the file holds the last whole generation written');
    }
    assert.ok(midWrite >= 1, 'at least one kill landed inside a write (its temporary file left behind)');
  });

  it('a write that fails leaves the old file as it was, and no temporary file', async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td);
    const file = join(dir, 'result.json');
    writeFileSync(file, '{"old":true}\n');
    // The temporary file cannot be made (a directory is in its place): the old file stays.
    const blocker = `${file}.${process.pid}.tmp`;
    mkdirSync(blocker);
    await assert.rejects(writeAtomic(file, '{"new":true}\n'));
    assert.equal(readFileSync(file, 'utf8'), '{"old":true}\n', 'the old result.json is intact');
    await rm(blocker, { recursive: true });

    // The rename fails (summary.md is a directory) after the content was written: it is removed.
    mkdirSync(join(dir, 'summary.md'));
    await assert.rejects(writeReportFiles(dir, { 'result.json': '{"new":true}\n', 'summary.md': '# new\n' }));
    assert.equal(readFileSync(file, 'utf8'), '{"new":true}\n', 'the files before it were written whole');
    assert.deepEqual(readdirSync(dir).sort(), ['result.json', 'summary.md'], 'no temporary file left');
    assert.deepEqual(readdirSync(join(dir, 'summary.md')), [], 'what was in the way is untouched');
  });
});
