import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { problemLines } from './support.js';

/** A scenario whose only group is written as `group` (one line of flow YAML, at line 3). */
function problems(group: string, phases = '  - connect: {}\n'): string[] {
  return problemLines(`name: t\ngroups:\n  g: ${group}\nphases:\n${phases}`).map((l) => l.replace(/^x\.yaml:/, ''));
}

describe('group rules beyond the schema', () => {
  it('clientId must have {i} when count > 1, and only known placeholders', () => {
    assert.deepEqual(problems('{ count: 2, role: publisher, clientId: "pub-{id}" }'), [
      '3:45: groups.g.clientId: must contain {i} when count > 1: client ids must be distinct',
      '3:50: groups.g.clientId: unknown placeholder {id}: use {i}, {group}, {run} or {invocation}',
    ]);
  });

  it('{invocation} belongs to client ids only: a topic is the same for every invocation', () => {
    assert.deepEqual(problems('{ count: 2, role: subscriber, clientId: "d-{i}-{invocation}", topic: "t/{i}/{invocation}" }'), [
      '3:82: groups.g.topic: unknown placeholder {invocation}: use {i}, {group} or {run}',
    ]);
  });

  it('a subscriber needs a topic; a publisher takes none', () => {
    assert.deepEqual(problems('{ count: 1, role: subscriber }'), ['3:3: groups.g.topic: is required for a subscriber group']);
    assert.deepEqual(problems('{ count: 1, role: publisher, topic: t }'), [
      '3:42: groups.g.topic: only subscriber groups take a topic: publishers send to the topics of their publish.to group',
    ]);
  });

  it('topic filters follow the MQTT wildcard rules, column inside the string', () => {
    assert.deepEqual(problems('{ count: 1, role: subscriber, topic: "a/b#/+x" }'), [
      '3:47: groups.g.topic: "#" must be a whole level, and the last one',
      '3:49: groups.g.topic: "+" must be a whole level',
    ]);
  });

  it('keep-alive is whole seconds; jitter cannot exceed delay', () => {
    assert.deepEqual(problems('{ count: 1, role: publisher, keepAlive: 1500ms, reconnect: { delay: 1s, jitter: 2s } }'), [
      '3:46: groups.g.keepAlive: must be whole seconds from 0s to 65535s (MQTT keep-alive is an integer of seconds)',
      '3:86: groups.g.reconnect.jitter: must not exceed reconnect.delay (a retry cannot come before the loss)',
    ]);
  });

  it('reconnect: jitter belongs to fixed backoff, max to exponential, and max is at least delay', () => {
    assert.deepEqual(problems('{ count: 1, role: publisher, reconnect: { backoff: exponential, delay: 2s, jitter: 1s, max: 1s } }'), [
      '3:89: groups.g.reconnect.jitter: applies to backoff: fixed only (exponential backoff draws each wait from 0 to its cap)',
      '3:98: groups.g.reconnect.max: must not be below reconnect.delay (the first cap)',
    ]);
    assert.deepEqual(problems('{ count: 1, role: publisher, reconnect: { backoff: fixed, max: 5s } }'), [
      '3:69: groups.g.reconnect.max: applies to backoff: exponential only (fixed waits delay ± jitter every time)',
    ]);
    assert.deepEqual(problems('{ count: 1, role: publisher, reconnect: { delay: 0s } }'), [
      '3:55: groups.g.reconnect.delay: must be above 0 for backoff: exponential (the caps double from it)',
    ]);
  });

  it('group names are checked, with the rule in words', () => {
    const lines = problemLines('name: t\ngroups:\n  Dev_1: { count: 1, role: publisher }\nphases:\n  - wait: 1s\n');
    assert.deepEqual(lines, ['x.yaml:3:3: groups.Dev_1: invalid name: use a lowercase letter, then lowercase letters, digits or "-"']);
  });

  it('expiry "never" and 0s keep-alive are accepted', () => {
    assert.deepEqual(problems('{ count: 1, role: publisher, keepAlive: 0s, session: { clean: false, expiry: never } }'), []);
  });
});
