import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentsRequest, hostPort } from '../../../src/cli/agent-flags.js';
import { isHarnessError } from '../../../src/errors.js';

const refused = (code: string, message: string) => (err: unknown) => isHarnessError(err) && err.code === code && err.message === message;
const env = { MQTT_CHAOS_TOKEN: 't' };

describe('agent flags', () => {
  it('--agents N: local agents; neither flag: none', () => {
    assert.deepEqual(agentsRequest({ agents: 3 }, env), { kind: 'local', count: 3 });
    assert.equal(agentsRequest({}, env), undefined);
  });

  it('--listen on loopback with --expect-agents and a token', () => {
    assert.deepEqual(agentsRequest({ listen: '127.0.0.1:7883', 'expect-agents': 2 }, env), { kind: 'listen', host: '127.0.0.1', port: 7883, expect: 2, token: 't' });
    assert.deepEqual(agentsRequest({ listen: '[::1]:0', 'expect-agents': 1 }, env), { kind: 'listen', host: '::1', port: 0, expect: 1, token: 't' });
  });

  it('outside loopback only with --allow-remote (E_REMOTE_TARGET, exit 2)', () => {
    assert.throws(() => agentsRequest({ listen: '0.0.0.0:7883', 'expect-agents': 2 }, env), refused('E_REMOTE_TARGET', '--listen 0.0.0.0:7883: agents would join from outside loopback; add --allow-remote to listen there'));
    assert.deepEqual(agentsRequest({ listen: '10.1.2.3:7883', 'expect-agents': 2, 'allow-remote': true }, env), { kind: 'listen', host: '10.1.2.3', port: 7883, expect: 2, token: 't' });
  });

  it('each misuse in one line', () => {
    assert.throws(() => agentsRequest({ agents: 2, listen: '127.0.0.1:1', 'expect-agents': 1 }, env), refused('E_USAGE', '--agents starts local agents, --listen waits for remote ones: use one of them'));
    assert.throws(() => agentsRequest({ 'expect-agents': 2 }, env), refused('E_USAGE', '--expect-agents needs --listen HOST:PORT for the agents to join'));
    assert.throws(() => agentsRequest({ listen: '127.0.0.1:1' }, env), refused('E_USAGE', '--listen 127.0.0.1:1: say how many agents to wait for with --expect-agents N'));
    assert.throws(() => agentsRequest({ listen: '127.0.0.1:1', 'expect-agents': 1 }, {}), refused('E_USAGE', '--listen: set MQTT_CHAOS_TOKEN to the token the agents join with (the same on every agent)'));
    assert.throws(() => agentsRequest({ agents: 0 }, env), refused('E_USAGE', '--agents 0: write a whole number from 1 to 1024'));
    assert.throws(() => hostPort('nohost', '--join'), refused('E_USAGE', '--join nohost: write HOST:PORT, e.g. 127.0.0.1:7883'));
  });
});
