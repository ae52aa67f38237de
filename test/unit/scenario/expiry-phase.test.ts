import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandPlan } from '../../../src/scenario/expand.js';
import { parseScenario } from '../../../src/scenario/load.js';
import type { MeasureExpiryPhase } from '../../../src/scenario/plan.js';
import { problemLines } from './support.js';

/** Phases start on line 9. */
const HEAD = `name: t
protocols: ["5"]
groups:
  devices: { count: 4, role: subscriber, topic: "d/{i}", session: { clean: false, expiry: 5 }, keepAlive: 5s }
  direct: { count: 2, role: subscriber, topic: "x/{i}", via: direct, session: { expiry: 5 } }
  zero: { count: 2, role: subscriber, topic: "z/{i}" }
  backend: { count: 1, role: publisher }
phases:
`;

function problems(phases: string, edit: (text: string) => string = (t) => t): string[] {
  return problemLines(edit(HEAD + phases)).map((l) => l.replace(/^x\.yaml:/, ''));
}

function phaseOf(phases: string, edit: (text: string) => string = (t) => t): MeasureExpiryPhase {
  const text = edit(HEAD + phases);
  const phase = expandPlan(parseScenario(text, 'x.yaml'), 'x.yaml').runs[0]!.phases.find((p) => p.kind === 'measure-expiry');
  assert.ok(phase);
  return phase as MeasureExpiryPhase;
}

describe('measure-expiry: defaults', () => {
  it('all graceful, 20% probed, windows around E, a Will Delay beyond the latest end, 10 s bound', () => {
    const phase = phaseOf('  - measure-expiry: { groups: [devices] }\n');
    assert.deepEqual(phase.closes, { graceful: 1, abrupt: 0, partition: 0 });
    assert.equal(phase.probeShare, 0.2);
    assert.deepEqual(phase.windows.devices!.graceful, { fromMs: -1000, toMs: 2000 });
    // keep-alive 5 s: 1.5 x 5 s - 1 s .. 1.5 x 5 s + 8 s (Mosquitto's ~6 s sweep, whole seconds).
    assert.deepEqual(phase.windows.devices!.partition, { fromMs: 6500, toMs: 15_500 });
    // The latest a graceful session may end: E 5 s + spread 2 s + neverAfter 10 s = 17 s; then 60 s more.
    assert.equal(phase.willDelay, 77);
    assert.equal(phase.neverAfterMs, 10_000);
    assert.equal(phase.spreadMs, 2000);
    assert.equal(phase.syncKeepAlive, true);
  });

  it('a partition lengthens the Will Delay by 1.5 x keep-alive; given windows apply to every group', () => {
    const phase = phaseOf('  - measure-expiry: { groups: [devices], closes: { graceful: 25%, partition: 75% }, probes: { share: 0%, graceful: { from: -500ms, to: 1.5s } } }\n');
    assert.deepEqual(phase.closes, { graceful: 0.25, abrupt: 0, partition: 0.75 });
    assert.equal(phase.willDelay, 23 + 60);
    assert.deepEqual(phase.windows.devices!.graceful, { fromMs: -500, toMs: 1500 });
    assert.equal(phase.probeShare, 0);
  });

  it('with session expiry 0 the Will Delay is 0 and probes start at the close', () => {
    const phase = phaseOf('  - measure-expiry: { groups: [zero], disconnectExpiry: 30 }\n');
    assert.equal(phase.willDelay, 0);
    assert.equal(phase.disconnectExpiry, 30);
    assert.deepEqual(phase.windows.zero!.graceful, { fromMs: -0, toMs: 2000 });
  });
});

describe('measure-expiry: problems, one line each', () => {
  it('shares must add up to 100% and be percentages; a way of closing must exist', () => {
    assert.deepEqual(problems('  - measure-expiry: { groups: [devices], closes: { graceful: 50%, partition: 40% } }\n'), [
      '9:50: phases[0].measure-expiry.closes: the shares add up to 90%: they must add up to 100%',
    ]);
    assert.deepEqual(problems('  - measure-expiry: { groups: [devices], closes: { graceful: 0.5 } }\n'), [
      '9:62: phases[0].measure-expiry.closes.graceful: must be a percentage, e.g. 50% (got 0.5)',
    ]);
    assert.deepEqual(problems('  - measure-expiry: { groups: [devices], closes: gracefull }\n'), [
      '9:50: phases[0].measure-expiry.closes: must be graceful, abrupt, partition or a map (got "gracefull") (did you mean "graceful"?)',
    ]);
  });

  it('groups: defined, subscribers, not connected earlier', () => {
    assert.deepEqual(problems('  - connect: { groups: [devices] }\n  - measure-expiry: { groups: [devices, backend, devics] }\n'), [
      '10:32: phases[1].measure-expiry.groups[0]: group devices is connected here: measure-expiry connects the sessions itself (each with a Will), so measure a group no earlier phase connects',
      '10:41: phases[1].measure-expiry.groups[1]: group backend is a publisher group: measure-expiry measures subscriber groups (sessions that hold a subscription)',
      '10:50: phases[1].measure-expiry.groups[2]: undefined group "devics" (did you mean "devices"?)',
    ]);
  });

  it('a partition needs the proxy and a keep-alive', () => {
    assert.deepEqual(problems('  - measure-expiry: { groups: [direct], closes: partition }\n'), [
      '9:32: phases[0].measure-expiry.groups[0]: group direct connects with via: direct, and a partition acts on the fault proxy',
    ]);
    assert.deepEqual(
      problems('  - measure-expiry: { groups: [devices], closes: partition }\n', (t) => t.replace('keepAlive: 5s', 'keepAlive: 0s')),
      ['9:32: phases[0].measure-expiry.groups[0]: group devices has keepAlive 0s: the broker would never notice a silent partition, so its sessions would never end; set keepAlive (e.g. 5s)'],
    );
  });

  it('an expiry of never has nothing to measure; expiry 0 and an expiry cannot share the Will Delay', () => {
    assert.deepEqual(
      problems('  - measure-expiry: { groups: [devices] }\n', (t) => t.replace('expiry: 5 }, keepAlive', 'expiry: never }, keepAlive')),
      ['9:32: phases[0].measure-expiry.groups[0]: group devices has session.expiry never: a session that never expires has nothing to measure; set session.expiry (e.g. 5)'],
    );
    assert.deepEqual(problems('  - measure-expiry: { groups: [devices, zero] }\n'), [
      '9:31: phases[0].measure-expiry.groups: zero (session.expiry 0) and devices (an expiry) cannot share a measure-expiry phase: every client needs the same Will Delay, and with expiry 0 it must be 0 (Mosquitto holds a will its full delay even when the session ends at once); measure them in separate scenarios',
    ]);
  });

  it('a Will Delay must outlast every session, or a will would mark the delay, not the end', () => {
    assert.deepEqual(problems('  - measure-expiry: { groups: [devices], closes: { graceful: 50%, partition: 50% }, willDelay: 10 }\n'), [
      "9:96: phases[0].measure-expiry.willDelay: must be longer than 23 s, the latest a session may end here (expiry, keep-alive for a partition, neverAfter), so a will marks the session's end, not its delay",
    ]);
  });

  it('probes: a share up to 100%, windows that run forward, for ways of closing in use', () => {
    assert.deepEqual(problems('  - measure-expiry: { groups: [devices], probes: { share: 120%, graceful: { from: 2s, to: -1s }, partition: { from: 0s, to: 1s } } }\n'), [
      '9:59: phases[0].measure-expiry.probes.share: must be at most 100%',
      '9:91: phases[0].measure-expiry.probes.graceful.to: must come after from (2s)',
      '9:98: phases[0].measure-expiry.probes.partition: no session closes by partition here (see closes)',
    ]);
  });

  it('disconnectExpiry needs graceful closes; one phase per scenario; maxWait bounds the wait', () => {
    assert.deepEqual(problems('  - measure-expiry: { groups: [devices], closes: abrupt, disconnectExpiry: 10 }\n'), [
      '9:58: phases[0].measure-expiry.disconnectExpiry: applies to graceful closes (DISCONNECT), and closes has none',
    ]);
    assert.deepEqual(problems('  - measure-expiry: { groups: [devices] }\n  - measure-expiry: { groups: [direct] }\n'), [
      '10:21: phases[1].measure-expiry: only one measure-expiry phase per scenario (phase 1 is one): name several groups in it instead',
    ]);
    assert.deepEqual(problems('  - measure-expiry: { groups: [devices], maxWait: 10s }\n'), [
      '9:5: phases[0].measure-expiry: the measurement would wait up to 17 s (the longest expiry, keep-alive and neverAfter), more than maxWait (10 s): raise maxWait or shorten session.expiry',
    ]);
  });

  it('a typo in a key gets a suggestion', () => {
    assert.deepEqual(problems('  - measure-expiry: { groups: [devices], probe: { share: 10% } }\n'), [
      '9:42: phases[0].measure-expiry.probe: unknown key (did you mean "probes"?)',
    ]);
  });
});

describe('expectations on expiry metrics', () => {
  it('a bad expression gets one clear line: a missing unit, a misspelt metric, a unit on a count', () => {
    const lines = problems('  - measure-expiry: { groups: [devices] }\nexpect:\n  - expiry.errorP99 < 1500\n  - expiry.erorP99 <= 1s\n  - expiry.early == 0ms\n');
    assert.deepEqual(lines, [
      '11:23: expect[0]: expiry.errorP99 is a duration: add a unit such as 2s',
      '12:5: expect[1]: unknown metric "expiry.erorP99" (did you mean "expiry.errorP99"?)',
      '13:22: expect[2]: expiry.early is a count: remove the unit "ms"',
    ]);
  });

  it('good ones parse into the plan, durations in ms', () => {
    const text = `${HEAD}  - measure-expiry: { groups: [devices] }\nexpect: ["expiry.errorP99 <= 1.5s", "expiry.detectionP99 < 20s", "expiry.never == 0"]\n`;
    const expect = expandPlan(parseScenario(text, 'x.yaml'), 'x.yaml').runs[0]!.expect;
    assert.deepEqual(
      expect.map((e) => [e.metric, e.op, e.value, e.unit]),
      [
        ['expiry.errorP99', '<=', 1500, 'ms'],
        ['expiry.detectionP99', '<', 20_000, 'ms'],
        ['expiry.never', '==', 0, 'count'],
      ],
    );
  });
});
