/**
 * A missing component skips its tests on a developer's machine but fails the file under
 * CI=true: checked in child processes, since the CI flag is read when the module loads.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const helper = fileURLToPath(new URL('../../helpers/requires.js', import.meta.url));
const probe = `const m = await import(${JSON.stringify(helper)}); console.log(String(m.requireMosquittoTool('mqtt-chaos-no-such-tool')));`;

async function probeWith(ci: string | undefined): Promise<{ stdout: string; stderr: string; code: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: '/nonexistent' };
  if (ci === undefined) delete env['CI'];
  else env['CI'] = ci;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', probe], { env });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('requirements of the test suite', () => {
  it('outside CI a missing tool is undefined, so its tests skip', async () => {
    const { stdout, code } = await probeWith(undefined);
    assert.equal(code, 0);
    assert.equal(stdout.trim(), 'undefined');
  });

  it('with CI=true a missing tool fails, naming it and how to install it', async () => {
    const { stderr, code } = await probeWith('true');
    assert.notEqual(code, 0);
    assert.match(stderr, /mqtt-chaos-no-such-tool is not installed, and CI=true requires it: apt-get install mosquitto/);
  });

  it('CI=false is not CI', async () => {
    const { stdout, code } = await probeWith('false');
    assert.equal(code, 0);
    assert.equal(stdout.trim(), 'undefined');
  });
});
