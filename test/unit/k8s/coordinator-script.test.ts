/**
 * The coordinator pod's shell around `mqtt-chaos run`, run by the same /bin/sh (dash, as in
 * node's Debian images) with this checkout's CLI in place of the image's: it exits with the
 * run's code after the collection window, passes SIGTERM on to the run (a deleted Job stops
 * the run as Ctrl-C does) and waits for it to stop, and a SIGTERM in the window ends it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { IMAGE_CLI } from '../../../src/k8s/image.js';
import { coordinatorCommand } from '../../../src/k8s/pods.js';
import { useTeardown } from '../../helpers/teardown.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');

interface Shell {
  child: ReturnType<typeof spawn>;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** The pod's command from /bin/sh on (tini is PID 1 in the image, not here). */
function coordinator(args: string[], collectSeconds: number): Shell {
  const command = coordinatorCommand(args);
  const sh = command.indexOf('/bin/sh');
  const [, flag, script, ...rest] = command.slice(sh);
  assert.ok(script!.includes(IMAGE_CLI), 'the script runs the image\'s CLI');
  const env = { ...process.env, NO_COLOR: '1', REPORTS_DIR: '/reports', COLLECT_SECONDS: String(collectSeconds), POD_NAME: 'p', POD_NAMESPACE: 'ns' };
  const child = spawn('/bin/sh', [flag!, script!.replace(IMAGE_CLI, CLI), ...rest], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => void (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => void (err += d.toString()));
  const exit = once(child, 'close').then(([code]) => code as number | null);
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !condition(); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(condition(), what);
}

describe('the coordinator pod\'s shell', () => {
  test('exits with the run\'s code once the collection window is over, and says where the reports are', async (t) => {
    const td = useTeardown(t);
    const ok = coordinator(['validate', join(ROOT, 'scenarios/quickstart.yaml')], 1);
    const bad = coordinator(['validate', join(ROOT, 'scenarios/no-such.yaml')], 1);
    td.add('kill shells', () => void [ok, bad].forEach((s) => s.child.exitCode === null && s.child.kill('SIGKILL')));
    assert.equal(await ok.exit, 0, ok.stderr());
    assert.match(ok.stdout(), /^ok: /m);
    assert.match(ok.stderr(), /^mqtt-chaos: run exited 0; reports in \/reports for 1 s \(kubectl cp ns\/p:\/reports \.\/reports\)$/m);
    assert.equal(await bad.exit, 2, bad.stderr());
    assert.match(bad.stderr(), /run exited 2;/);
  });

  test('SIGTERM reaches the run, the shell waits for it to stop, and a second SIGTERM ends the window', { timeout: 120_000 }, async (t) => {
    const td = useTeardown(t);
    const shell = coordinator(['toxiproxy', '--port', '0'], 600);
    td.add('kill shell', () => void (shell.child.exitCode === null && shell.child.kill('SIGKILL')));
    await until(() => /listening on /.test(shell.stdout()), `the server listens: ${shell.stderr()}`);
    shell.child.kill('SIGTERM');
    await until(() => /run exited \d+;/.test(shell.stderr()), `the run stopped: ${shell.stderr()}`);
    assert.match(shell.stdout(), /fault server stopped/, 'the run ended itself, cleanly, on the signal');
    const status = Number(/run exited (\d+);/.exec(shell.stderr())![1]);
    assert.equal(shell.child.exitCode, null, 'the pod stays up for the collection window');
    shell.child.kill('SIGTERM');
    // 'close' waits for every holder of the pipes: a sleep left behind would hold it 600 s.
    assert.equal(await shell.exit, status, 'and then exits with the run\'s code, leaving nothing running');
  });
});
