/**
 * Live progress of `mqtt-chaos run`, as each audience sees it: plain lines when stderr is
 * a pipe (CI), a line redrawn in place on a pseudo-terminal (util-linux `script`), plain
 * again under NO_COLOR, and NDJSON events on stdout with --json. One small scenario, 3.1.1
 * only, against managed Mosquitto.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { useTeardown } from '../helpers/teardown.js';
import { CLI, cli, tempDir } from './report-support.js';
import { requireMosquitto } from '../helpers/requires.js';

const SMALL = fileURLToPath(new URL('../../../test/fixtures/run/small.yaml', import.meta.url));
const mosquitto = requireMosquitto();
const hasScript = ((): boolean => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A status line as the renderer writes it (without its "  [run]" prefix). */
const STATUS = /run 1\/1 v3 persistent · (phase \d\/7 [^·]+|starting broker and clients)( · \d\/4 connected · sent \d+ · received \d+)? · [\d.]+ m?s elapsed · ETA (≥ |~)?[\d.]+ m?s/;

describe('mqtt-chaos run: live progress', { skip: mosquitto ? false : 'mosquitto is not installed' }, () => {
  test('stderr not a terminal: plain lines, each status line on its own, no terminal control', async (t) => {
    const td = useTeardown(t);
    const out = await tempDir(td, 'mqtt-chaos-progress-');
    const ran = await cli(td, ['run', SMALL, '--protocol', '3.1.1', '--out', out, '--progress-interval', '100ms'], 90_000, {});
    assert.equal(ran.code, 0, ran.stderr);
    assert.doesNotMatch(ran.stderr, /\r|\x1b/);
    const lines = ran.stderr.split('\n');
    const statuses = lines.filter((l) => l.startsWith('  [v3-persistent] run 1/1'));
    assert.ok(statuses.length >= 2, `status lines:\n${ran.stderr}`);
    for (const l of statuses) assert.match(l, new RegExp(`^  \\[v3-persistent\\] ${STATUS.source}$`));
    // The publisher connects directly and stays: after the connect phase, at least it is connected.
    assert.ok(statuses.some((l) => /· [1-4]\/4 connected ·/.test(l)), 'clients seen connected');
    assert.ok(lines.some((l) => /^ {2}\[v3-persistent\] phase 7\/7: drain/.test(l)), 'the engine\'s phase lines as ever');
    assert.ok(lines.some((l) => /^ {2}\[v3-persistent\] done in [\d.]+ m?s$/.test(l)), 'a line when the run ends');
    assert.match(ran.stdout, /^\| verdict\s+\|\s+PASS\s+\|$/m, 'the table on stdout as ever');
  });

  test('on a terminal: one status line redrawn in place, cleared before the table', { skip: hasScript ? false : 'util-linux script is not installed' }, async (t) => {
    const td = useTeardown(t);
    const out = await tempDir(td, 'mqtt-chaos-progress-');
    const command = `stty cols 200 rows 50; exec ${process.execPath} ${CLI} run ${SMALL} --protocol 3.1.1 --out ${out}`;
    const ran = await runScript(td, command, {});
    assert.equal(ran.code, 0, ran.output);
    const redraws = ran.output.split('\r\x1b[2K').slice(1);
    assert.ok(redraws.length >= 3, `redrawn several times: ${JSON.stringify(ran.output.slice(0, 2000))}`);
    const shown = redraws.map((r) => r.split(/\r|\n/)[0]!).filter((r) => r !== '');
    assert.ok(shown.some((r) => STATUS.test(r) && /connected/.test(r)), `a full status line was shown: ${JSON.stringify(shown)}`);
    for (const r of shown) assert.ok(r.length < 200, 'never wider than the terminal');
    const screen = terminalScreen(ran.output);
    assert.ok(screen.some((l) => /^ {2}\[v3-persistent\] phase 7\/7: drain/.test(l)), 'log lines scroll above it');
    assert.ok(!screen.some((l) => STATUS.test(l)), `no status line left on the screen:\n${screen.join('\n')}`);
    assert.ok(screen.some((l) => /^\| verdict\s+\|\s+PASS\s+\|$/.test(l)), 'the table follows');
  });

  test('on a terminal with NO_COLOR: plain lines', { skip: hasScript ? false : 'util-linux script is not installed' }, async (t) => {
    const td = useTeardown(t);
    const out = await tempDir(td, 'mqtt-chaos-progress-');
    const command = `stty cols 200 rows 50; exec ${process.execPath} ${CLI} run ${SMALL} --protocol 3.1.1 --out ${out} --progress-interval 100ms`;
    const ran = await runScript(td, command, { NO_COLOR: '1' });
    assert.equal(ran.code, 0, ran.output);
    assert.doesNotMatch(ran.output, /\x1b\[2K/);
    assert.ok(terminalScreen(ran.output).some((l) => l.startsWith('  [v3-persistent] run 1/1 v3 persistent · ')));
  });

  test('--json: NDJSON events on stdout, result.json the last line', async (t) => {
    const td = useTeardown(t);
    const out = await tempDir(td, 'mqtt-chaos-progress-');
    const ran = await cli(td, ['run', SMALL, '--protocol', '3.1.1', '--out', out, '--json'], 90_000, {});
    assert.equal(ran.code, 0, ran.stderr);
    const lines = ran.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const result = lines.pop()!;
    assert.equal(result.schemaVersion, 1);
    const types = lines.map((l) => l.type);
    assert.equal(types[0], 'scenario-start');
    assert.equal(types.at(-1), 'reports');
    for (const type of ['run-start', 'phase-start', 'phase-end', 'status', 'run-end', 'log']) assert.ok(types.includes(type), `a ${type} event: ${types.join(' ')}`);
    assert.equal(lines.filter((l) => l.type === 'phase-end').length, 7);
    const statuses = lines.filter((l) => l.type === 'status');
    assert.ok(statuses.every((s) => s.run === 'v3-persistent' && s.clients === 4 && typeof s.sent === 'number' && typeof s.received === 'number'));
    assert.ok(statuses.some((s) => (s.connected as number) >= 1));
    const times = lines.map((l) => l.t as number);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'times only grow');
    assert.match(ran.stderr, /^run v3-persistent: v3 persistent \(MQTT 3\.1\.1\)$/m, 'people still get the log on stderr');
  });
});

/** Runs a shell command under a pseudo-terminal (util-linux script); its whole output. */
async function runScript(td: Parameters<typeof cli>[0], command: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const clean = { ...process.env, ...env };
  delete clean.CI;
  if (!('NO_COLOR' in env)) delete clean.NO_COLOR;
  const { spawn } = await import('node:child_process');
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...clean, TERM: 'xterm' } });
  let output = '';
  child.stdout.on('data', (d: Buffer) => void (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (output += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  td.add(`script pid ${child.pid}`, async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await closed;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const code = await closed;
  clearTimeout(timer);
  return { code, output };
}

/** What the terminal shows at the end: \r back to the line start, ESC[2K clears it. */
function terminalScreen(output: string): string[] {
  const lines: string[] = [''];
  for (const part of output.split(/(\r\n|\n|\r|\x1b\[2K)/)) {
    if (part === '\n' || part === '\r\n') lines.push('');
    else if (part === '\r') continue;
    else if (part === '\x1b[2K') lines[lines.length - 1] = '';
    else lines[lines.length - 1] += part;
  }
  return lines;
}
