/**
 * An external Mosquitto with its default sys_interval (10 s): the $SYS heap probe does not
 * call it unavailable after its 2 s start, says it is still waiting, keeps listening in the
 * background, reads real values and learns the interval from $SYS/broker/uptime.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeLoopbackPort } from '../../../src/brokers/free-port.js';
import { SysHeapProbe } from '../../../src/brokers/memory-sys-heap.js';
import { useTeardown } from '../../helpers/teardown.js';
import { mosquittoBinary, needsMosquitto, tempDir } from '../run/support.js';

describe('$SYS heap probe on an external Mosquitto (sys_interval 10 s)', { skip: needsMosquitto }, () => {
  it('waits in the background, then reads real values and says the interval it learned', async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'sys-interval');
    const port = await freeLoopbackPort();
    // No sys_interval line: Mosquitto's default, 10 s.
    await writeFile(join(dir, 'mosquitto.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\n`);
    const broker = spawn(mosquittoBinary!, ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    td.add('stop mosquitto', () => void broker.kill('SIGKILL'));
    for (let i = 0; i < 50 && !(await listening(port)); i++) await sleep(100);

    const probe = new SysHeapProbe({ protocol: 'mqtt', host: '127.0.0.1', port, concludeMs: 20_000 });
    td.add('stop probe', () => probe.stop());
    await probe.start();
    // Mosquitto may publish at its start; if not, the probe says it is still waiting, not that it cannot.
    if (probe.unavailable !== undefined) assert.match(probe.unavailable, /message yet \(waited [\d.]+ s of up to 20 s, in the background/);

    const deadline = Date.now() + 26_000;
    while (Date.now() < deadline && !(await probe.sample() && probe.source.includes('every'))) await sleep(250);
    const sample = await probe.sample();
    assert.ok(sample && sample.bytes > 0, `a real heap value: ${probe.unavailable}`);
    assert.equal(probe.unavailable, undefined);
    // Learned from arrival times, and Mosquitto checks its sys_interval in whole seconds from its
    // main loop, so a 10 s interval arrives 10 or 11 s apart (CI saw 11).
    assert.match(probe.source, /, published every 1[01] s \(learned from \$SYS\/broker\/uptime\)$/);
  });
});

/** Whether something accepts a connection on the port yet. */
async function listening(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}
