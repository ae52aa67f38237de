import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { benchAgents } from './agents.js';
import { benchCliStart } from './cli-start.js';
import { benchFaultServer, quickFaultServerSizes } from './fault-server.js';
import { benchHarness, benchSizes } from './harness.js';
import { benchIdleClient } from './idle-client.js';
import { distFile } from './lib/processes.js';
import { renderTable, type BenchRow } from './lib/row.js';
import { benchPersistentSessions } from './persistent-sessions.js';
import { benchStability } from './stability.js';

/**
 * `npm run bench [-- [--quick] suite…]`: benchmarks of the harness itself (the `harness`
 * suite by default); a table per suite on stdout and a JSON file under reports/.
 */
const suites: Record<string, () => Promise<BenchRow[]>> = {
  harness: benchHarness,
  'fault-server': () => benchFaultServer(process.env.BENCH_QUICK === '1' ? quickFaultServerSizes : undefined),
  'idle-client': benchIdleClient,
  'persistent-sessions': benchPersistentSessions,
  stability: benchStability,
  'cli-start': benchCliStart,
  agents: benchAgents,
};

const args = process.argv.slice(2);
if (args.includes('--quick')) process.env.BENCH_QUICK = '1';
const chosen = args.filter((a) => a !== '--quick');
const unknown = chosen.filter((name) => !(name in suites));
if (unknown.length > 0) {
  process.stderr.write(`unknown suite ${unknown.join(', ')}: choose from ${Object.keys(suites).join(', ')} (and --quick)\n`);
  process.exit(2);
}

const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', loadavgAtStart: loadavg() };
const results: Record<string, BenchRow[]> = {};
for (const name of chosen.length > 0 ? chosen : ['harness']) {
  process.stderr.write(`running ${name} …\n`);
  try {
    results[name] = await suites[name]!();
  } catch (err) {
    // Each benchmark stops what it started on the way out; what is left to say is why.
    process.stderr.write(`bench ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

for (const [name, rows] of Object.entries(results)) console.log(`\n## ${name}\n\n${renderTable(rows)}`);
console.log(`\n${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load average at start ${machine.loadavgAtStart.map((l) => l.toFixed(2)).join(' ')}`);

const dir = distFile('../reports');
mkdirSync(dir, { recursive: true });
const file = `${dir}/bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(file, `${JSON.stringify({ ...machine, sizes: benchSizes(), results }, null, 2)}\n`);
console.log(`written: ${file}`);
