import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lastMeaningfulLine } from '../../../src/brokers/log-tail.js';

describe('lastMeaningfulLine', () => {
  it("takes Mosquitto's reason, not the 'Error found at' that follows it", () => {
    const log = [
      '1700000000: Error: Unknown configuration variable "foo_bar".',
      '1700000000: Error found at /tmp/run/mosquitto.conf:9.',
      '',
    ].join('\n');
    assert.equal(lastMeaningfulLine(log), 'Error: Unknown configuration variable "foo_bar".');
  });

  it('finds a port clash after the start-up notices', () => {
    const log = [
      '1700000000: mosquitto version 2.0.11 starting',
      '1700000000: Opening ipv4 listen socket on port 40125.',
      '1700000000: Error: Address already in use',
    ].join('\n');
    assert.equal(lastMeaningfulLine(log), 'Error: Address already in use');
  });

  it("finds a crashed Node child's error amid its stack trace", () => {
    const log = ['file:///x.js:3', '  throw new TypeError("boom")', 'TypeError: boom', '    at x.js:3:9', '', 'Node.js v20.20.2'].join('\n');
    assert.equal(lastMeaningfulLine(log), 'TypeError: boom');
  });

  it('falls back to the last line, or nothing for an empty log', () => {
    assert.equal(lastMeaningfulLine('1700000000: mosquitto version 2.0.11 terminating\n'), 'mosquitto version 2.0.11 terminating');
    assert.equal(lastMeaningfulLine('\n\n'), undefined);
  });
});
