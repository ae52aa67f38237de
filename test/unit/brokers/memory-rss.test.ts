import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findProcesses, parseVmRss, RssProbe } from '../../../src/brokers/memory-rss.js';
import { useTeardown, type Teardown } from '../../helpers/teardown.js';

async function tempDir(td: Teardown, tag: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `mqtt-chaos-${tag}-`));
  td.add(`rm ${dir}`, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

const STATUS = (rssKb: number | undefined) => `Name:\tmosquitto\nState:\tS (sleeping)\nVmPeak:\t   20000 kB\n${rssKb === undefined ? '' : `VmRSS:\t   ${rssKb} kB\n`}Threads:\t1\n`;

async function fakeProc(dir: string, entries: Record<number, { comm: string; cmdline: string; rssKb?: number }>): Promise<void> {
  for (const [pid, e] of Object.entries(entries)) {
    await mkdir(`${dir}/${pid}`, { recursive: true });
    await writeFile(`${dir}/${pid}/comm`, `${e.comm}\n`);
    await writeFile(`${dir}/${pid}/cmdline`, `${e.cmdline.split(' ').join('\0')}\0`);
    await writeFile(`${dir}/${pid}/status`, STATUS(e.rssKb));
  }
}

describe('RSS probe', { skip: process.platform !== 'linux' ? 'needs /proc' : false }, () => {
  it('parses VmRSS in kB into bytes; none for a zombie', () => {
    assert.equal(parseVmRss(STATUS(8432)), 8432 * 1024);
    assert.equal(parseVmRss(STATUS(undefined)), undefined);
  });

  it('reads a live process (this one) as a positive size, on the run clock', async () => {
    const probe = new RssProbe({ kind: 'pid', pid: () => process.pid, what: 'this test' });
    await probe.start();
    const sample = await probe.sample();
    assert.equal(probe.unavailable, undefined);
    assert.ok(sample && sample.bytes > 1_000_000, `a Node process holds megabytes: ${JSON.stringify(sample)}`);
    assert.ok(Math.abs(sample.at - performance.now()) < 1000);
  });

  it('follows the pid it is given (a restarted broker), and says when the process is gone — never 0', async (t) => {
    const dir = await tempDir(useTeardown(t), 'proc');
    await fakeProc(dir, { 101: { comm: 'mosquitto', cmdline: '/usr/sbin/mosquitto -c x', rssKb: 100 }, 102: { comm: 'mosquitto', cmdline: 'mosquitto', rssKb: 300 } });
    let pid: number | undefined = 101;
    const probe = new RssProbe({ kind: 'pid', pid: () => pid, what: 'the managed Mosquitto' }, dir);
    await probe.start();
    assert.equal((await probe.sample())?.bytes, 100 * 1024);
    pid = 102;
    assert.equal((await probe.sample())?.bytes, 300 * 1024);
    assert.match(probe.source, /\/proc\/102\/status/);
    pid = 999;
    assert.equal(await probe.sample(), undefined);
    assert.equal(probe.unavailable, 'process 999 is gone');
    pid = undefined;
    assert.equal(await probe.sample(), undefined);
    assert.match(probe.unavailable ?? '', /no pid/);
  });

  it('finds a process by name (comm or argv[0]), and refuses an ambiguous or missing name with one line', async (t) => {
    const dir = await tempDir(useTeardown(t), 'proc');
    await fakeProc(dir, {
      201: { comm: 'emqx', cmdline: '/opt/emqx/bin/emqx foreground', rssKb: 50 },
      202: { comm: 'beam.smp', cmdline: '/opt/erts/bin/beam.smp -- x', rssKb: 60 },
      203: { comm: 'mosquitto', cmdline: 'mosquitto', rssKb: 1 },
      204: { comm: 'mosquitto', cmdline: 'mosquitto', rssKb: 2 },
    });
    assert.deepEqual(await findProcesses('beam.smp', dir), [202]);
    const one = new RssProbe({ kind: 'process', name: 'emqx' }, dir);
    await one.start();
    assert.equal((await one.sample())?.bytes, 50 * 1024);
    const two = new RssProbe({ kind: 'process', name: 'mosquitto' }, dir);
    await two.start();
    assert.equal(await two.sample(), undefined);
    assert.match(two.unavailable ?? '', /^2 processes are named "mosquitto" \(pids 203, 204\): give memory\.probes \{ rss: \{ pid \} \} instead$/);
    const none = new RssProbe({ kind: 'process', name: 'nope' }, dir);
    await none.start();
    assert.equal(none.unavailable, 'no process named "nope" is running');
  });
});
