import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startAedes } from '../../../src/brokers/aedes.js';
import { ErrorWithReasonCode } from 'mqtt';
import { useTeardown } from '../../helpers/teardown.js';
import { connectClient, owned, pidAlive, pidGone, tempRunDir } from './support.js';

describe('embedded Aedes (child process)', () => {
  it('accepts MQTT 3.1.1 and refuses v5', async (t) => {
    const td = useTeardown(t);
    const broker = owned(td, await startAedes({ runDir: await tempRunDir(td) }));
    assert.equal(broker.kind, 'embedded-aedes');
    assert.equal(broker.software, 'aedes');
    assert.deepEqual(broker.protocols, ['3.1.1']);
    assert.notEqual(broker.pid, process.pid);
    assert.match(broker.description, /^embedded Aedes \S+ on 127\.0\.0\.1:\d+ \(pid \d+; MQTT 3\.1\.1 only\)$/);
    const client = await connectClient(td, broker, { protocolVersion: 4 });
    assert.ok(client.connected);
    await assert.rejects(connectClient(td, broker, { protocolVersion: 5 }), (err) => {
      // Return code 1 (unacceptable protocol version), or a close without CONNACK.
      if (err instanceof ErrorWithReasonCode) assert.equal(err.code, 1);
      else assert.match(String(err), /closed before CONNACK/);
      return true;
    });
  });

  it('stop() ends its process, and a second stop() is harmless', async (t) => {
    const td = useTeardown(t);
    const broker = owned(td, await startAedes({ runDir: await tempRunDir(td) }));
    const pid = broker.pid!;
    assert.ok(pidAlive(pid));
    await broker.stop();
    assert.equal(pidAlive(pid), false);
    await broker.stop();
  });

  it('exits by itself when its parent dies', async (t) => {
    const td = useTeardown(t);
    const runDir = await tempRunDir(td);
    const aedesModule = fileURLToPath(new URL('../../../src/brokers/aedes.js', import.meta.url));
    const script = `const { startAedes } = await import(${JSON.stringify(aedesModule)});
      const target = await startAedes({ runDir: ${JSON.stringify(runDir)} });
      process.stdout.write(target.pid + '\\n');`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    td.add(`parent pid ${parent.pid}`, () => {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
    });
    const [line] = (await once(parent.stdout, 'data')) as [Buffer];
    const childPid = Number(line.toString().trim());
    td.add(`aedes pid ${childPid}`, () => {
      if (pidAlive(childPid)) process.kill(childPid, 'SIGKILL');
    });
    assert.ok(pidAlive(childPid));
    parent.kill('SIGKILL');
    assert.ok(await pidGone(childPid), 'the Aedes child outlived its parent');
  });
});
