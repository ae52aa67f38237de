/**
 * Docs that run: every command a reader is meant to paste — each line of a ```sh, ```bash or
 * ```shell block in README.md and docs/*.md — is run here as written, or matches a rule
 * below that says why it cannot run in a test (and checks what it can of it statically). A
 * command no rule knows fails the test: a new recipe must be run or explained. The README's
 * CI yaml is run by readme-ci-recipe.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { FAILS_BY_DESIGN, SHIPPED_COUNTS } from '../../bench/lib/shipped.js';
import { useTeardown, type Teardown } from '../helpers/teardown.js';
import { CLI, tempDir, type Ran } from './report-support.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** A command as run; a long-running one (a server) is stopped after this. */
const COMMAND_LIMIT_MS = 180_000;

interface Command {
  where: string;
  text: string;
}

/** Each pasteable command of a Markdown file: continued lines joined, comments dropped. */
export function commandsIn(file: string): Command[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const out: Command[] = [];
  let inBlock = false;
  let pending = '';
  let start = 0;
  lines.forEach((line, i) => {
    if (/^```(sh|bash|shell)\s*$/.test(line)) return void (inBlock = true);
    if (!inBlock) return;
    if (line.startsWith('```')) return void (inBlock = false);
    const code = line.replace(/(^|\s)#.*$/, '').trimEnd();
    if (pending === '') start = i + 1;
    pending += code.endsWith('\\') ? `${code.slice(0, -1)} ` : code;
    if (code.endsWith('\\')) return;
    if (pending.trim() !== '') out.push({ where: `${file}:${start}`, text: pending.trim().replace(/\s+/g, ' ') });
    pending = '';
  });
  return out;
}

function markdownFiles(): string[] {
  const docs = existsSync(join(ROOT, 'docs')) ? readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')) : [];
  return ['README.md', ...docs.map((f) => `docs/${f}`)];
}

/** Suites `npm run bench -- NAME` knows, read from bench/run.ts. */
function benchSuites(): string[] {
  const source = readFileSync(join(ROOT, 'bench/run.ts'), 'utf8');
  const table = source.slice(source.indexOf('const suites'), source.indexOf('};', source.indexOf('const suites')));
  return [...table.matchAll(/^\s*'?([\w-]+)'?:/gm)].map((m) => m[1]!);
}

/** Every environment variable the bench reads. */
function benchEnv(): Set<string> {
  const files = readdirSync(join(ROOT, 'bench'), { recursive: true }).map(String).filter((f) => f.endsWith('.ts'));
  const text = files.map((f) => readFileSync(join(ROOT, 'bench', f), 'utf8')).join('\n');
  return new Set([...text.matchAll(/\b([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b/g)].map((m) => m[1]!));
}

/**
 * `npx mqtt-chaos run scenarios/F.yaml`, for each shipped F that the shipped-scenarios test
 * runs as shipped (no --count) and whose reports no documented command reads through a
 * `reports/F-*` glob (such a command needs the run made here).
 */
function shippedRuns(): RegExp {
  const texts = markdownFiles().flatMap(commandsIn).map((c) => c.text);
  const files = readdirSync(join(ROOT, 'scenarios')).filter(
    (f) => f.endsWith('.yaml') && SHIPPED_COUNTS[f] === undefined && !texts.some((t) => t.includes(`reports/${f.replace(/\.yaml$/, '')}-*`)),
  );
  return new RegExp(`^npx mqtt-chaos run scenarios/(${files.map((f) => f.replace(/[.-]/g, '\\$&')).join('|')})$`);
}

/** Commands that cannot run in a test, each with the reason, and what is checked instead. */
const NOT_RUN: { pattern: RegExp; why: string; check?: (text: string) => void }[] = [
  { pattern: /^npm ci$/, why: 'installs the dependencies: the test runs in a checkout that has them' },
  { pattern: /^npm test$/, why: 'the whole suite, this test among them (about 10 min)' },
  {
    pattern: shippedRuns(),
    why: 'a shipped scenario run exactly as test/e2e/shipped-scenarios.test.ts runs it (but for --out), which checks its exit code, verdicts and shortfalls: run twice, it would only double the longest test file',
  },
  {
    pattern: /^(watch -n\d+ ")?curl -s (http:\/\/)?127\.0\.0\.1:\d+\/metrics\b/,
    why: 'a scrape of a run still going, from a second terminal: test/e2e/live-metrics.test.ts scrapes a real run',
    check: (text) => assert.match(text, /grep (-v )?'\^(mqtt_chaos_|#)/, `${text}: greps the exposition for the harness's metrics`),
  },
  {
    pattern: /^kubectl /,
    why: 'needs a Kubernetes cluster; test/e2e/k8s-cli.test.ts validates what `mqtt-chaos k8s` prints and that the names these lines use are its names',
    check: (text) => {
      for (const [, name] of text.matchAll(/job\/(\S+)/g)) assert.match(name!, /^mqtt-chaos-[a-z0-9-]+-(coordinator|agents)$/, `${text}: a Job name k8s prints`);
      for (const [, label] of text.matchAll(/app\.kubernetes\.io\/instance=([^,\s]+)/g)) assert.match(label!, /^mqtt-chaos-[a-z0-9-]+$/, `${text}: an instance label k8s prints`);
    },
  },
  {
    pattern: /^docker (build|push) /,
    why: 'needs a container engine, which the test machines lack; test/unit/k8s/dockerfile.test.ts checks the Dockerfile\'s paths and entrypoint',
    check: (text) => assert.ok(!/^docker build /.test(text) || / \.$/.test(text), `${text}: builds from the repository root, where the Dockerfile is`),
  },
  {
    pattern: /^([A-Z_]+=\S+ )*npm run bench\b/,
    why: 'a benchmark: minutes long and judged by speed, which a test must not be (run by hand, see bench/)',
    check: (text) => {
      const suites = benchSuites();
      const args = text.replace(/^.*npm run bench( --)?/, '').split(' ').filter((a) => a !== '' && !a.startsWith('-'));
      assert.deepEqual(args.filter((a) => !suites.includes(a)), [], `${text}: bench suites are ${suites.join(', ')}`);
      const env = benchEnv();
      const vars = [...text.matchAll(/(?:^|\s)([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1]!);
      assert.deepEqual(vars.filter((v) => !env.has(v)), [], `${text}: environment variables the bench reads`);
    },
  },
];

/** A workspace as a reader of a checkout has it: the scenarios, the test fixtures some recipes read, `npx mqtt-chaos` this checkout's CLI. */
async function workspace(td: Teardown): Promise<{ dir: string; bin: string }> {
  const dir = await tempDir(td, 'mqtt-chaos-readme-');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'npx'), `#!/bin/sh\n[ "$1" = mqtt-chaos ] || exit 127\nshift\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, 'npx'), 0o755);
  symlinkSync(join(ROOT, 'scenarios'), join(dir, 'scenarios'));
  symlinkSync(join(ROOT, 'test'), join(dir, 'test'));
  return { dir, bin };
}

/** A result.json the command names but nothing made yet (a report of an earlier run): a stored one. */
function provideResults(text: string, dir: string): void {
  for (const [path] of text.matchAll(/[\w./-]*result\.json/g)) {
    const at = join(dir, path);
    if (existsSync(at)) continue;
    mkdirSync(dirname(at), { recursive: true });
    copyFileSync(join(ROOT, 'test/fixtures/report/persistent-session.result.json'), at);
  }
}

/**
 * Runs `text` with bash in `dir`. `[--flag value]` in a synopsis is given as written; a
 * server (a command that prints "listening on") is stopped with SIGTERM once it listens, and
 * a fixed port there becomes 0 (the README says 0 picks a free one) so a shared machine's
 * taken port cannot fail it; a path under /tmp/ lands in the workspace, which is removed.
 */
function run(text: string, dir: string, bin: string): Promise<Ran & { listened: boolean }> {
  let script = text.replace(/\[([^\]]+)\]/g, '$1');
  if (/ toxiproxy\b/.test(script)) script = script.replace(/--port \d+/, '--port 0');
  script = script.replace(/(^|\s)\/tmp\//g, `$1${dir}/tmp/`);
  const env = { ...process.env, NO_COLOR: '1', PATH: `${bin}:${process.env.PATH}` };
  const child = spawn('bash', ['-e', '-c', `exec ${script}`], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let listened = false;
  const limit = setTimeout(() => child.kill('SIGKILL'), COMMAND_LIMIT_MS);
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (!listened && /listening on /.test(stdout)) {
      listened = true;
      child.kill('SIGTERM');
    }
  });
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(limit);
      resolve({ code, stdout, stderr, listened });
    }),
  );
}

/** A shipped scenario with a run that fails by design (the trap it shows, a broker's spec violation) exits 1; every other command 0. */
function expectedExit(text: string): number {
  const file = /^npx mqtt-chaos run scenarios\/([\w-]+\.yaml)/.exec(text)?.[1];
  return file !== undefined && [...FAILS_BY_DESIGN].some((run) => run.startsWith(`${file}/`)) ? 1 : 0;
}

describe('commands in the docs', () => {
  const commands = markdownFiles().flatMap(commandsIn);

  test('the README and the docs have pasteable commands, and this test finds them', () => {
    assert.ok(commands.length >= 10, commands.map((c) => c.text).join('\n'));
    assert.ok(commands.some((c) => c.where.startsWith('README.md') && c.text.includes('npx mqtt-chaos run scenarios/quickstart.yaml')), 'the quick start');
  });

  test('each command that cannot run here says why, and what can be checked of it is', () => {
    for (const c of commands) {
      for (const part of c.text.split(' && ')) {
        const rule = NOT_RUN.find((r) => r.pattern.test(part));
        if (rule) rule.check?.(part);
      }
    }
  });

  test('every other command runs as written and exits 0', { timeout: COMMAND_LIMIT_MS * 4 }, async (t) => {
    const td = useTeardown(t);
    const { dir, bin } = await workspace(td);
    for (const c of commands) {
      const parts = c.text.split(' && ').filter((part) => !NOT_RUN.some((r) => r.pattern.test(part)));
      for (const part of parts) {
        assert.match(part, /^npx mqtt-chaos /, `${c.where}: "${part}" is neither run by this test nor listed in NOT_RUN with a reason`);
        provideResults(part, dir);
        const ran = await run(part, dir, bin);
        assert.equal(ran.code, expectedExit(part), `${c.where}: ${part}\n${ran.stdout}\n${ran.stderr}`);
        if (ran.listened) assert.match(ran.stdout, /stopped/, `${c.where}: ${part} stops cleanly on SIGTERM`);
      }
    }
  });
});
