import { mkdirSync, writeFileSync } from 'node:fs';
import { benchFaultServer, type BenchRow } from './fault-server.js';
import { benchIdleClient } from './idle-client.js';
import { distFile } from './lib/processes.js';
import { benchPersistentSessions } from './persistent-sessions.js';

/**
 * `npm run bench [-- suite…]`: benchmarks of the harness itself (all suites by default);
 * a table on stdout and a JSON file under reports/.
 */
const suites: Record<string, () => Promise<BenchRow[]>> = {
  'fault-server': benchFaultServer,
  'idle-client': benchIdleClient,
  'persistent-sessions': benchPersistentSessions,
};

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in suites));
if (unknown.length > 0) {
  process.stderr.write(`unknown suite ${unknown.join(', ')}: choose from ${Object.keys(suites).join(', ')}\n`);
  process.exit(2);
}

const results: Record<string, BenchRow[]> = {};
for (const [name, run] of Object.entries(suites).filter(([name]) => chosen.length === 0 || chosen.includes(name))) {
  process.stderr.write(`running ${name} …\n`);
  results[name] = await run();
}

const format = (n: number): string => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));
for (const [name, rows] of Object.entries(results)) {
  console.log(`\n## ${name}\n`);
  console.log('| metric | value | target |');
  console.log('| --- | ---: | --- |');
  for (const row of rows) console.log(`| ${row.metric} | ${format(row.value)} ${row.unit} | ${row.target} |`);
  for (const row of rows) if (row.note) console.log(`\nnote (${row.metric}): ${row.note}`);
}

const dir = distFile('../reports');
mkdirSync(dir, { recursive: true });
const file = `${dir}/bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(file, `${JSON.stringify({ node: process.version, results }, null, 2)}\n`);
console.log(`\nwritten: ${file}`);
