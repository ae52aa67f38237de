import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderPlanSummary } from '../../../src/cli/plan-summary.js';
import { expandPlan } from '../../../src/scenario/expand.js';
import { parseScenario } from '../../../src/scenario/load.js';

const TEXT = `name: t
groups:
  devices: { count: 2, role: subscriber, topic: "t/{i}", ackDelay: 20ms, session: { clean: false, expiry: 60, receiveMaximum: 10 } }
  backend: { count: 1, role: publisher }
phases:
  - connect: {}
`;

describe('plan summary: Receive Maximum and ackDelay', () => {
  it('shows both where set; 3.1.1 has no Receive Maximum to show', () => {
    const lines = renderPlanSummary(expandPlan(parseScenario(TEXT, 't.yaml'), 't.yaml'), 't.yaml').split('\n');
    assert.ok(lines.includes('  groups: devices 2 subscribers (QoS 1, persistent session, acks after 20 ms), backend 1 publisher (QoS 1, clean session)'), lines.join('\n'));
    assert.ok(
      lines.includes('  groups: devices 2 subscribers (QoS 1, persistent session, expiry 60 s, Receive Maximum 10, acks after 20 ms), backend 1 publisher (QoS 1, clean session)'),
      lines.join('\n'),
    );
  });
});
