/**
 * The import rules docs/architecture.md states: the lowest layer (protocol/, clock.ts,
 * errors.ts, net/) imports nothing from the layers that use it, result/ nothing from the
 * layers that fill or read it, and nothing below engine/ imports engine/ or cli/ except
 * for types (k8s/ sits above engine/: it reads the engine's limits to size the manifests).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import { read, ROOT } from './markdown.js';

const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? files(path) : f.endsWith('.ts') ? [path] : [];
  });
}

/** Each relative import of a file: where it leads (from src/) and whether it is type-only. */
function imports(file: string): { to: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(import|export)( type)?[^'"]*?from '(\.[^']+)'|import\('(\.[^']+)'\)/gm)].map((m) => ({
    to: relative(SRC, normalize(join(dirname(file), m[3] ?? m[4]!))),
    typeOnly: m[2] !== undefined,
  }));
}

const LOWEST = (path: string) => /^(protocol|net)\//.test(path) || path === 'clock.ts' || path === 'errors.ts';
const from = (path: string) => relative(SRC, path);

describe('import layers (docs/architecture.md)', () => {
  const all = files(SRC);

  it('reads the imports', () => {
    assert.ok(all.length > 100);
    assert.ok(imports(join(SRC, 'cli/main.ts')).some((i) => i.to === 'errors.js'));
  });

  it('the lowest layer imports only itself', () => {
    const wrong = all.filter((f) => LOWEST(from(f))).flatMap((f) => imports(f).filter((i) => !LOWEST(i.to.replace(/\.js$/, '.ts'))).map((i) => `${from(f)} → ${i.to}`));
    assert.deepEqual(wrong, []);
  });

  it('nothing below engine/ imports engine/ or cli/ but for types', () => {
    const below = all.filter((f) => !/^(engine|k8s|cli)\//.test(from(f)));
    const wrong = below.flatMap((f) => imports(f).filter((i) => /^(engine|cli)\//.test(i.to) && !i.typeOnly).map((i) => `${from(f)} → ${i.to}`));
    assert.deepEqual(wrong, []);
  });

  it('result/ imports nothing from the layers that fill or read it', () => {
    const wrong = all
      .filter((f) => from(f).startsWith('result/'))
      .flatMap((f) => imports(f).filter((i) => /^(checks|report|engine|workers|cli)\//.test(i.to)).map((i) => `${from(f)} → ${i.to}`));
    assert.deepEqual(wrong, []);
  });

  it('the page states these rules', () => {
    assert.match(read('docs/architecture.md'), /import-layers\.test\.ts/);
  });
});
