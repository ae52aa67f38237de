import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressRenderer, progressMode, type ProgressMode } from '../../../src/cli/progress.js';
import { phaseEstimateMs, runEstimateMs, type ProgressEvent } from '../../../src/engine/run-progress.js';
import type { PhasePlan, RunPlan } from '../../../src/scenario/plan.js';

/** A fake terminal (or pipe): what was written, and how a terminal would show it now. */
class FakeStream {
  text = '';
  constructor(readonly columns?: number) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  /** The screen: \r returns to the line start, ESC[2K clears the line. */
  screen(): string[] {
    const lines: string[] = [''];
    for (const part of this.text.split(/(\r|\n|\x1b\[2K)/)) {
      if (part === '\n') lines.push('');
      else if (part === '\r') continue;
      else if (part === '\x1b[2K') lines[lines.length - 1] = '';
      else lines[lines.length - 1] += part;
    }
    return lines;
  }
}

function renderer(mode: ProgressMode, columns?: number) {
  let now = 0;
  const err = new FakeStream(columns);
  const out = new FakeStream();
  const r = new ProgressRenderer({ mode, err, out, intervalMs: 5000, now: () => now, tickMs: 60_000 });
  return { r, err, out, advance: (ms: number) => void (now += ms) };
}

const runStart = (index = 0): ProgressEvent => ({ type: 'run-start', run: `r${index}`, label: `run ${index}`, protocol: '5', index, runs: 2, phases: 3, clients: 1004, estimateMs: 2000, phaseEstimatesMs: [1000, null, 1000] });
const phaseStart = (phase: number, run = 'r0'): ProgressEvent => ({ type: 'phase-start', run, phase, phases: 3, kind: 'publish', label: 'publish backend → devices', estimateMs: null });
const status = (sent: number, received: number, run = 'r0'): ProgressEvent => ({ type: 'status', run, phase: 1, clients: 1004, connected: 1000, subscribed: 1000, sent, received, groups: {} });

describe('progressMode', () => {
  it('redraws only on a terminal without NO_COLOR, CI or TERM=dumb; --json wins', () => {
    assert.equal(progressMode({ json: false, isTTY: true, env: {} }), 'tty');
    assert.equal(progressMode({ json: false, isTTY: false, env: {} }), 'plain');
    assert.equal(progressMode({ json: false, isTTY: true, env: { NO_COLOR: '1' } }), 'plain');
    assert.equal(progressMode({ json: false, isTTY: true, env: { NO_COLOR: '' } }), 'tty', 'NO_COLOR counts when not empty');
    assert.equal(progressMode({ json: false, isTTY: true, env: { CI: 'true' } }), 'plain');
    assert.equal(progressMode({ json: false, isTTY: true, env: { TERM: 'dumb' } }), 'plain');
    assert.equal(progressMode({ json: true, isTTY: true, env: {} }), 'json');
  });
});

describe('ProgressRenderer', () => {
  it('plain: log lines as they come, a status line at most every interval, a line when a run ends', () => {
    const { r, err, out, advance } = renderer('plain');
    r.log('run r0: run 0 (MQTT 5)');
    r.event(runStart());
    r.event(phaseStart(1));
    advance(1000);
    r.event(status(12_000, 8_000));
    advance(1000);
    r.event(status(13_000, 9_000));
    advance(4500);
    r.event(status(20_000, 20_000));
    r.event({ type: 'run-end', run: 'r0', tookMs: 6500 });
    r.close();
    assert.equal(out.text, '', 'nothing on stdout');
    assert.doesNotMatch(err.text, /\r|\x1b/, 'no terminal control in plain mode');
    assert.deepEqual(err.text.split('\n'), [
      'run r0: run 0 (MQTT 5)',
      '  [r0] run 1/2 run 0 · phase 2/3 publish backend → devices · 1,000/1,004 connected · sent 12,000 · received 8,000 · 1 s elapsed · ETA ≥ 3 s',
      '  [r0] run 1/2 run 0 · phase 2/3 publish backend → devices · 1,000/1,004 connected · sent 20,000 · received 20,000 · 6.5 s elapsed · ETA ≥ 3 s',
      '  [r0] done in 6.5 s',
      '',
    ]);
  });

  it('agents: each one connected of its share, and the one furthest behind while any is', () => {
    const { r, err, advance } = renderer('plain');
    r.event(runStart());
    r.event(phaseStart(0));
    const agents = (connected: number[]): ProgressEvent => ({
      type: 'status', run: 'r0', phase: 0, clients: 1004, subscribed: 0, sent: 0, received: 0, groups: {},
      connected: connected.reduce((a, b) => a + b, 0),
      agents: connected.map((n, i) => ({ agent: i + 1, connected: n, clients: [400, 400, 204][i]! })),
    });
    advance(5000);
    r.event(agents([400, 100, 150]));
    advance(5000);
    r.event(agents([400, 400, 204]));
    r.close();
    const lines = err.text.split('\n').filter((l) => l.includes('agents'));
    assert.equal(lines.length, 2, err.text);
    assert.match(lines[0]!, / · 650\/1,004 connected · agents 3: 400\/400 100\/400 150\/204 \(slowest: agent 2\) · /);
    assert.match(lines[1]!, / · 1,004\/1,004 connected · agents 3: 400\/400 400\/400 204\/204 · /);
  });

  it('agents: none named slowest while all keep the same pace', () => {
    const { r } = renderer('plain');
    r.event(runStart());
    r.event({ type: 'status', run: 'r0', phase: 0, clients: 20, connected: 10, subscribed: 0, sent: 0, received: 0, groups: {}, agents: [{ agent: 1, connected: 5, clients: 10 }, { agent: 2, connected: 5, clients: 10 }] });
    assert.match(r.statusLine(), / · agents 2: 5\/10 5\/10 · /);
  });

  it('ETA: from the plan (a lower bound) until a run is done, then from the runs done', () => {
    const { r, advance } = renderer('plain');
    r.event(runStart(0));
    advance(500);
    assert.match(r.statusLine(), /ETA ≥ 4 s$/, 'no phase begun: all 2 s of this run by the plan, 2 s for the next');
    r.event({ type: 'phase-start', run: 'r0', phase: 0, phases: 3, kind: 'wait', label: 'wait 1s', estimateMs: 1000 });
    advance(400);
    assert.match(r.statusLine(), /ETA ≥ 3\.6 s$/, '600 ms left of the wait, 1 s after it, 2 s for the next run');
    r.event({ type: 'run-end', run: 'r0', tookMs: 10_000 });
    r.event(runStart(1));
    advance(4000);
    assert.match(r.statusLine(), /ETA ~6 s$/, 'runs take 10 s: 6 s left of the last one');
    r.event({ type: 'run-start', run: 'x', label: 'x', protocol: '5', index: 0, runs: 1, phases: 1, clients: 1, estimateMs: null, phaseEstimatesMs: [null] });
    assert.match(r.statusLine(), /ETA ~10 s$/, 'a run done: its time is the best guess');
    r.event({ type: 'run-end', run: 'x', tookMs: 1, unsupported: 'no v5' });
  });

  it('tty: the status line is redrawn in place under the log lines, cut to the terminal width, cleared at the end', () => {
    const { r, err } = renderer('tty', 60);
    r.event(runStart());
    r.event(phaseStart(1));
    r.event(status(100, 50));
    r.log('  [r0] phase 1/3: connect devices (300 ms)');
    r.event(status(200, 150));
    let screen = err.screen();
    assert.equal(screen.length, 2, `one log line and the status line: ${JSON.stringify(screen)}`);
    assert.equal(screen[0], '  [r0] phase 1/3: connect devices (300 ms)');
    assert.equal(screen[1], 'run 1/2 run 0 · phase 2/3 publish backend → devices · 1,00…');
    assert.equal(screen[1]!.length, 59);
    assert.match(err.text, /\r\x1b\[2K/, 'redrawn with carriage return and erase-line');
    r.close();
    screen = err.screen();
    assert.deepEqual(screen, ['  [r0] phase 1/3: connect devices (300 ms)', ''], 'the status line is gone');
  });

  it('json: every event a JSON line on stdout with its time; log lines too; the result document last', () => {
    const { r, err, out, advance } = renderer('json');
    r.event({ type: 'scenario-start', scenario: 's', runs: ['r0'] });
    r.event(runStart());
    advance(250);
    r.event(status(5, 4));
    r.log('hello');
    r.event({ type: 'run-end', run: 'r0', tookMs: 250 });
    r.document({ schemaVersion: 1 });
    r.close();
    const lines = out.text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => l.type), ['scenario-start', 'run-start', 'status', 'log', 'run-end', undefined]);
    assert.deepEqual(lines[2], { ...status(5, 4), t: 250 });
    assert.equal(lines[3]!.message, 'hello');
    assert.deepEqual(lines[5], { schemaVersion: 1 });
    assert.equal(err.text, 'hello\n', 'people still get the log lines on stderr');
  });
});

describe('estimates from the plan', () => {
  const run = {
    groups: [
      { name: 'devices', count: 1000, ratePerSec: undefined },
      { name: 'backend', count: 4 },
    ],
    phases: [] as PhasePlan[],
  } as unknown as RunPlan;
  it('counts waits and rate-limited connects and publishes; nothing for what the plan cannot say', () => {
    const phases = [
      { kind: 'connect', groups: [{ name: 'devices', ratePerSec: 500 }, { name: 'backend' }] },
      { kind: 'wait', durationMs: 1500 },
      { kind: 'publish', from: 'backend', to: 'devices', perTarget: 20, qos: 1, ratePerSec: 10_000 },
      { kind: 'drain', timeoutMs: 30_000 },
    ] as unknown as PhasePlan[];
    assert.deepEqual(phases.map((p) => phaseEstimateMs(p, run)), [2000, 1500, 2000, null]);
    assert.equal(runEstimateMs({ ...run, phases }), 5500);
    assert.equal(runEstimateMs({ ...run, phases: [phases[3]!] }), null);
    assert.equal(phaseEstimateMs({ kind: 'measure', label: 'x', settleMs: 3000 } as unknown as PhasePlan, run), 3000, 'a settle before a reading');
  });
});
