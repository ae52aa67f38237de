import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupPlan } from '../../../src/scenario/plan.js';
import { clientOptions, oneLine } from '../../../src/workers/client-options.js';

const group = (session: Partial<GroupPlan>): GroupPlan => ({
  name: 'devices',
  count: 1,
  role: 'subscriber',
  clientId: 'dev-{i}',
  clean: false,
  sessionExpiry: 3600,
  keepAliveSec: 20,
  qos: 1,
  topic: 't/{i}',
  via: 'direct',
  reconnect: { backoff: 'fixed', delayMs: 100, jitterMs: 0 },
  ...session,
});
const endpoint = { host: '127.0.0.1', port: 1883 };

describe('clientOptions', () => {
  it('v5 persistent: Clean Start 0 with the Session Expiry Interval property', () => {
    const o = clientOptions({ clientId: 'dev-3', group: group({}), endpoint, protocol: '5' });
    assert.equal(o.protocolVersion, 5);
    assert.equal(o.clean, false);
    assert.deepEqual(o.properties, { sessionExpiryInterval: 3600 });
  });

  it('v5 expiry 0 leaves the property out (0 is the default); 3.1.1 never sends it', () => {
    assert.equal(clientOptions({ clientId: 'a', group: group({ sessionExpiry: 0 }), endpoint, protocol: '5' }).properties, undefined);
    const v3 = clientOptions({ clientId: 'a', group: group({ sessionExpiry: 0xffffffff }), endpoint, protocol: '3.1.1' });
    assert.equal(v3.protocolVersion, 4);
    assert.equal(v3.properties, undefined);
  });

  it('v5 sends Receive Maximum only when the group sets one; 3.1.1 never', () => {
    assert.deepEqual(clientOptions({ clientId: 'a', group: group({ receiveMaximum: 10 }), endpoint, protocol: '5' }).properties, { sessionExpiryInterval: 3600, receiveMaximum: 10 });
    assert.deepEqual(clientOptions({ clientId: 'a', group: group({ sessionExpiry: 0, receiveMaximum: 1 }), endpoint, protocol: '5' }).properties, { receiveMaximum: 1 });
    assert.equal(clientOptions({ clientId: 'a', group: group({ receiveMaximum: 10 }), endpoint, protocol: '3.1.1' }).properties, undefined);
  });

  it('leaves reconnect and re-subscription to us, and connects to the address given', () => {
    const o = clientOptions({ clientId: 'a', group: group({}), endpoint, protocol: '3.1.1', credentials: { username: 'u' } });
    assert.equal(o.reconnectPeriod, 0);
    assert.equal(o.resubscribe, false);
    assert.equal(o.host, '127.0.0.1');
    assert.equal(o.keepalive, 20);
    assert.equal(o.username, 'u');
    assert.equal('password' in o, false);
    assert.ok(o.connectTimeout !== undefined && o.connectTimeout <= 10_000);
  });

  it('gives every client one silent logger unless DEBUG is set (mqtt.js would make a logger per client)', () => {
    const a = clientOptions({ clientId: 'a', group: group({}), endpoint, protocol: '5' });
    const b = clientOptions({ clientId: 'b', group: group({}), endpoint, protocol: '3.1.1' });
    if (process.env.DEBUG) {
      assert.equal(a.log, undefined);
    } else {
      assert.equal(typeof a.log, 'function');
      assert.equal(a.log, b.log);
    }
  });
});

describe('oneLine', () => {
  it('keeps the first line and adds a code the message lacks', () => {
    assert.equal(oneLine(new Error('boom\n    at somewhere')), 'boom');
    assert.equal(oneLine(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })), 'connect ECONNREFUSED 127.0.0.1:1');
    assert.equal(oneLine(Object.assign(new Error('Connection refused: Not authorized'), { code: 135 })), '135: Connection refused: Not authorized');
    assert.equal(oneLine('plain'), 'plain');
  });
});
