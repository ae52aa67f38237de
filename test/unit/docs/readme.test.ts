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
  for (const page of ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]) {
    it(`${page} names only files and folders of ours the project has`, () => {
      const text = readFileSync(join(ROOT, page), 'utf8');
      const quoted = [...text.matchAll(/`([A-Za-z.][\w.-]*\/[\w./-]*)`/g)].map((m) => m[1]!);
      const named = [...new Set(quoted.filter((p) => OURS.test(p)))].filter((p) => !p.includes('<'));
      assert.deepEqual(named.filter((p) => !existsSync(join(ROOT, p))), [], 'every path it names exists');
    });
  }

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

  it('lists every shipped scenario in its Scenarios section, one list item each, linking to a docs page', () => {
    const section = README.slice(README.indexOf('\n## Scenarios'), README.indexOf('\n## ', README.indexOf('\n## Scenarios') + 1));
    const items = section.split('\n').filter((l) => l.startsWith('- '));
    const shipped = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml'));
    assert.ok(shipped.length >= 6);
    for (const file of shipped) {
      const lines = items.filter((l) => l.includes(`\`scenarios/${file}\``));
      assert.equal(lines.length, 1, `one list item names scenarios/${file}`);
      // The quick start is explained on the front page itself ("above"); every other names its page.
      if (file !== 'quickstart.yaml') assert.match(lines[0]!, /\]\(docs\/[\w-]+\.md(#[\w-]+)?\)/, `scenarios/${file} links to its docs page`);
    }
    assert.equal(items.filter((l) => /`scenarios\/[\w.-]+\.yaml`/.test(l)).length, shipped.length, 'no item names a scenario the project lacks');
  });

  it('keeps the quick start block the tests and CI run, exactly', () => {
    assert.ok(
      README.includes('```sh\nnpm ci && npx mqtt-chaos run scenarios/quickstart.yaml   # the main job\nnpm test                                                 # the tests\n```'),
    );
  });

  it('stays a front page: under 250 lines, and every docs page is linked from it', () => {
    assert.ok(README.split('\n').length < 250, `${README.split('\n').length} lines`);
    const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
    assert.deepEqual(docs.filter((f) => !README.includes(`](docs/${f}`)), []);
  });
});
