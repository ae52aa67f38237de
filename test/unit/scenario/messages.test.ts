import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BASE, problemLines } from './support.js';

/** BASE with `extra` appended: its lines start at 15. */
function problems(extra: string): string[] {
  return problemLines(BASE + extra).map((l) => l.replace(/^x\.yaml:/, ''));
}

describe('schema messages', () => {
  it('a union names the branch meant: the map form with its own unknown key', () => {
    assert.deepEqual(problems('broker: { url: "mqtt://127.0.0.1", user: me }\n'), [
      '15:36: broker.user: unknown key (known keys: url, usernameEnv, passwordEnv)',
    ]);
  });

  it('a union with nothing close says every form it takes', () => {
    assert.deepEqual(problems('faults: 8474\n'), ['15:9: faults: must be embedded or a map with toxiproxy (got 8474)']);
  });

  it('a tagged union picks the branch by its tag', () => {
    const lines = problemLines(BASE.replace('  - drain: {}\n', '  - fault: { kind: latency, groups: [devices], jitter: 5ms }\n'));
    assert.deepEqual(lines, [
      'x.yaml:14:5: phases[3].fault.latency: is required (a duration with a unit, e.g. 250ms, 2s, 1.5m)',
    ]);
  });

  it('a map given as a scalar says which keys it needs', () => {
    const lines = problemLines(BASE.replace('  - drain: {}\n', '  - fault: cut\n'));
    assert.deepEqual(lines, [
      'x.yaml:14:12: phases[3].fault: must be a map with kind: cut, partition, reset, takeover, latency, bandwidth, toxic or broker-restart (got "cut")',
    ]);
  });

  it('one phase per list item', () => {
    const lines = problemLines(BASE.replace('  - drain: {}\n', '  - drain: {}\n    wait: 1s\n  - {}\n'));
    assert.deepEqual(lines, [
      'x.yaml:14:5: phases[3]: has 2 keys (drain, wait): write one per list item',
      'x.yaml:16:5: phases[4]: needs one key: connect, subscribe, fault, heal, publish, wait, measure-expiry, drain, measure or disconnect',
    ]);
  });

  it('protocols: bad values and repeats', () => {
    assert.deepEqual(problems('protocols: [4, 5, "5"]\n'), [
      '15:13: protocols[0]: must be 3.1.1 or 5 (got 4)',
    ]);
    assert.deepEqual(problems('protocols: [5, "5"]\n'), ['15:16: protocols[1]: 5 is listed twice']);
  });

  it('a duplicate in a group list, and a wrong type naming what was given', () => {
    assert.deepEqual(problems('expect: "redelivery.lost == 0"\n'), [
      '15:9: expect: must be a list (got "redelivery.lost == 0")',
    ]);
    const lines = problemLines(BASE.replace('subscribe: {}', 'subscribe: { groups: [devices, devices] }'));
    assert.deepEqual(lines, ['x.yaml:12:36: phases[1].subscribe.groups[1]: "devices" is listed twice']);
  });

  it('broker and fault-server URLs are checked as their adapters will', () => {
    assert.deepEqual(problems('broker: { url: "ws://127.0.0.1" }\nfaults: { toxiproxy: "127.0.0.1:8474" }\n'), [
      "15:16: broker.url: broker URL 'ws://127.0.0.1': scheme ws:// is not supported; use mqtt://, mqtts:// or tcp://",
      '16:22: faults.toxiproxy: "127.0.0.1:8474" is not a URL; expected http://host:port, e.g. http://127.0.0.1:8474',
    ]);
  });

  it('an empty file says what a scenario is', () => {
    assert.deepEqual(problemLines(''), ['x.yaml:1:1: must be a map with name, groups, phases (got nothing)']);
  });

  it('duplicate keys are a YAML error with their position', () => {
    assert.deepEqual(problemLines('name: a\nname: b\n'), ['x.yaml:2:1: Map keys must be unique']);
  });
});
