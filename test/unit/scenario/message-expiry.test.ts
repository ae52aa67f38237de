import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandPlan } from '../../../src/scenario/expand.js';
import { parseScenario } from '../../../src/scenario/load.js';
import type { PublishPhase } from '../../../src/scenario/plan.js';
import { BASE, problemLines } from './support.js';

const withExpiry = (value: string) => BASE.replace('perTarget: 2 }', `perTarget: 2, messageExpiry: ${value} }`);

describe('publish messageExpiry', () => {
  it('is whole seconds, at least 1s: anything else is named with its line', () => {
    for (const bad of ['1.5s', '0s', '500ms']) {
      assert.deepEqual(problemLines(withExpiry(bad)), [
        'x.yaml:13:73: phases[2].publish.messageExpiry: must be whole seconds, at least 1s (the Message Expiry Interval is an integer of seconds; 0 would mean none)',
      ], bad);
    }
    assert.deepEqual(problemLines(withExpiry('2m')), []);
  });

  it('is sent under MQTT 5 and left out, with a note, under 3.1.1', () => {
    const plan = expandPlan(parseScenario(withExpiry('90s'), 'e.yaml'), 'e.yaml');
    const publishOf = (id: string) => plan.runs.find((r) => r.id === id)!.phases.find((p): p is PublishPhase => p.kind === 'publish')!;
    assert.equal(publishOf('5').messageExpirySec, 90);
    assert.equal(publishOf('3.1.1').messageExpirySec, undefined);
    const notes = (id: string) => plan.runs.find((r) => r.id === id)!.notes.filter((n) => n.includes('messageExpiry'));
    assert.deepEqual(notes('5'), []);
    assert.deepEqual(notes('3.1.1'), [
      'phases[2].publish.messageExpiry ignored for MQTT 3.1.1 (it has no Message Expiry Interval: the broker keeps a queued message until it is delivered, however old)',
    ]);
  });
});
