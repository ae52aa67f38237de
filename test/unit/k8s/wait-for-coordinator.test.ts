/**
 * The agents' init container, run as the pod runs it (`node -e SCRIPT HOST:PORT`): it keeps
 * trying while nothing listens, and ends with 0 once the coordinator's port answers, having
 * closed its probe connection at once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { namesFor } from '../../../src/k8s/options.js';
import { waitForCoordinator } from '../../../src/k8s/pods.js';
import type { Plan } from '../../../src/scenario/plan.js';
import { useTeardown } from '../../helpers/teardown.js';

describe('waiting for the coordinator', () => {
  test('retries until the port answers, then exits 0', { timeout: 60_000 }, async (t) => {
    const td = useTeardown(t);
    // A free port, released, then taken again once the script has failed to connect.
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));

    const names = namesFor({ scenario: { name: 'wait', file: 'wait.yaml' } } as Plan, 'default');
    const [node, flag, script, join] = waitForCoordinator('img', names).command!;
    assert.deepEqual([node, flag, join], ['node', '-e', names.join]);
    const child = spawn(process.execPath, [flag!, script!, `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    td.add('kill the waiter', () => void (child.exitCode === null && child.kill('SIGKILL')));
    const exit = once(child, 'exit');

    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(child.exitCode, null, 'still waiting while nothing listens');
    let accepted = 0;
    const server = createServer((socket) => {
      accepted++;
      socket.on('error', () => {});
    });
    td.add('close the listener', () => new Promise((r) => server.close(r)));
    server.listen(port, '127.0.0.1');
    const [code] = await exit;
    assert.equal(code, 0);
    assert.ok(accepted >= 1, 'it connected');
  });
});
