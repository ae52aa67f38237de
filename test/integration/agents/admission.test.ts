/**
 * Who gets a place among the agents a coordinator expects: only peers that prove the
 * token. Connections that never say anything do not take places from real agents, and an
 * agent past the number expected is refused with one line saying so.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { runAgent } from '../../../src/engine/agent.js';
import { AgentFleet } from '../../../src/engine/agent-fleet.js';
import { useTeardown } from '../../helpers/teardown.js';

describe('agents: admission', () => {
  it('silent connections take no place; the expected agent joins; one more is refused', async (t) => {
    const td = useTeardown(t);
    const token = 'admission-token';
    const lines: string[] = [];
    let port = 0;
    const gathering = AgentFleet.gather({ host: '127.0.0.1', port: 0, token, expect: 1, log: (l) => void lines.push(l), signal: new AbortController().signal, onListening: (p) => void (port = p) });
    while (port === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const silent: Socket[] = [];
    td.add('silent sockets', () => silent.forEach((s) => s.destroy()));
    for (let i = 0; i < 3; i++) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      silent.push(socket);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const agentLines: string[] = [];
    const first = runAgent({ host: '127.0.0.1', port, token, log: (l) => void agentLines.push(l), signal: new AbortController().signal });
    const fleet = await gathering;
    assert.equal(fleet.size, 1, lines.join('\n'));
    assert.deepEqual(agentLines, [`joined 127.0.0.1:${port} as agent 1`]);

    const extra = await runAgent({ host: '127.0.0.1', port, token, log: () => undefined, signal: new AbortController().signal });
    assert.deepEqual(extra, { kind: 'refused', reason: 'the run already has the 1 agent it expected' });

    await fleet.close();
    assert.deepEqual(await first, { kind: 'bye' });
  });
});
