import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandPlan } from '../../../src/scenario/expand.js';
import { parseScenario } from '../../../src/scenario/load.js';
import { problemLines } from './support.js';

const GROUPS = `name: t
groups:
  devices: { count: 2, role: subscriber, topic: "d/{i}" }
  backend: { count: 1, role: publisher }
phases:
`;

function problems(phases: string): string[] {
  return problemLines(GROUPS + phases).map((l) => l.replace(/^x\.yaml:/, ''));
}

describe('takeover fault', () => {
  it('is done at its heal: the heal phase names the groups and the close limit (default 5 s)', () => {
    const text = `${GROUPS}  - connect: {}
  - subscribe: {}
  - fault: { kind: takeover, groups: [devices] }
  - heal: {}
  - disconnect: {}
  - connect: {}
  - fault: { kind: takeover, groups: [devices], closeWithin: 2s }
  - heal: {}
`;
    const plan = expandPlan(parseScenario(text, 'x.yaml'), 'x.yaml', {});
    const phases = plan.runs[0]!.phases;
    assert.deepEqual(phases[2], { kind: 'fault', groups: ['devices'], fault: { kind: 'takeover', closeWithinMs: 5000 } });
    assert.deepEqual(phases[3], { kind: 'heal', groups: ['devices'], takeover: { groups: ['devices'], closeWithinMs: 5000 } });
    assert.deepEqual(phases[7], { kind: 'heal', groups: ['devices'], takeover: { groups: ['devices'], closeWithinMs: 2000 } });
  });

  it('moves subscriber groups only, not on top of another fault, and no proxy fault (another takeover included) reaches a group it moved until it connects again', () => {
    assert.deepEqual(
      problems(`  - connect: {}
  - fault: { kind: takeover, groups: [backend] }
  - fault: { kind: cut, groups: [devices] }
  - fault: { kind: takeover, groups: [devices] }
  - heal: {}
  - fault: { kind: takeover, groups: [devices] }
  - fault: { kind: latency, groups: [devices], latency: 1s }
  - heal: {}
  - fault: { kind: cut, groups: [devices] }
  - disconnect: { groups: [devices] }
  - connect: { groups: [devices] }
  - fault: { kind: cut, groups: [devices] }
`),
      [
        '7:39: phases[1].fault.groups[0]: a takeover moves subscriber groups only: group backend is a publisher (its unacknowledged publishes would stay behind on the first connection)',
        '9:39: phases[3].fault.groups[0]: group devices already has a fault here: heal it before a takeover',
        '11:39: phases[5].fault.groups[0]: group devices moved straight to the broker in the takeover healed at phases[4], so a proxy fault would not reach it: disconnect and connect it again first',
        '12:38: phases[6].fault.groups[0]: group devices is in a takeover here: heal it first',
        '14:34: phases[8].fault.groups[0]: group devices moved straight to the broker in the takeover healed at phases[7], so a proxy fault would not reach it: disconnect and connect it again first',
      ],
    );
  });
});
