import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandPlan } from '../../../src/scenario/expand.js';
import { parseScenario } from '../../../src/scenario/load.js';
import { problemLines } from './support.js';

const GROUPS = `name: t
groups:
  devices: { count: 2, role: subscriber, topic: "d/{i}" }
  backend: { count: 1, role: publisher }
  direct: { count: 1, role: subscriber, topic: "x/{i}", via: direct }
phases:
`;

/** Problems of a phase list written after GROUPS (line 7 on). */
function problems(phases: string): string[] {
  return problemLines(GROUPS + phases).map((l) => l.replace(/^x\.yaml:/, ''));
}

describe('phase order', () => {
  it('a subscribe, publish, fault or disconnect needs its group connected first', () => {
    assert.deepEqual(
      problems(`  - subscribe: { groups: [devices] }
  - fault: { kind: cut, groups: [devices] }
  - disconnect: { groups: [devices] }
  - connect: { groups: [devices] }
  - subscribe: {}
  - publish: { from: backend, to: devices, perTarget: 1 }
`),
      [
        '7:27: phases[0].subscribe.groups[0]: group devices is not connected here: connect it in an earlier phase',
        '8:34: phases[1].fault.groups[0]: group devices is not connected here: connect it in an earlier phase',
        '9:28: phases[2].disconnect.groups[0]: group devices is not connected here: connect it in an earlier phase',
        '12:22: phases[5].publish.from: group backend is not connected here: connect it in an earlier phase',
      ],
    );
  });

  it('connect twice, heal without a fault, drain before any publish are errors', () => {
    assert.deepEqual(
      problems(`  - connect: {}
  - connect: { groups: [backend] }
  - heal: { groups: [devices] }
  - heal:
  - drain:
`),
      [
        '8:25: phases[1].connect.groups[0]: group backend is already connected here',
        '9:22: phases[2].heal.groups[0]: group devices has no active fault here',
        '10:5: phases[3].heal: no fault is active here',
        '11:5: phases[4].drain: nothing to drain: no publish phase comes before it',
      ],
    );
  });

  it('roles and via are checked where groups are used', () => {
    assert.deepEqual(
      problems(`  - connect: {}
  - subscribe: { groups: [backend] }
  - fault: { kind: partition, groups: [direct] }
`),
      [
        '8:27: phases[1].subscribe.groups[0]: group backend is a publisher: only subscriber groups subscribe',
        '9:40: phases[2].fault.groups[0]: group direct connects with via: direct, and faults act on the proxy',
      ],
    );
  });

  it('a phase the schema rejects does not cascade into order errors', () => {
    assert.deepEqual(
      problems(`  - conect: {}
  - subscribe: { groups: [devices] }
`),
      ['7:5: phases[0].conect: unknown key (did you mean "connect"?)'],
    );
  });

  it('a broken group is not reported again as undefined or unconnected', () => {
    const text = GROUPS.replace('count: 2, role: subscriber', 'count: 0, role: subscriber') + '  - subscribe: { groups: [devices] }\n';
    assert.deepEqual(problemLines(text), ['x.yaml:3:21: groups.devices.count: must be an integer 1..1000000 (got 0)']);
  });
});

describe('phase defaults follow the state', () => {
  const text = `${GROUPS}  - connect: {}
  - subscribe:
  - fault: { kind: reset, groups: [devices, backend] }
  - publish: { from: backend, to: devices, perTarget: 3, qos: 2 }
  - heal:
  - disconnect: { groups: [backend] }
  - disconnect:
  - connect:
`;
  const phases = expandPlan(parseScenario(text, 'x.yaml'), 'x.yaml').runs[0]!.phases;

  it('connect: every group not connected; subscribe: connected subscribers', () => {
    assert.deepEqual(phases[0], { kind: 'connect', groups: [{ name: 'devices' }, { name: 'backend' }, { name: 'direct' }] });
    assert.deepEqual(phases[1], { kind: 'subscribe', groups: ['devices', 'direct'] });
  });

  it('heal: what is faulted; disconnect: what is connected; connect again: what is not', () => {
    assert.deepEqual(phases[4], { kind: 'heal', groups: ['devices', 'backend'] });
    assert.deepEqual(phases[6], { kind: 'disconnect', groups: ['devices', 'direct'], mode: 'graceful' });
    assert.deepEqual(phases[7], { kind: 'connect', groups: [{ name: 'devices' }, { name: 'backend' }, { name: 'direct' }] });
  });

  it('publish: qos as given, else the publisher group’s', () => {
    assert.equal(phases[3]!.kind === 'publish' && phases[3]!.qos, 2);
  });
});
