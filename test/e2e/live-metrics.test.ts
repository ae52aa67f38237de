/**
 * `run --metrics`: scraped while a real run goes (managed Mosquitto, the embedded fault
 * server cutting the subscribers) and read with a real Prometheus text parser; the figures
 * rise as the run goes, and once settled match result.json. And the flag's refusals.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { findMosquittoBinary } from '../../src/brokers/capabilities.js';
import { CLI, cli, lines } from '../helpers/cli.js';
import { invocationDir, noStackTrace, outDir, readResult, runCli, survivors, waitExit } from '../helpers/cli-process.js';
import { sample, scrape, type Scrape } from '../helpers/scrape.js';
import { expectRefused, occupiedPort, sleep, waitUntil } from '../helpers/tcp.js';
import { useTeardown } from '../helpers/teardown.js';

const mosquitto = await findMosquittoBinary();
const skip = !existsSync(CLI) ? `not built: ${CLI}` : mosquitto ? false : 'mosquitto is not installed';
const SCENARIO = fileURLToPath(new URL('../../../test/fixtures/live-metrics/scrape.yaml', import.meta.url));
/** The fixture: 2 publishers send 20 messages to each of 20 devices, twice. */
const SENT = 2 * 20 * 20;
const run = { scenario: 'live-metrics', run: '5' };
const backend = { ...run, group: 'backend' };
const devices = { ...run, group: 'devices' };

describe('mqtt-chaos run --metrics', { skip }, () => {
  test('scraped during a real run: counters rise, the cut shows, and the settled figures match result.json', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td);
    // Lingers until the test has its last scrape, then Ctrl-C ends it.
    const run$ = runCli(td, ['run', SCENARIO, '--out', out, '--json', '--metrics', '127.0.0.1:0', '--metrics-linger', '10m']);
    let url: string | undefined;
    await waitUntil(() => (url = /metrics: (http:\S+)/.exec(run$.stderr())?.[1]) !== undefined || run$.hasExited(), 60_000, 'the metrics URL on stderr');
    assert.ok(url, `metrics URL printed:\n${run$.stderr()}`);
    const scrapes: Scrape[] = [];
    const settled = (): boolean => run$.stdout().includes('"type":"reports"');
    // Bounded: the run's own deadline ends it long before.
    for (let i = 0; i < 20_000 && !settled() && !run$.hasExited(); i++) {
      const got = await scrape(url!);
      if (got) {
        assert.match(got.contentType, /^text\/plain; version=0\.0\.4/);
        scrapes.push(got.families);
      }
      await sleep(100);
    }
    assert.ok(settled(), `the run wrote its reports:\n${run$.stderr()}`);
    const last = (await scrape(url!))?.families;
    assert.ok(last, 'the server still answers while it lingers');
    run$.child.kill('SIGINT');
    const exit = await waitExit(run$, 60_000);
    assert.equal(exit.code, 130, run$.stderr());
    noStackTrace(run$);
    assert.deepEqual(survivors(run$), []);
    await expectRefused(Number(new URL(url!).port), td);

    // Rising while it went: the publishers' count takes several values on its way to the total.
    const sent = scrapes.map((s) => sample(s, 'mqtt_chaos_messages_sent_total', backend) ?? 0);
    assert.deepEqual([...sent].sort((a, b) => a - b), sent, `never falls: ${sent.join(' ')}`);
    const between = new Set(sent.filter((n) => n > 0 && n < SENT));
    assert.ok(between.size >= 2, `at least two values between 0 and ${SENT} while it ran: ${[...new Set(sent)].join(' ')}`);
    const delivered = scrapes.map((s) => sample(s, 'mqtt_chaos_messages_delivered_total', devices) ?? 0);
    assert.deepEqual([...delivered].sort((a, b) => a - b), delivered, `delivered never falls: ${delivered.join(' ')}`);
    // The cut: on while the devices were away, with messages waiting for them.
    const duringCut = scrapes.filter((s) => sample(s, 'mqtt_chaos_fault_active', { ...run, fault: 'cut' }) === 1);
    assert.ok(duringCut.length > 0, 'a scrape during the cut');
    assert.ok(duringCut.some((s) => (sample(s, 'mqtt_chaos_messages_provisionally_missing', devices) ?? 0) > 0), 'messages missing during the cut');
    assert.ok(scrapes.some((s) => sample(s, 'mqtt_chaos_clients_connected', devices) === 20), 'all 20 devices connected at some scrape');
    const running = scrapes.filter((s) => sample(s, 'mqtt_chaos_run_running', run) === 1);
    assert.ok(running.length > 0 && running.every((s) => sample(s, 'mqtt_chaos_run_settled', run) === 0), 'provisional while it ran');

    // Settled: the last scrape against result.json.
    const result = readResult(invocationDir(out, 'live-metrics'));
    const r = result.runs[0]!;
    assert.equal(sample(last, 'mqtt_chaos_run_settled', run), 1);
    assert.equal(sample(last, 'mqtt_chaos_run_running', run), 0);
    assert.equal(sample(last, 'mqtt_chaos_fault_active', { ...run, fault: 'cut' }), 0, 'healed');
    assert.equal(sample(last, 'mqtt_chaos_result_verdict', { ...run, verdict: r.verdict }), 1);
    for (const outcome of ['expected', 'delivered', 'lost', 'duplicates', 'unexpected', 'notReturned'] as const) {
      assert.equal(sample(last, 'mqtt_chaos_result_messages', { ...run, outcome }), r.redelivery[outcome], outcome);
    }
    // Both final: what the publishers sent, and the first copies the devices got (all owed here).
    assert.equal(sample(last, 'mqtt_chaos_messages_sent_total', backend), SENT);
    assert.equal(r.redelivery.expected, SENT);
    assert.equal(sample(last, 'mqtt_chaos_messages_delivered_total', devices), r.redelivery.delivered);
    assert.equal(sample(last, 'mqtt_chaos_messages_provisionally_missing', devices), r.redelivery.expected - r.redelivery.delivered);
    assert.equal(sample(last, 'mqtt_chaos_messages_in_flight', backend), 0);
    assert.ok((sample(last, 'mqtt_chaos_reconnects_total', devices) ?? 0) > 0, 'the cut devices reconnected');
    const memory = last.find((f) => f.name === 'mqtt_chaos_broker_memory_bytes')?.metrics ?? [];
    assert.ok(memory.some((m) => Number(m.value) > 0), 'a broker memory sample');
    assert.equal(sample(last, 'mqtt_chaos_clients', devices), 20);
  });

  test('SIGTERM mid-run while being scraped: the server closes with the run, exit 143, what was measured is written', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td);
    const run$ = runCli(td, ['run', SCENARIO, '--out', out, '--metrics', '127.0.0.1:0']);
    let url: string | undefined;
    await waitUntil(() => (url = /metrics: (http:\S+)/.exec(run$.stderr())?.[1]) !== undefined || run$.hasExited(), 60_000, 'the metrics URL on stderr');
    assert.ok(url, run$.stderr());
    // Scraped (over kept-alive connections) until messages flow, then stopped in the middle.
    let flowing = false;
    for (let i = 0; i < 20_000 && !flowing && !run$.hasExited(); i++) {
      const got = await scrape(url!);
      flowing = got !== undefined && (sample(got.families, 'mqtt_chaos_messages_sent_total', backend) ?? 0) > 0;
      if (!flowing) await sleep(100);
    }
    assert.ok(flowing, `messages flowed before the end:\n${run$.stderr()}`);
    run$.child.kill('SIGTERM');
    const exit = await waitExit(run$, 60_000);
    assert.equal(exit.code, 143, run$.stderr());
    noStackTrace(run$);
    assert.deepEqual(survivors(run$), []);
    await expectRefused(Number(new URL(url!).port), td);
    assert.equal(readResult(invocationDir(out, 'live-metrics')).runs[0]!.verdict, 'incomplete');
  });

  test('a host outside loopback without --allow-remote: one line naming the flag, exit 2, nothing run', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td);
    const r = await cli(['run', SCENARIO, '--out', out, '--metrics', '0.0.0.0:9464']);
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(lines(r.stderr), ['mqtt-chaos: --metrics 0.0.0.0:9464: 0.0.0.0 is not a loopback address; add --allow-remote to serve metrics beyond this machine']);
    assert.deepEqual(readdirSync(out), []);
  });

  test('not HOST:PORT: one line with an example, exit 2', async () => {
    for (const value of ['9464', '127.0.0.1:http', '127.0.0.1:70000', ':9464']) {
      const r = await cli(['run', SCENARIO, '--metrics', value]);
      assert.equal(r.code, 2, r.stderr);
      assert.deepEqual(lines(r.stderr), [`mqtt-chaos: --metrics ${value}: write HOST:PORT, e.g. --metrics 127.0.0.1:9464 (port 0: any free one)`]);
    }
  });

  test('--metrics-linger without --metrics: one line, exit 2', async () => {
    const r = await cli(['run', SCENARIO, '--metrics-linger', '30s']);
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(lines(r.stderr), ['mqtt-chaos: --metrics-linger 30s: there is nothing to keep serving without --metrics HOST:PORT']);
  });

  test('a port in use: one line naming it, exit 3, before any run starts', async (t) => {
    const td = useTeardown(t);
    const out = await outDir(td);
    const port = await occupiedPort(td);
    const r = await cli(['run', SCENARIO, '--out', out, '--metrics', `127.0.0.1:${port}`]);
    assert.equal(r.code, 3, r.stderr);
    assert.deepEqual(lines(r.stderr), [`mqtt-chaos: --metrics 127.0.0.1:${port}: port ${port} is in use (choose another, or port 0 for any free one)`]);
    assert.deepEqual(readdirSync(out), []);
  });
});
