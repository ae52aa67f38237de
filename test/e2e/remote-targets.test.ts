/**
 * A fault server outside loopback is refused unless the user opts in, before anything is
 * started or connected: one line naming the file:line and field (or the flag), exit 2, no
 * run folder. The addresses are TEST-NET (192.0.2.0/24, never routed) and a name under
 * .invalid (never resolves): a refusal that came from trying them would read differently.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CLI, cli, lines } from '../helpers/cli.js';
import { outDir } from '../helpers/cli-process.js';
import { useTeardown } from '../helpers/teardown.js';

const skip = existsSync(CLI) ? false : `not built: ${CLI}`;

const scenario = (faults: string, extra = ''): string => `name: remote
broker: embedded-aedes
${faults}
${extra}
groups:
  devices: { count: 1, role: subscriber, topic: "r/{i}" }
phases:
  - connect: {}
`;

describe('a fault server outside loopback', { skip }, () => {
  test('named by the scenario without allowRemote: exit 2, one line with file:line and the field, nothing run (run and plan)', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td, 'mqtt-chaos-remote-');
    for (const url of ['http://192.0.2.1:8474', 'http://toxiproxy.invalid:8474']) {
      const file = join(out, 'remote.yaml');
      writeFileSync(file, scenario(`faults:\n  toxiproxy: ${url}`));
      const expected = `${file}:4:14: faults.toxiproxy: fault server ${url} is outside loopback: set allowRemote: true in the scenario (or pass --allow-remote) to use it`;
      for (const command of ['run', 'plan']) {
        const outcome = await cli(command === 'run' ? ['run', file, '--out', join(out, 'reports')] : ['plan', file]);
        assert.equal(outcome.code, 2, `${command}: ${outcome.stderr}`);
        assert.deepEqual(lines(outcome.stderr), [expected], `${command}: one line, where and what`);
        assert.equal(outcome.stdout, '');
      }
    }
    assert.equal(existsSync(join(out, 'reports')), false, 'no run began: no folder, no result');
  });

  test('given by --toxiproxy: exit 2 naming the flag; a loopback --toxiproxy overrides a remote file without opt-in', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td, 'mqtt-chaos-remote-');
    const file = join(out, 'local.yaml');
    writeFileSync(file, scenario('faults: embedded'));
    const outcome = await cli(['plan', file, '--toxiproxy', 'http://192.0.2.1:8474']);
    assert.equal(outcome.code, 2, outcome.stderr);
    assert.deepEqual(lines(outcome.stderr), ['mqtt-chaos: --toxiproxy: fault server http://192.0.2.1:8474 is outside loopback; pass --allow-remote to use it']);

    writeFileSync(file, scenario('faults:\n  toxiproxy: http://192.0.2.1:8474'));
    const overridden = await cli(['plan', file, '--toxiproxy', 'http://127.0.0.1:8474', '--json']);
    assert.equal(overridden.code, 0, overridden.stderr);
    assert.match(overridden.stdout, /"url": "http:\/\/127\.0\.0\.1:8474"/);
  });

  test('with allowRemote: true in the scenario, or --allow-remote, the plan takes it (plan only: nothing is contacted)', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td, 'mqtt-chaos-remote-');
    const file = join(out, 'remote.yaml');
    writeFileSync(file, scenario('faults:\n  toxiproxy: http://192.0.2.1:8474', 'allowRemote: true'));
    const optedIn = await cli(['plan', file, '--json']);
    assert.equal(optedIn.code, 0, optedIn.stderr);
    assert.match(optedIn.stdout, /"url": "http:\/\/192\.0\.2\.1:8474"/);
    writeFileSync(file, scenario('faults:\n  toxiproxy: http://192.0.2.1:8474'));
    const flagged = await cli(['plan', file, '--allow-remote']);
    assert.equal(flagged.code, 0, flagged.stderr);
  });
});
