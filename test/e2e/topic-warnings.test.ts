/**
 * Topics common brokers refuse, as a user meets them: `validate` prints one warning line
 * each, `file:line:column: warning: path: message`, and exits 0; `run` prints the same
 * lines before it starts; a wildcard in a topic that is published to is an error (exit 2,
 * one line); the shipped scenarios warn about nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { cli, CLI, lines } from '../helpers/cli.js';
import { closedPort } from '../helpers/tcp.js';
import { useTeardown } from '../helpers/teardown.js';

/** The source tree's files: tsc does not copy YAML into dist. */
const root = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const WARNED = root('test/fixtures/scenarios/topic-warnings.yaml');
const WILDCARD = root('test/fixtures/bad-scenarios/topic-wildcard-publish-target.yaml');
const SHIPPED = root('scenarios/');

const WARNINGS = [
  `${WARNED}:8:18: warning: groups.devices.topic: "." is refused by NATS Server's MQTT before 2.10, and RabbitMQ and ActiveMQ map it to and from "/" (their level separator): use "_" or "-"`,
  `${WARNED}:8:31: warning: groups.devices.topic: whitespace is refused by NATS Server's MQTT (a subject holds none)`,
  `${WARNED}:12:13: warning: groups.monitor.topic: a topic starting with "$" is the broker's own (MQTT §4.7.2, e.g. $SYS, AWS IoT's $aws): brokers refuse or restrict clients' use of it`,
  `${WARNED}:16:12: warning: groups.deep.topic: has 8 "/" (9 levels): AWS IoT Core refuses topics with more than 7 "/"`,
];

describe('topic names brokers refuse', { skip: existsSync(CLI) ? false : `not built: ${CLI}` }, () => {
  test('validate: one warning line each, the file ok, exit 0', async () => {
    const o = await cli(['validate', WARNED]);
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(lines(o.stderr), WARNINGS);
    assert.deepEqual(lines(o.stdout), [`ok: ${WARNED} (3.1.1, 5)`]);
  });

  test('run: the same warnings before it starts', async (t) => {
    const td = useTeardown(t);
    const dir = await mkdtemp(join(tmpdir(), 'mqtt-chaos-topic-warnings-'));
    td.add(`rm ${dir}`, () => rm(dir, { recursive: true, force: true }));
    // Closed ports: the run stops at its first connect (exit 3), after the warnings.
    const port = await closedPort();
    const o = await cli(['run', WARNED, '--out', join(dir, 'reports'), '--broker', `mqtt://127.0.0.1:${port}`, '--toxiproxy', `http://127.0.0.1:${port}`]);
    assert.equal(o.code, 3, o.stderr);
    assert.deepEqual(lines(o.stderr).slice(0, WARNINGS.length), WARNINGS);
  });

  test('a wildcard in a topic that is published to: exit 2, one line', async () => {
    const o = await cli(['validate', WILDCARD]);
    assert.equal(o.code, 2, o.stderr);
    assert.deepEqual(lines(o.stderr), [
      `${WILDCARD}:15:35: phases[2].publish.to: group devices subscribes to a wildcard filter ("fleet/+/cmd"): a publish target needs a plain topic`,
    ]);
    assert.equal(o.stdout, '');
  });

  test('the shipped scenarios: no warning', async () => {
    const files = readdirSync(SHIPPED)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(SHIPPED, f));
    const o = await cli(['validate', ...files]);
    assert.equal(o.code, 0, o.stderr);
    assert.equal(o.stderr, '');
    assert.equal(lines(o.stdout).length, files.length);
  });
});
