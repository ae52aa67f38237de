import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import net from 'node:net';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startAedes } from '../../../src/brokers/aedes.js';
import { connectExternal } from '../../../src/brokers/external.js';
import { freeLoopbackPort } from '../../../src/brokers/free-port.js';
import { startMosquitto } from '../../../src/brokers/mosquitto.js';
import { isHarnessError } from '../../../src/errors.js';
import { useTeardown } from '../../helpers/teardown.js';
import { owned, tempRunDir } from './support.js';
import { requireMosquitto, requireMosquittoTool } from '../../helpers/requires.js';

const mosquitto = requireMosquitto();
const mosquittoPasswd = requireMosquittoTool('mosquitto_passwd');

describe('external broker by URL', () => {
  it('reaches a Mosquitto it did not start and detects v5 and v3.1.1', { skip: !mosquitto && 'no mosquitto' }, async (t) => {
    const td = useTeardown(t);
    const managed = owned(td, await startMosquitto({ binary: mosquitto!, runDir: await tempRunDir(td), options: {} }));
    const target = await connectExternal({ url: `tcp://127.0.0.1:${managed.port}` });
    assert.equal(target.kind, 'external');
    assert.equal(target.url, `mqtt://127.0.0.1:${managed.port}`);
    assert.deepEqual(target.protocols, ['3.1.1', '5']);
    assert.equal(target.software, 'mosquitto');
    assert.equal(target.version, managed.version);
    assert.equal(target.pid, undefined);
    await target.stop();
  });

  it('detects only 3.1.1 on an Aedes URL', async (t) => {
    const td = useTeardown(t);
    const aedes = owned(td, await startAedes({ runDir: await tempRunDir(td) }));
    const target = await connectExternal({ url: aedes.url });
    assert.deepEqual(target.protocols, ['3.1.1']);
    assert.equal(target.software, 'unknown');
    assert.match(target.description, /^external broker mqtt:\/\/127\.0\.0\.1:\d+ \(MQTT 3\.1\.1\)$/);
  });

  it('says an unreachable port is an environment problem', async () => {
    const port = await freeLoopbackPort();
    await assert.rejects(connectExternal({ url: `mqtt://127.0.0.1:${port}` }), (err) => {
      assert.ok(isHarnessError(err));
      assert.equal(err.code, 'E_ENVIRONMENT');
      assert.match(err.message, new RegExp(`^broker mqtt://127\\.0\\.0\\.1:${port} not reachable: connect ECONNREFUSED`));
      return true;
    });
  });

  it('refuses a non-loopback host without --allow-remote, before any connection', async (t) => {
    const attempts: unknown[] = [];
    for (const name of ['connect', 'createConnection'] as const) {
      const original = net[name];
      t.mock.method(net, name, (...args: unknown[]) => {
        attempts.push(args);
        return (original as (...a: unknown[]) => net.Socket)(...args);
      });
    }
    // TEST-NET-1 (RFC 5737): a string only; nothing may ever connect to it.
    await assert.rejects(connectExternal({ url: 'mqtt://192.0.2.1:1883' }), (err) => {
      assert.ok(isHarnessError(err));
      assert.equal(err.code, 'E_REMOTE_TARGET');
      assert.match(err.message, /192\.0\.2\.1/);
      assert.match(err.message, /--allow-remote/);
      return true;
    });
    assert.equal(attempts.length, 0);
  });

  it('passes credentials from the environment and never shows them', { skip: !(mosquitto && mosquittoPasswd) && 'no mosquitto or mosquitto_passwd' }, async (t) => {
    const td = useTeardown(t);
    const runDir = await tempRunDir(td);
    const passwordFile = join(runDir, 'passwd');
    const password = 'pw-7c1e-never-print-me';
    await promisify(execFile)(mosquittoPasswd!, ['-c', '-b', passwordFile, 'chaos-user', password]);
    const managed = owned(
      td,
      await startMosquitto({ binary: mosquitto!, runDir, options: { allow_anonymous: false, password_file: passwordFile } }),
    );
    const env = { MQ_USER: 'chaos-user', MQ_PASS: password };
    const spec = { url: managed.url, usernameEnv: 'MQ_USER', passwordEnv: 'MQ_PASS' };

    const target = await connectExternal(spec, { env });
    assert.deepEqual(target.protocols, ['3.1.1', '5']);
    assert.deepEqual(target.credentials, { username: 'chaos-user', password });
    for (const shown of [target.url, target.description, JSON.stringify(target)]) {
      assert.ok(!shown.includes(password), shown);
      assert.ok(!shown.includes('chaos-user'), shown);
    }

    await assert.rejects(connectExternal(spec, { env: { ...env, MQ_PASS: 'wrong' } }), (err) => {
      assert.ok(isHarnessError(err));
      assert.equal(err.code, 'E_ENVIRONMENT');
      assert.match(err.message, /refused the connection: Connection refused: (Bad User Name or Password|Not authorized)/);
      return true;
    });
    await assert.rejects(connectExternal(spec, { env: { MQ_USER: 'chaos-user' } }), /environment variable MQ_PASS/);
  });
});
