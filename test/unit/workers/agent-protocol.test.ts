import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asToAgent, newChallenge, proofMatches, proofOf } from '../../../src/workers/agent-protocol.js';

describe('agent protocol', () => {
  it('the proof is an HMAC of the nonce: right token matches, a wrong one, another nonce or a non-string does not', () => {
    const { nonce } = newChallenge();
    assert.equal(proofMatches('secret', nonce, proofOf('secret', nonce)), true);
    assert.equal(proofMatches('secret', nonce, proofOf('Secret', nonce)), false);
    assert.equal(proofMatches('secret', nonce, proofOf('secret', newChallenge().nonce)), false);
    assert.equal(proofMatches('secret', nonce, 42), false);
    assert.equal(proofMatches('secret', nonce, ''), false);
    assert.equal(proofMatches('secret', nonce, proofOf('secret', nonce, 'agent'), 'coordinator'), false, "one side's proof is not the other's");
    assert.equal(proofMatches('secret', nonce, proofOf('secret', nonce, 'coordinator'), 'coordinator'), true);
  });

  it('an agent acts only on the protocol\'s own messages', () => {
    assert.deepEqual(asToAgent({ kind: 'status', id: 1 }), { kind: 'status', id: 1 });
    for (const other of [{ kind: 'run-scenario', file: '/etc/passwd' }, { kind: 'eval', code: '1' }, 'status', null, [], {}]) assert.equal(asToAgent(other), undefined);
  });
});
