/**
 * The Prometheus probe against a real HTTP endpoint the test serves on 127.0.0.1:0: read,
 * summed over series, refused cleanly when the endpoint misbehaves; and through the engine,
 * sampling an embedded Aedes run on the run timeline.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrometheusProbe } from '../../../src/brokers/memory-prometheus.js';
import { useTeardown } from '../../helpers/teardown.js';
import { planFrom, runPlan, tempDir } from '../run/support.js';
import { closedPort, figuresOf, memoryOf, serveHttp } from './support.js';

const EXPOSITION = (bytes: number) => `# HELP broker_memory_bytes Memory in use.
# TYPE broker_memory_bytes gauge
broker_memory_bytes{area="heap"} ${bytes}
broker_memory_bytes{area="other"} 1000
other_metric 5
`;

describe('Prometheus memory probe', () => {
  it('scrapes a metric (summed over its series, or one series by labels), on the run clock', async (t) => {
    const td = useTeardown(t);
    let bytes = 50_000;
    const server = await serveHttp(td, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(EXPOSITION(bytes));
    });
    const all = new PrometheusProbe({ url: `${server.url}/metrics`, metric: 'broker_memory_bytes' });
    await all.start();
    const first = await all.sample();
    assert.equal(all.unavailable, undefined);
    assert.equal(first?.bytes, 51_000);
    assert.match(all.source, /^broker_memory_bytes from http:\/\/127\.0\.0\.1:\d+\/metrics \(sum of 2 series\)$/);
    bytes = 80_000;
    const second = await all.sample();
    assert.equal(second?.bytes, 81_000);
    assert.ok(second!.at >= first!.at);
    const heap = new PrometheusProbe({ url: `${server.url}/metrics`, metric: 'broker_memory_bytes', labels: { area: 'heap' } });
    await heap.start();
    assert.equal((await heap.sample())?.bytes, 80_000);
  });

  it('says in one line what is wrong: HTTP status, a missing metric, a silent or closed endpoint, a remote host', async (t) => {
    const td = useTeardown(t);
    const server = await serveHttp(td, (req, res) => {
      if (req.url === '/missing') {
        res.writeHead(404).end('not found');
      } else if (req.url === '/silent') {
        // never answers: the probe's own timeout ends it
      } else {
        res.writeHead(200).end(EXPOSITION(1));
      }
    });
    const line = async (url: string, metric = 'broker_memory_bytes', extra: { allowRemote?: boolean } = {}) => {
      const probe = new PrometheusProbe({ url, metric, timeoutMs: 300, ...extra });
      await probe.start();
      assert.equal(await probe.sample(), undefined, `${url}: no value`);
      assert.doesNotMatch(probe.unavailable ?? '', /\n/);
      return probe.unavailable;
    };
    assert.equal(await line(`${server.url}/missing`), `${server.url}/missing answered HTTP 404`);
    assert.equal(await line(`${server.url}/metrics`, 'no_such_bytes'), `${server.url}/metrics has no metric no_such_bytes`);
    assert.equal(await line(`${server.url}/silent`), `${server.url}/silent did not answer within 300 ms`);
    const port = await closedPort();
    assert.match((await line(`http://127.0.0.1:${port}/metrics`)) ?? '', new RegExp(`^http://127\\.0\\.0\\.1:${port}/metrics did not answer: fetch failed: .*ECONNREFUSED`));
    const before = server.requests();
    assert.equal(await line('http://10.255.255.1:9100/metrics'), '10.255.255.1:9100 is not on loopback; pass --allow-remote to scrape another machine');
    assert.equal(server.requests(), before);
  });

  it('through the engine: an Aedes run sampled by a Prometheus probe, every figure from its readings', async (t) => {
    const td = useTeardown(t);
    let scrapes = 0;
    const server = await serveHttp(td, (_req, res) => {
      // Grows by 1 KB a scrape: the peak is the last reading, never a made-up zero.
      scrapes++;
      res.writeHead(200).end(EXPOSITION(100_000 + 1000 * scrapes));
    });
    const dir = await tempDir(td, 'mem-prom');
    const plan = await planFrom(
      dir,
      `name: prom
broker: embedded-aedes
protocols: ["3.1.1"]
memory:
  probes: [{ prometheus: { url: "${server.url}/metrics", metric: broker_memory_bytes, labels: { area: heap } } }]
  interval: 100ms
groups:
  devices: { count: 5, role: subscriber, topic: "p/{run}/{i}", session: { clean: false }, via: direct }
  backend: { count: 1, role: publisher, via: direct }
phases:
  - connect: {}
  - subscribe: {}
  - measure: { label: sessions, settle: 300ms }
  - publish: { from: backend, to: devices, perTarget: 2 }
  - drain: { timeout: 5s }
expect:
  - memory.peak > 0B
`,
    );
    const { run } = await runPlan(td, plan, dir);
    const r = run('3.1.1');
    const memory = memoryOf(r);
    assert.equal(memory.metricsFrom, 'prometheus');
    assert.deepEqual(memory.points.map((p) => p.label), ['start', 'sessions', 'end']);
    const samples = memory.samples.filter((s) => s[2] === 'prometheus');
    assert.ok(samples.length >= 3, `sampled along the run: ${samples.length}`);
    assert.ok(samples.every((s, i) => i === 0 || s[0] > samples[i - 1]![0]), 'in time order, ms from run start');
    const f = figuresOf(r, 'prometheus');
    assert.equal(f.peak, Math.max(...samples.map((s) => s[1])));
    assert.ok(f.perSession !== null && f.perSession > 0, `grew over the connect: ${f.perSession}`);
    assert.equal(r.checks.find((c) => c.name === 'memory.peak > 0B')?.passed, true);
    assert.equal(r.redelivery.delivered, 10, 'the load ran as usual');
  });
});
