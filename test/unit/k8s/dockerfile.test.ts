/**
 * The Dockerfile cannot be built here (no container engine): what can be checked without
 * one is. Every path it copies from the repository exists and gets past .dockerignore, its
 * ENTRYPOINT is the CLI the manifests assume, and that CLI is the package's `bin`, in `files`.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { IMAGE_CLI, IMAGE_ENTRYPOINT, IMAGE_UID } from '../../../src/k8s/image.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[]; engines: { node: string } };

/** Instructions with their arguments, continuation lines joined, comments dropped. */
const instructions = DOCKERFILE.replace(/\\\n/g, ' ')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))
  .map((l) => {
    const [op, ...rest] = l.trim().split(/\s+/);
    return { op: op!.toUpperCase(), args: rest };
  });

/** Sources of each COPY from the build context (not from another stage). */
const contextSources = instructions
  .filter((i) => i.op === 'COPY' && !i.args.some((a) => a.startsWith('--from=')))
  .flatMap((i) => i.args.filter((a) => !a.startsWith('--')).slice(0, -1));

/** What .dockerignore lets into the context: it excludes everything, then names what goes in. */
function ignored(path: string): boolean {
  const rules = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  let out = false;
  for (const rule of rules) {
    const negate = rule.startsWith('!');
    const pattern = negate ? rule.slice(1) : rule;
    if (pattern === '*' || pattern === path) out = !negate;
  }
  return out;
}

describe('Dockerfile', () => {
  test('every path it copies from the repository exists and is let through .dockerignore', () => {
    assert.deepEqual(contextSources.sort(), ['docs', 'package-lock.json', 'package-lock.json', 'package.json', 'package.json', 'scenarios', 'schema', 'src', 'tsconfig.json'].sort());
    for (const source of contextSources) {
      assert.ok(existsSync(join(ROOT, source)), `${source} exists`);
      assert.equal(ignored(source), false, `${source} is not excluded by .dockerignore`);
    }
    assert.equal(ignored('node_modules'), true, 'the host\'s node_modules stays out');
    assert.equal(ignored('dist'), true, 'so does a local build');
  });

  test('the ENTRYPOINT is the CLI the manifests run, the package bin, shipped in files', () => {
    const entry = instructions.filter((i) => i.op === 'ENTRYPOINT').at(-1)!;
    assert.deepEqual(JSON.parse(entry.args.join(' ')), [...IMAGE_ENTRYPOINT]);
    const cli = IMAGE_CLI.replace(/^\/app\//, '');
    assert.equal(PKG.bin['mqtt-chaos'], cli);
    assert.ok(PKG.files.some((f) => cli.startsWith(`${f}/`)), `${cli} is under one of files: ${PKG.files.join(', ')}`);
    assert.ok(existsSync(join(ROOT, cli)), `${cli} is what the build makes`);
    // The runtime stage copies the built CLI's folder from the build stage.
    assert.ok(instructions.some((i) => i.op === 'COPY' && i.args.includes('--from=build') && cli.startsWith(`${i.args.at(-1)!.replace(/^\.\//, '')}/`)));
  });

  test('the runtime stage installs only production dependencies, runs as the non-root user, on the Node the package needs', () => {
    const froms = instructions.filter((i) => i.op === 'FROM').map((i) => i.args[0]!);
    const major = Number(/>=(\d+)/.exec(PKG.engines.node)?.[1]);
    for (const from of froms) assert.match(from, new RegExp(`^node:${major}-slim$`));
    const runtime = instructions.slice(instructions.findLastIndex((i) => i.op === 'FROM'));
    assert.ok(runtime.some((i) => i.op === 'RUN' && /npm ci --omit=dev\b/.test(i.args.join(' '))));
    assert.deepEqual(runtime.filter((i) => i.op === 'USER').map((i) => i.args[0]), ['node']);
    assert.equal(IMAGE_UID, 1000, "node's images give the node user uid 1000");
  });
});
