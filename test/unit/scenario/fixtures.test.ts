import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadScenario } from '../../../src/scenario/load.js';
import { ScenarioError } from '../../../src/scenario/problems.js';
import { fixture, FIXTURES, problemLines } from './support.js';

/** Each invalid fixture with every line it must produce, in order: file:line:column: path: message. */
const EXPECTED: Record<string, string[]> = {
  'yaml-syntax.yaml': ['yaml-syntax.yaml:6:1: Flow sequence in block collection must be sufficiently indented and end with a ]'],
  'unknown-key.yaml': [
    'unknown-key.yaml:7:5: groups.devices.sesion: unknown key (did you mean "session"?)',
    'unknown-key.yaml:9:5: phases[0].conect: unknown key (did you mean "connect"?)',
  ],
  'wrong-type.yaml': [
    'wrong-type.yaml:4:12: groups.devices.count: must be an integer 1..1000000 (got "many")',
    'wrong-type.yaml:7:23: groups.devices.session.clean: must be true or false (got "no")',
    'wrong-type.yaml:7:37: groups.devices.session.expiry: must be an integer 0..4294967295 or never (got "1h")',
    'wrong-type.yaml:8:10: groups.devices.qos: must be 0, 1 or 2 (got 3)',
  ],
  'missing-required.yaml': [
    'missing-required.yaml:3:3: groups.devices.role: is required (subscriber or publisher)',
    'missing-required.yaml:8:5: phases[1].fault.kind: is required (cut, partition, reset, takeover, latency, bandwidth, toxic or broker-restart)',
  ],
  'negative-count.yaml': ['negative-count.yaml:4:12: groups.devices.count: must be an integer 1..1000000 (got -3)'],
  'undefined-group.yaml': [
    'undefined-group.yaml:9:27: phases[1].subscribe.groups[0]: undefined group "devics" (did you mean "devices"?)',
  ],
  'bad-duration.yaml': [
    'bad-duration.yaml:7:16: groups.devices.keepAlive: add a unit, e.g. "30s" (got 30)',
    'bad-duration.yaml:9:22: phases[0].connect.rate: add a unit, e.g. "500/s" (got 500)',
    'bad-duration.yaml:10:11: phases[1].wait: must be a duration with a unit, e.g. 250ms, 2s, 1.5m (got "2sec")',
  ],
  'bad-expression.yaml': [
    'bad-expression.yaml:10:30: expect[0]: redelivery.latency.p99 is a duration: add a unit such as 2s',
    'bad-expression.yaml:11:6: expect[1]: unknown metric "redelivery.lots" (did you mean "redelivery.lost"?)',
    'bad-expression.yaml:12:21: expect[2]: expected an operator (== != < <= > >=) after redelivery.lost (use == to compare)',
  ],
  'protocols-and-matrix.yaml': [
    'protocols-and-matrix.yaml:3:1: matrix: give either protocols or matrix, not both (matrix entries name their protocol)',
  ],
  'publish-unsubscribed.yaml': [
    'publish-unsubscribed.yaml:12:35: phases[1].publish.to: group devices has not subscribed before this phase: add a subscribe phase',
  ],
  'publish-target.yaml': [
    'publish-target.yaml:17:22: phases[2].publish.from: group devices is a subscriber group: publish from a publisher group',
    'publish-target.yaml:17:35: phases[2].publish.to: group devices subscribes to a wildcard filter ("fleet/+/cmd"): a publish target needs a plain topic',
    'publish-target.yaml:18:35: phases[3].publish.to: group monitor has 3 clients on one topic ("fleet/all"): add {i} so each target is a distinct topic',
  ],
  'matrix-override.yaml': [
    'matrix-override.yaml:9:9: matrix[1].override.groups.extra.role: is required (subscriber or publisher)',
    'matrix-override.yaml:10:57: matrix[1].expect[1]: latency.e2e.p99 is a duration: add a unit such as 2s',
    'matrix-override.yaml:15:12: groups.devices.topic: only subscriber groups take a topic: publishers send to the topics of their publish.to group (in run "v5-publishers")',
    'matrix-override.yaml:22:35: phases[2].publish.to: group devices is a publisher group: publish to a subscriber group (in run "v5-publishers")',
  ],
  'many-problems.yaml': [
    'many-problems.yaml:1:7: name: must be lowercase letters, digits and "-" (got "Many_Problems")',
    'many-problems.yaml:2:9: broker: must be auto, managed-mosquitto, embedded-aedes, a map with url or a map with mosquitto (got "managed-mosqitto") (did you mean "managed-mosquitto"?)',
    'many-problems.yaml:5:12: groups.devices.count: must be an integer 1..1000000 (got 0)',
    'many-problems.yaml:11:11: groups.monitor.role: must be subscriber or publisher (got "listener")',
    'many-problems.yaml:19:35: phases[2].publish.to: group backend is a publisher group: publish to a subscriber group',
    'many-problems.yaml:20:20: phases[3].fault.kind: must be cut, partition, reset, takeover, latency, bandwidth, toxic or broker-restart (got "cutt") (did you mean "cut"?)',
    'many-problems.yaml:21:11: phases[4].wait: add a unit, e.g. "2s" (got 2)',
    'many-problems.yaml:23:28: phases[6].disconnect.groups[0]: undefined group "monitr" (did you mean "monitor"?)',
    'many-problems.yaml:25:31: expect[0]: redelivery.latency.p99 is a duration: "KB" is not one of its units (us, ms, s, m, h)',
  ],
};

describe('invalid scenario fixtures', () => {
  for (const [name, lines] of Object.entries(EXPECTED)) {
    it(`${name}: every problem, with line, column and path`, () => {
      assert.deepEqual(problemLines(fixture(name), name), lines);
    });
  }

  it('loadScenario throws one ScenarioError (E_SCENARIO, exit 2) whose message is the lines', () => {
    const file = `${FIXTURES}many-problems.yaml`;
    assert.throws(
      () => loadScenario(file),
      (err: unknown) => {
        assert.ok(err instanceof ScenarioError);
        assert.equal(err.code, 'E_SCENARIO');
        assert.equal(err.exitCode, 2);
        assert.equal(err.problems.length, 9);
        const lines = err.message.split('\n');
        assert.equal(lines.length, 9);
        assert.ok(lines.every((l) => l.startsWith(`${file}:`)));
        assert.ok(!err.message.includes('    at '), 'no stack trace in the message');
        return true;
      },
    );
  });

  it('a missing file is one line naming it', () => {
    assert.throws(() => loadScenario('no/such/scenario.yaml'), {
      code: 'E_SCENARIO',
      message: 'no/such/scenario.yaml: cannot read the scenario: no such file',
    });
  });
});
