import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Packet } from 'mqtt';
import { InFlight } from '../../../src/workers/inflight.js';

const publish = (qos: 0 | 1 | 2, messageId = 1): Packet => ({ cmd: 'publish', topic: 't', payload: Buffer.alloc(0), qos, dup: false, retain: false, messageId });

describe('InFlight: the broker send quota, counted by the client', () => {
  it('QoS 1: PUBLISH takes a slot, PUBACK gives it back; a PUBLISH with the cap taken is over it', () => {
    const w = new InFlight(2);
    w.received(publish(1, 1));
    w.received(publish(1, 2));
    assert.deepEqual([w.max, w.overCap], [2, 0]);
    w.received(publish(1, 3));
    assert.deepEqual([w.max, w.overCap], [3, 1]);
    w.sent({ cmd: 'puback', messageId: 1 });
    w.sent({ cmd: 'puback', messageId: 2 });
    w.received(publish(1, 4));
    assert.deepEqual([w.max, w.overCap], [3, 1], 'two slots were free again');
  });

  it('QoS 2 holds its slot until PUBCOMP, unless PUBREC refuses it; QoS 0 takes none', () => {
    const w = new InFlight(1);
    w.received(publish(2, 1));
    w.sent({ cmd: 'pubrec', messageId: 1 });
    w.received(publish(2, 2));
    assert.equal(w.overCap, 1, 'a PUBREC alone does not free the slot');
    w.sent({ cmd: 'pubcomp', messageId: 1 });
    w.sent({ cmd: 'pubrec', messageId: 2, reasonCode: 0x97 });
    w.received(publish(1, 3));
    w.received(publish(0));
    assert.deepEqual([w.max, w.overCap], [2, 1]);
  });

  it('a new connection starts with every slot free; no cap (3.1.1, none sent) counts nothing over', () => {
    const w = new InFlight(1);
    w.received(publish(1, 1));
    w.reset();
    w.received(publish(1, 1));
    assert.deepEqual([w.max, w.overCap], [1, 0]);
    const uncapped = new InFlight(undefined);
    for (let id = 1; id <= 30; id++) uncapped.received(publish(1, id));
    assert.deepEqual([uncapped.max, uncapped.overCap], [30, 0]);
  });

  it('an acknowledgement with nothing in flight does not go below zero', () => {
    const w = new InFlight(1);
    w.sent({ cmd: 'puback', messageId: 9 });
    w.received(publish(1, 1));
    assert.deepEqual([w.max, w.overCap], [1, 0]);
  });
});
