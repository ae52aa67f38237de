/**
 * The clock offset an agent is measured with is the real one. Two processes on one host
 * share the wall clock, so the offset between their performance.now() clocks is known
 * independently: the difference of their time origins. The NTP-style measurement over the
 * link must agree with it within the bound it reports (plus 1 ms for the origins' own
 * rounding), and its bound is half a round trip, so never negative.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bringUpAgents } from '../../../src/engine/agents-setup.js';
import { useTeardown } from '../../helpers/teardown.js';
import { childrenOf } from '../run/support.js';

describe('agents: clock offset', () => {
  it('2 local agents: the measured offset matches the time origins, within its bound', async (t) => {
    const td = useTeardown(t);
    const before = new Set(childrenOf(process.pid));
    const lines: string[] = [];
    const agents = await bringUpAgents({ kind: 'local', count: 2 }, (l) => void lines.push(l), new AbortController().signal);
    td.add('agents', () => agents.stop());
    for (const { connection, clock } of agents.fleet.agents) {
      const truth = connection.info.timeOrigin - performance.timeOrigin;
      assert.ok(clock.uncertaintyMs >= 0);
      assert.ok(Math.abs(clock.offsetMs - truth) <= clock.uncertaintyMs + 1, `${connection.name}: measured ${clock.offsetMs} ± ${clock.uncertaintyMs} ms, origins say ${truth} ms`);
    }
    await agents.fleet.measureClocks();
    for (const { connection, clock } of agents.fleet.agents) {
      assert.ok(Math.abs(clock.offsetMs - (connection.info.timeOrigin - performance.timeOrigin)) <= clock.uncertaintyMs + 1, 'measured again at a run start');
    }
    await agents.stop();
    assert.deepEqual(childrenOf(process.pid).filter((p) => !before.has(p)), [], `no agent left:\n${lines.join('\n')}`);
  });
});
