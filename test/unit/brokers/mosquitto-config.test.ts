import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMosquittoConfig, validateMosquittoOptions } from '../../../src/brokers/mosquitto-config.js';

describe('renderMosquittoConfig', () => {
  it('listens on the chosen loopback port, logs to stderr, and writes the defaults', () => {
    const text = renderMosquittoConfig({ port: 40125, runDir: '/tmp/run-1', options: {} });
    assert.deepEqual(text.split('\n').slice(1), [
      'listener 40125 127.0.0.1',
      'log_dest stderr',
      'allow_anonymous true',
      'user root',
      'persistence false',
      'persistence_location /tmp/run-1/',
      'sys_interval 1',
      '',
    ]);
    assert.match(text, /^# /);
  });

  it('opens one more loopback listener per extra port, with the same settings', () => {
    const lines = renderMosquittoConfig({ port: 40125, extraPorts: [40126, 40200], runDir: '/r', options: {} }).split('\n');
    assert.deepEqual(lines.filter((l) => l.startsWith('listener ')), ['listener 40125 127.0.0.1', 'listener 40126 127.0.0.1', 'listener 40200 127.0.0.1']);
    assert.equal(lines.filter((l) => l === 'allow_anonymous true').length, 1);
  });

  it('appends scenario options, and an option overrides a default in place, written once', () => {
    const text = renderMosquittoConfig({
      port: 1,
      runDir: '/r',
      options: { max_queued_messages: 10, persistence: true, queue_qos0_messages: false, password_file: '/r/my passwd' },
    });
    const lines = text.split('\n');
    assert.deepEqual(lines.filter((l) => l.startsWith('persistence ')), ['persistence true']);
    assert.ok(lines.includes('max_queued_messages 10'));
    assert.ok(lines.includes('queue_qos0_messages false'));
    assert.ok(lines.includes('password_file /r/my passwd'));
  });

  it('refuses a run directory with a line break', () => {
    assert.throws(() => renderMosquittoConfig({ port: 1, runDir: '/tmp/a\nlistener 1883', options: {} }), { code: 'E_USAGE' });
  });
});

describe('validateMosquittoOptions', () => {
  const refused = (options: Record<string, string | number | boolean>, message: RegExp): void => {
    assert.throws(() => validateMosquittoOptions(options), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'E_SCENARIO');
      assert.match(err.message, message);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  };

  it('accepts plain names with string, number and boolean values', () => {
    validateMosquittoOptions({ max_queued_messages: 0, allow_anonymous: false, acl_file: '/etc/acl', sys_interval: 1 });
  });

  it('refuses names that are not plain identifiers', () => {
    refused({ 'max queued': 1 }, /broker option "max queued": not a Mosquitto option name/);
    refused({ 'a\nlistener': 1 }, /not a Mosquitto option name/);
    refused({ Max_Queued: 1 }, /not a Mosquitto option name/);
    refused({ '': 1 }, /not a Mosquitto option name/);
    refused({ '9lives': 1 }, /not a Mosquitto option name/);
  });

  it('refuses values with a line break, empty values and non-finite numbers', () => {
    refused({ acl_file: '/a\nlistener 1883 0.0.0.0' }, /broker option "acl_file": the value must be one non-empty line/);
    refused({ acl_file: '/a\r' }, /one non-empty line/);
    refused({ acl_file: '  ' }, /one non-empty line/);
    refused({ max_queued_messages: Number.NaN }, /NaN is not a finite number/);
    refused({ max_queued_messages: Number.POSITIVE_INFINITY }, /Infinity is not a finite number/);
  });

  it('refuses the options the harness sets itself', () => {
    for (const name of ['listener', 'port', 'bind_address', 'bind_interface', 'log_dest', 'include_dir']) {
      refused({ [name]: 'x' }, new RegExp(`broker option "${name}": set by the harness`));
    }
  });
});
