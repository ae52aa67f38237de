import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMetricsFlag } from '../../../src/cli/metrics-flag.js';
import { isHarnessError } from '../../../src/errors.js';

const refusal = (value: string, allowRemote = false): { code: string; exitCode: number } => {
  try {
    parseMetricsFlag(value, allowRemote);
  } catch (err) {
    assert.ok(isHarnessError(err));
    return { code: err.code, exitCode: err.exitCode };
  }
  assert.fail(`${value} accepted`);
};

describe('parseMetricsFlag', () => {
  it('takes loopback hosts, IPv6 in brackets, and port 0', () => {
    assert.deepEqual(parseMetricsFlag('127.0.0.1:9464', false), { host: '127.0.0.1', port: 9464 });
    assert.deepEqual(parseMetricsFlag('localhost:0', false), { host: 'localhost', port: 0 });
    assert.deepEqual(parseMetricsFlag('[::1]:9464', false), { host: '::1', port: 9464 });
  });
  it('refuses a host outside loopback unless --allow-remote, as a remote target (exit 2)', () => {
    for (const value of ['0.0.0.0:9464', '[::]:9464', '192.168.1.5:9464', 'metrics.example:9464']) {
      assert.deepEqual(refusal(value), { code: 'E_REMOTE_TARGET', exitCode: 2 }, value);
    }
    assert.deepEqual(parseMetricsFlag('0.0.0.0:9464', true), { host: '0.0.0.0', port: 9464 });
  });
  it('refuses what is not HOST:PORT (exit 2)', () => {
    for (const value of ['9464', 'localhost', '127.0.0.1:', '127.0.0.1:65536', '127.0.0.1:0x10', ':9464']) {
      assert.deepEqual(refusal(value), { code: 'E_USAGE', exitCode: 2 }, value);
    }
  });
});
