import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { scenarioProblems } from '../../../src/scenario/check.js';
import { loadScenario, parseScenario } from '../../../src/scenario/load.js';
import { formatProblem } from '../../../src/scenario/problems.js';
import { nameToken } from '../../../src/scenario/topic-names.js';
import { parseYaml } from '../../../src/scenario/yaml-positions.js';
import { problemLines } from './support.js';

const SHIPPED = fileURLToPath(new URL('../../../../scenarios/', import.meta.url));

/** Every line the check reports for `text`, warnings and errors, as the CLI prints them. */
function lines(text: string): string[] {
  const parsed = parseYaml(text, 't.yaml');
  assert.ok(parsed.ok);
  return scenarioProblems(parsed.doc, 't.yaml').map(formatProblem);
}

/** A scenario whose `devices` subscribe to `topic` and are published to. Its topic is on line 6. */
function withTopic(topic: string, extra = ''): string {
  return `name: t
groups:
  devices:
    count: 4
    role: subscriber
    topic: "${topic}"
  backend:
    count: 1
    role: publisher
${extra}phases:
  - connect: {}
  - subscribe: {}
  - publish: { from: backend, to: devices, perTarget: 2 }
`;
}

const DOT = '"." is refused by NATS Server\'s MQTT before 2.10, and RabbitMQ and ActiveMQ map it to and from "/" (their level separator): use "_" or "-"';

describe('nameToken: what {run} writes into topics and client ids', () => {
  it('turns the dots of a run id into "_", and leaves other ids alone', () => {
    assert.equal(nameToken('3.1.1-cleansession-0'), '3_1_1-cleansession-0');
    assert.equal(nameToken('3.1.1'), '3_1_1');
    assert.equal(nameToken('5-no-expiry'), '5-no-expiry');
  });
});

describe('topic warnings: legal MQTT that common brokers refuse', () => {
  it('a "." in a topic, at its column', () => {
    assert.deepEqual(lines(withTopic('fleet.v2/{i}')), [`t.yaml:6:18: warning: groups.devices.topic: ${DOT}`]);
  });

  it('whitespace in a topic', () => {
    assert.deepEqual(lines(withTopic('fleet/my devices/{i}')), [
      't.yaml:6:21: warning: groups.devices.topic: whitespace is refused by NATS Server\'s MQTT (a subject holds none)',
    ]);
  });

  it('a leading "$" in a filter nobody publishes to; $share/ is a shared subscription and left alone', () => {
    const monitor = (topic: string) => withTopic('fleet/{i}').replace('  backend:', `  monitor:\n    count: 1\n    role: subscriber\n    topic: "${topic}"\n  backend:`);
    assert.deepEqual(lines(monitor('$SYS/broker/#')), [
      't.yaml:10:13: warning: groups.monitor.topic: a topic starting with "$" is the broker\'s own (MQTT §4.7.2, e.g. $SYS, AWS IoT\'s $aws): brokers refuse or restrict clients\' use of it',
    ]);
    assert.deepEqual(lines(monitor('$share/g/fleet/+')), []);
  });

  it('more than 7 "/" (AWS IoT Core)', () => {
    assert.deepEqual(lines(withTopic('a/b/c/d/e/f/g/h/{i}')), [
      't.yaml:6:12: warning: groups.devices.topic: has 8 "/" (9 levels): AWS IoT Core refuses topics with more than 7 "/"',
    ]);
    assert.deepEqual(lines(withTopic('a/b/c/d/e/f/g/{i}')), [], '7 "/" is fine');
  });

  it('over 256 bytes once filled, with the longest run id and the highest {i} (AWS IoT Core)', () => {
    // 240 + "/" + "3_1_1" + "/" + "3" (count 4: {i} up to 3) = 248 bytes: fine; 250 gives 258.
    assert.deepEqual(lines(withTopic(`${'x'.repeat(240)}/{run}/{i}`)), []);
    assert.deepEqual(lines(withTopic(`${'x'.repeat(250)}/{run}/{i}`)), [
      't.yaml:6:12: warning: groups.devices.topic: is up to 258 bytes once filled: AWS IoT Core refuses topics over 256 bytes',
    ]);
  });

  it('placeholders are not text: {run} of a dotted run id, {group}, {i}', () => {
    assert.deepEqual(lines(withTopic('fleet/{group}/{run}/{i}', 'protocols: ["3.1.1", "5"]\n')), []);
  });

  it('one warning per topic, though every run of the matrix uses it', () => {
    const matrix = 'matrix:\n  - { protocol: "3.1.1" }\n  - { protocol: "5", id: 5-a }\n  - { protocol: "5", id: 5-b }\n';
    assert.deepEqual(lines(withTopic('fleet.v2/{i}', matrix)), [`t.yaml:6:18: warning: groups.devices.topic: ${DOT}`]);
  });

  it('a topic a matrix entry writes is warned about where the entry writes it', () => {
    const matrix = 'matrix:\n  - protocol: "5"\n    override: { groups: { devices: { topic: "v.5/{i}" } } }\n';
    assert.deepEqual(lines(withTopic('fleet/{i}', matrix)), [`t.yaml:12:47: warning: matrix[0].override.groups.devices.topic: ${DOT}`]);
  });

  it('warnings do not stop a scenario; beside an error they are listed with it', () => {
    assert.equal(parseScenario(withTopic('fleet.v2/{i}'), 't.yaml').name, 't');
    assert.deepEqual(problemLines(withTopic('fleet.v2/{i}').replace('perTarget: 2', 'perTarget: 0'), 't.yaml'), [
      `t.yaml:6:18: warning: groups.devices.topic: ${DOT}`,
      't.yaml:13:55: phases[2].publish.perTarget: must be an integer 1..1000000 (got 0)',
    ]);
  });
});

describe('topic errors: what no broker takes', () => {
  it('a wildcard in a topic that is published to', () => {
    assert.deepEqual(lines(withTopic('fleet/+/cmd').replace('count: 4', 'count: 1')), [
      't.yaml:13:35: phases[2].publish.to: group devices subscribes to a wildcard filter ("fleet/+/cmd"): a publish target needs a plain topic',
    ]);
  });

  it('NUL', () => {
    assert.deepEqual(lines(withTopic('fleet/\\0/{i}')), ['t.yaml:6:12: groups.devices.topic: must not contain the NUL character']);
  });
});

describe('the shipped scenarios', () => {
  it('warn about nothing: every topic and client id is one every broker takes', () => {
    const files = readdirSync(SHIPPED).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 6, `${files.length} scenarios in ${SHIPPED}`);
    for (const file of files) {
      const { plan, warnings } = loadScenario(join(SHIPPED, file));
      assert.deepEqual(warnings.map(formatProblem), [], file);
      for (const group of plan.runs.flatMap((r) => r.groups)) {
        for (const name of [group.clientId, group.topic ?? '']) assert.match(name, /^[A-Za-z0-9_/{}-]*$/, `${file}: ${name}`);
      }
    }
  });
});
