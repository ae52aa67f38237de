import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { BenchRow } from './lib/row.js';
import { distFile } from './lib/processes.js';

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 9);
const TARGET_S = 0.25;

/** Wall time of one whole `mqtt-chaos …` process, from spawn to exit. */
function timeOnce(args: readonly string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [distFile('src/cli/main.js'), ...args], { timeout: 30_000 }, (err) => {
      if (err) return reject(new Error(`mqtt-chaos ${args.join(' ')}: ${err.message}`));
      resolve((performance.now() - started) / 1000);
    });
  });
}

/** `node -e ''`: what Node itself costs to start here, so the CLI's own share is visible. */
function timeBareNode(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', ''], (err) => (err ? reject(err) : resolve((performance.now() - started) / 1000)));
  });
}

async function median(runs: number, once: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  // One after another: parallel starts would measure the machine's cores, not the CLI.
  for (let i = 0; i < runs; i++) times.push(await once());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** How long the CLI takes to answer the commands a user types first; median of RUNS whole processes each. */
export async function benchCliStart(): Promise<BenchRow[]> {
  const scenario = distFile('../scenarios/quickstart.yaml');
  const node = await median(RUNS, timeBareNode);
  const rows: BenchRow[] = [{ metric: 'node -e "" (Node itself)', value: node, unit: 's', target: 'for reference' }];
  for (const args of [['--help'], ['validate', scenario]]) {
    const value = await median(RUNS, () => timeOnce(args));
    rows.push({ metric: `mqtt-chaos ${args[0]}${args.length > 1 ? ' scenarios/quickstart.yaml' : ''}`, value, unit: 's', target: `≤ ${TARGET_S} s, median of ${RUNS}` });
  }
  return rows;
}
