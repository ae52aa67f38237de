/**
 * `mqtt-chaos toxiproxy` as a user runs it: a child process on 127.0.0.1:0 that prints
 * its URL, serves the API, and stops cleanly (exit 0, every listener closed) on SIGINT or
 * SIGTERM; a port in use is one line on stderr and exit 3, never a stack trace.
 * Children are stopped by their own PID and killed if they outlive the test.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { VERSION_BODY } from '../helpers/api-expect.js';
import { Api, portOf } from '../helpers/faults.js';
import { rawRequest } from '../helpers/http.js';
import { Conn, PeerServer, expectRefused, occupiedPort, waitUntil } from '../helpers/tcp.js';
import { useTeardown, type Teardown } from '../helpers/teardown.js';

/** dist/test/e2e/x.test.js → dist/src/cli/main.js */
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

interface Cli {
  child: ChildProcessByStdio<null, Readable, Readable>;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited: () => boolean;
}

function runCli(td: Teardown, args: string[], onStdout?: (all: string) => void): Cli {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    if (out.length < 100_000) out += d.toString();
    onStdout?.(out);
  });
  child.stderr.on('data', (d: Buffer) => {
    if (err.length < 100_000) err += d.toString();
  });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  td.add(`cli pid ${child.pid}`, async () => {
    if (done || child.pid === undefined) return;
    process.kill(child.pid, 'SIGKILL');
    await exited;
  });
  return { child, stdout: () => out, stderr: () => err, exited, hasExited: () => done };
}

async function waitExit(cli: Cli, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  await waitUntil(cli.hasExited, timeoutMs, `the CLI to exit (stderr: ${cli.stderr().trim()})`);
  return cli.exited;
}

/** Starts `toxiproxy --host 127.0.0.1 --port 0` and waits for the URL line. */
async function startCli(td: Teardown): Promise<{ cli: Cli; url: string; port: number }> {
  const cli = runCli(td, ['toxiproxy', '--host', '127.0.0.1', '--port', '0']);
  let match: RegExpExecArray | null = null;
  await waitUntil(
    () => {
      match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(cli.stdout());
      return match !== null || cli.hasExited();
    },
    15_000,
    'the CLI to print its URL',
  );
  assert.ok(match, `no URL printed; exited early? stdout: ${cli.stdout()} stderr: ${cli.stderr()}`);
  const m = match as RegExpExecArray;
  const port = Number(m[1]);
  assert.ok(port > 0);
  return { cli, url: `http://127.0.0.1:${port}`, port };
}

describe('mqtt-chaos toxiproxy', { skip: existsSync(CLI) ? false : `not built: ${CLI}` }, () => {
  test('serves the API on port 0; SIGINT stops it with exit 0 and closes every listener', async (t) => {
    const td = useTeardown(t);
    const echo = await PeerServer.start(td);
    const { cli, url, port } = await startCli(td);

    const version = await rawRequest(url, 'GET', '/version');
    assert.equal(version.status, 200);
    assert.equal(version.text, VERSION_BODY);
    const api = new Api(url);
    const proxy = await api.createProxy('cli', echo.address);
    const proxyPort = portOf(proxy.listen);
    const conn = await Conn.open(proxyPort, td);
    await conn.roundTrip('through the CLI');
    await api.addToxic('cli', { type: 'latency', attributes: { latency: 50 } });

    process.kill(cli.child.pid!, 'SIGINT');
    const { code, signal } = await waitExit(cli, 10_000);
    assert.equal(signal, null, 'exited by itself, not killed');
    assert.equal(code, 0, `exit code (stderr: ${cli.stderr().trim()})`);
    assert.doesNotMatch(cli.stderr(), /\n\s+at /, 'no stack trace');
    await conn.waitEndOrClose(3000);
    assert.equal(await expectRefused(port, td), 'ECONNREFUSED', 'API port closed');
    assert.equal(await expectRefused(proxyPort, td), 'ECONNREFUSED', 'proxy port closed');
  });

  test('SIGTERM stops it with exit 0 too', async (t) => {
    const td = useTeardown(t);
    const { cli, port } = await startCli(td);
    process.kill(cli.child.pid!, 'SIGTERM');
    const { code, signal } = await waitExit(cli, 10_000);
    assert.equal(signal, null);
    assert.equal(code, 0, `exit code (stderr: ${cli.stderr().trim()})`);
    assert.equal(await expectRefused(port, td), 'ECONNREFUSED');
  });

  test('a signal sent the instant the URL line appears still stops it cleanly (5 tries)', async (t) => {
    // A supervisor may signal as soon as it reads the ready line: the handlers must be in
    // place before that line is written.
    const td = useTeardown(t);
    for (let i = 0; i < 5; i++) {
      const signal: NodeJS.Signals = i % 2 === 0 ? 'SIGTERM' : 'SIGINT';
      let sent = false;
      const cli: Cli = runCli(td, ['toxiproxy', '--host', '127.0.0.1', '--port', '0'], (out) => {
        if (!sent && /http:\/\/127\.0\.0\.1:\d+/.test(out)) {
          sent = true;
          process.kill(cli.child.pid!, signal);
        }
      });
      const exit = await waitExit(cli, 15_000);
      assert.ok(sent, `try ${i}: never printed its URL (stderr: ${cli.stderr().trim()})`);
      assert.deepEqual(exit, { code: 0, signal: null }, `try ${i}: ${signal} right after the ready line`);
    }
  });

  test('a port in use: one line on stderr, exit 3, no stack trace', async (t) => {
    const td = useTeardown(t);
    const taken = await occupiedPort(td);
    const cli = runCli(td, ['toxiproxy', '--host', '127.0.0.1', '--port', String(taken)]);
    const { code, signal } = await waitExit(cli, 15_000);
    assert.equal(signal, null);
    assert.equal(code, 3, `exit code (stderr: ${cli.stderr()})`);
    const lines = cli.stderr().trimEnd().split('\n');
    assert.equal(lines.length, 1, `stderr should be one line: ${JSON.stringify(cli.stderr())}`);
    assert.match(lines[0]!, new RegExp(String(taken)), 'the message names the port');
    assert.doesNotMatch(cli.stderr(), /\bat .+:\d+:\d+\)?$/m, 'no stack trace');
    assert.doesNotMatch(cli.stdout(), /http:\/\/127\.0\.0\.1:/, 'never claimed to be ready');
  });

  test('--help lists the toxiproxy command', async (t) => {
    const td = useTeardown(t);
    const cli = runCli(td, ['--help']);
    const { code } = await waitExit(cli, 15_000);
    assert.equal(code, 0);
    assert.match(cli.stdout(), /\btoxiproxy\b/);
  });

  test('toxiproxy --help shows its options', async (t) => {
    const td = useTeardown(t);
    const cli = runCli(td, ['toxiproxy', '--help']);
    const { code } = await waitExit(cli, 15_000);
    assert.equal(code, 0);
    assert.match(cli.stdout(), /--host/);
    assert.match(cli.stdout(), /--port/);
  });
});
