import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Result } from '../src/result/result.js';
import { distFile } from './lib/processes.js';
import type { BenchRow } from './lib/row.js';
import { failsByDesign, SHIPPED_COUNTS } from './lib/shipped.js';

/**
 * `npm run bench -- stability`: every shipped scenario run N times in a row (env
 * STABILITY_RUNS, default 20) against the managed Mosquitto, one run at a time, as a user
 * runs it (the CLI), with the big groups shrunk as in CI (STABILITY_FULL=1: as shipped).
 * A row per scenario: how many invocations passed (each run with the verdict it is shipped
 * for), and the checks that failed, counted. STABILITY_SCENARIOS=a.yaml,b.yaml picks some.
 * The whole set takes about 50 min on 2 cores. Exits 1 (after the table) when any run failed.
 */
const SCENARIOS = distFile('../scenarios');
const CLI = distFile('src/cli/main.js');
/** A shrunk run takes well under a minute; a stuck one is ended. */
const RUN_LIMIT_MS = 240_000;

interface Outcome {
  passed: boolean;
  /** `run id: check name`, or why there was no verdict. */
  failures: string[];
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}=${raw}: a whole number of runs, at least 1`);
  return n;
}

function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: RUN_LIMIT_MS, maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 124) : 0;
      resolve({ code, stderr });
    });
  });
}

async function runOnce(file: string, full: boolean): Promise<Outcome> {
  const out = mkdtempSync(join(tmpdir(), 'mqtt-chaos-stability-'));
  try {
    const count = full ? undefined : SHIPPED_COUNTS[file];
    const { code, stderr } = await cli(['run', join(SCENARIOS, file), '--out', out, ...(count ? ['--count', count] : [])]);
    const dir = readdirSync(out).find((d) => existsSync(join(out, d, 'result.json')));
    if (!dir) {
      const last = stderr.trim().split('\n').at(-1) ?? '';
      return { passed: false, failures: [`exit ${code}, no result.json${last ? `: ${last}` : ''}`] };
    }
    const result = JSON.parse(readFileSync(join(out, dir, 'result.json'), 'utf8')) as Result;
    const failures: string[] = [];
    for (const run of result.runs) {
      const want = failsByDesign(file, run.id) ? 'fail' : 'pass';
      if (run.verdict === want) continue;
      const failed = run.checks.filter((c) => !c.passed);
      if (want === 'fail' || failed.length === 0) failures.push(`${run.id}: verdict ${run.verdict}, ${want} wanted`);
      for (const c of failed) failures.push(`${run.id}: ${c.name} — ${c.explanation}`);
    }
    return { passed: failures.length === 0, failures };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** "expiry methods agree ×2 (5: … )": each failing check once, with how often and its first explanation. */
function summarise(failures: readonly string[]): string {
  const byName = new Map<string, { n: number; first: string }>();
  for (const f of failures) {
    const name = f.split(' — ')[0]!;
    const seen = byName.get(name);
    if (seen) seen.n++;
    else byName.set(name, { n: 1, first: f });
  }
  return [...byName.values()].map(({ n, first }) => `×${n} ${first}`).join('\n  ');
}

export async function benchStability(): Promise<BenchRow[]> {
  const runs = positive('STABILITY_RUNS', 20);
  const full = process.env.STABILITY_FULL === '1';
  const picked = process.env.STABILITY_SCENARIOS?.split(',').map((s) => s.trim()).filter(Boolean);
  const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml') && (!picked || picked.includes(f))).sort();
  if (files.length === 0) throw new Error(`no scenario to run in ${SCENARIOS}${picked ? ` named ${picked.join(', ')}` : ''}`);
  const rows: BenchRow[] = [];
  for (const file of files) {
    let passed = 0;
    const failures: string[] = [];
    for (let k = 1; k <= runs; k++) {
      const started = Date.now();
      const outcome = await runOnce(file, full);
      if (outcome.passed) passed++;
      failures.push(...outcome.failures);
      process.stderr.write(`  ${file} ${k}/${runs}: ${outcome.passed ? 'pass' : `FAIL (${outcome.failures.join('; ')})`} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    }
    const size = full ? 'as shipped' : (SHIPPED_COUNTS[file] ?? 'as shipped');
    rows.push({
      metric: `${file} (${size})`,
      value: passed,
      unit: `of ${runs} passed`,
      target: `${runs} of ${runs}`,
      ...(failures.length > 0 ? { note: `failed checks:\n  ${summarise(failures)}` } : {}),
    });
  }
  if (rows.some((r) => r.value < runs)) process.exitCode = 1;
  return rows;
}
