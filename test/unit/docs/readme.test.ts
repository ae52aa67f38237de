/**
 * The README is the front page: it must not send a reader to a file the project lacks, and
 * its Scenarios section must name every scenario the project ships.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** Folders of this repository; a path under another (a user's `baselines/`) is the user's. */
const OURS = /^(scenarios|schema|src|bench|test|docs|reports|\.ci)\//;

describe('README.md', () => {
  it('names only files and folders the project has', () => {
    const quoted = [...README.matchAll(/`([A-Za-z.][\w.-]*\/[\w./-]*)`/g)].map((m) => m[1]!);
    const linked = [...README.matchAll(/\]\((?!https?:|#)([^)\s#]+)\)/g)].map((m) => m[1]!);
    const paths = [...new Set([...quoted.filter((p) => OURS.test(p)), ...linked])];
    assert.ok(paths.length > 10, `paths found: ${paths.join(', ')}`);
    assert.deepEqual(paths.filter((p) => !existsSync(join(ROOT, p))), [], 'every path the README names exists');
  });

  it('does not refer to a DESIGN.md the project does not have', () => {
    if (!existsSync(join(ROOT, 'DESIGN.md'))) assert.doesNotMatch(README, /DESIGN\.md/);
  });

  it('lists every shipped scenario in its Scenarios section', () => {
    const section = README.slice(README.indexOf('\n## Scenarios'), README.indexOf('\n## ', README.indexOf('\n## Scenarios') + 1));
    const shipped = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml'));
    assert.ok(shipped.length >= 6);
    assert.deepEqual(shipped.filter((f) => !section.includes(`scenarios/${f}`)), []);
  });
});
