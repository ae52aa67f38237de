import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBrokerUrl } from '../../../src/brokers/broker-url.js';

describe('parseBrokerUrl', () => {
  it('normalises mqtt, tcp and mqtts URLs and fills the default ports', () => {
    assert.deepEqual(parseBrokerUrl('mqtt://127.0.0.1:1884'), { protocol: 'mqtt', host: '127.0.0.1', port: 1884, url: 'mqtt://127.0.0.1:1884' });
    assert.deepEqual(parseBrokerUrl('tcp://localhost/'), { protocol: 'mqtt', host: 'localhost', port: 1883, url: 'mqtt://localhost:1883' });
    assert.deepEqual(parseBrokerUrl('mqtts://[::1]'), { protocol: 'mqtts', host: '::1', port: 8883, url: 'mqtts://[::1]:8883' });
  });

  it('refuses credentials in the URL without repeating them', () => {
    assert.throws(() => parseBrokerUrl('mqtt://alice:hunter2@127.0.0.1:1883'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'E_USAGE');
      assert.match(err.message, /environment variables/);
      assert.doesNotMatch(err.message, /hunter2|alice/);
      return true;
    });
    assert.throws(() => parseBrokerUrl('mqtt://alice:hunter2@127.0.0.1:99999'), (err: Error) => {
      assert.doesNotMatch(err.message, /hunter2|alice/);
      return true;
    });
  });

  it('refuses other schemes, paths and hostless URLs', () => {
    assert.throws(() => parseBrokerUrl('ws://127.0.0.1:8080'), { code: 'E_USAGE', message: /scheme ws:\/\/ is not supported/ });
    assert.throws(() => parseBrokerUrl('mqtt://127.0.0.1:1883/x?y=1'), { code: 'E_USAGE', message: /path or query/ });
    assert.throws(() => parseBrokerUrl('127.0.0.1:1883'), { code: 'E_USAGE' });
    assert.throws(() => parseBrokerUrl('not a url'), { code: 'E_USAGE', message: /is not a URL/ });
  });
});
