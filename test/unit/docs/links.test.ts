/**
 * Every relative link in README.md and docs/*.md leads somewhere: to a file the project has
 * and, with a #fragment, to a heading that page has.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';
import { anchors, pages, read, relativeLinks, ROOT } from './markdown.js';

describe('links in README.md and docs/', () => {
  it('finds the pages and their links', () => {
    assert.ok(pages().length >= 10, pages().join(', '));
    assert.ok(relativeLinks(read('README.md')).length >= 10);
  });

  for (const page of pages()) {
    it(`${page}: every relative link points to a file or heading that exists`, () => {
      const broken = relativeLinks(read(page)).filter((link) => {
        const [path, fragment] = link.split('#') as [string, string | undefined];
        const target = path === '' ? page : normalize(join(dirname(page), decodeURI(path)));
        if (!existsSync(join(ROOT, target))) return true;
        return fragment !== undefined && target.endsWith('.md') && !anchors(read(target)).has(fragment);
      });
      assert.deepEqual(broken, []);
    });
  }

  it('anchors are GitHub’s', () => {
    assert.deepEqual([...anchors('# A `b` (c), d\n## x.y <z>\n## x.y <z>\n```\n# not\n```\n')], ['a-b-c-d', 'xy-z', 'xy-z-1']);
  });
});
