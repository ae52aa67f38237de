/**
 * A `measure` point reads Mosquitto's $SYS heap only from a value published after the phase
 * began: against a real Mosquitto (sys_interval 1, as the managed one), sampleSince waits for
 * the next publication instead of returning the retained value from before — a new heap
 * value, or the broker's next $SYS pass without one (the heap unchanged since).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeLoopbackPort } from '../../../src/brokers/free-port.js';
import { SysHeapProbe } from '../../../src/brokers/memory-sys-heap.js';
import { useTeardown } from '../../helpers/teardown.js';
import { mosquittoBinary, needsMosquitto, tempDir } from '../run/support.js';

describe('$SYS heap read at a measure point', { skip: needsMosquitto }, () => {
  it('is a value published after the point asked, not the one before', async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'fresh-heap');
    const port = await freeLoopbackPort();
    await writeFile(join(dir, 'mosquitto.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\nsys_interval 1\n`);
    const broker = spawn(mosquittoBinary!, ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    td.add('stop mosquitto', () => void broker.kill('SIGKILL'));
    for (let i = 0; i < 50 && !(await listening(port)); i++) await sleep(100);

    const probe = new SysHeapProbe({ protocol: 'mqtt', host: '127.0.0.1', port });
    td.add('stop probe', () => probe.stop());
    await probe.start();
    const before = await probe.sample();
    assert.ok(before, `a first value: ${probe.unavailable}`);

    const since = performance.now();
    const fresh = await probe.sampleSince(since);
    assert.ok(fresh && fresh.bytes > 0, `a value: ${probe.unavailable}`);
    if (fresh.unchangedAt === undefined) {
      assert.ok(fresh.at >= since, `arrived ${Math.round(since - fresh.at)} ms before the point asked`);
      assert.notEqual(fresh.at, before.at);
    } else {
      assert.ok(fresh.unchangedAt >= since, 'the pass that found it unchanged came after the point asked');
      assert.equal(fresh.bytes, before.bytes);
    }
  });
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}
