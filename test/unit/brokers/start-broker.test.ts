import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findMosquittoBinary } from '../../../src/brokers/capabilities.js';
import { chooseAutoBroker } from '../../../src/brokers/start-broker.js';

describe('chooseAutoBroker', () => {
  it('prefers a found mosquitto', () => {
    assert.deepEqual(chooseAutoBroker('/usr/sbin/mosquitto'), {
      kind: 'managed-mosquitto',
      message: 'found /usr/sbin/mosquitto: using a managed Mosquitto (MQTT 5 and 3.1.1)',
    });
  });

  it('falls back to Aedes and says what that means for v5', () => {
    const { kind, message } = chooseAutoBroker(undefined);
    assert.equal(kind, 'embedded-aedes');
    assert.match(message, /^no mosquitto on PATH.*: using embedded Aedes \(MQTT 3\.1\.1 only; v5 runs will be reported unsupported\)\./);
    assert.match(message, /Install mosquitto or pass --broker URL for the v5 comparison\.$/);
  });
});

describe('findMosquittoBinary', () => {
  it('searches PATH first, then the extra folders, and only takes executable files', async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'mqtt-chaos-find-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    const [onPath, sbin, notExec, isDir] = ['path', 'sbin', 'noexec', 'dir'].map((d) => join(root, d)) as [string, string, string, string];
    for (const dir of [onPath, sbin, notExec, isDir]) await mkdir(dir);
    await writeFile(join(sbin, 'mosquitto'), '#!/bin/sh\n');
    await chmod(join(sbin, 'mosquitto'), 0o755);
    await writeFile(join(notExec, 'mosquitto'), '');
    await mkdir(join(isDir, 'mosquitto'));

    assert.equal(await findMosquittoBinary(`${notExec}:${isDir}:${onPath}`, [sbin]), join(sbin, 'mosquitto'));
    assert.equal(await findMosquittoBinary(`${onPath}`, []), undefined);
    await writeFile(join(onPath, 'mosquitto'), '#!/bin/sh\n');
    await chmod(join(onPath, 'mosquitto'), 0o755);
    assert.equal(await findMosquittoBinary(`${onPath}`, [sbin]), join(onPath, 'mosquitto'));
  });
});
