/**
 * Each toxic's effect on real TCP connections: client → fault-server proxy → an upstream
 * of ours on loopback (echoing, or recording what it receives). Semantics from Toxiproxy's
 * link.go and toxics/*.go. Delays are asserted as lower bounds with generous upper
 * bounds; rates within a tolerance, so a loaded 2-core machine does not flake.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { Api, portOf, startServer } from '../../helpers/faults.js';
import {
  Conn,
  PeerServer,
  closedPort,
  expectRefused,
  now,
  sleep,
  waitUntil,
} from '../../helpers/tcp.js';
import { useTeardown } from '../../helpers/teardown.js';

/** Timer slack: a delay measured on loopback may come out a hair under the configured one. */
const SLACK = 5;

async function setup(t: TestContext, options: { echo?: boolean } = {}) {
  const td = useTeardown(t);
  const peer = await PeerServer.start(td, options);
  const server = await startServer(td);
  const api = new Api(server.url);
  const proxy = await api.createProxy('p', peer.address);
  return { td, peer, server, api, port: portOf(proxy.listen) };
}

function pattern(length: number, seed = 7): Buffer {
  const buf = Buffer.alloc(length);
  for (let i = 0; i < length; i++) buf[i] = (i * 31 + seed) & 0xff;
  return buf;
}

describe('latency', () => {
  test('downstream latency delays the reply by at least the latency', async (t) => {
    const { td, api, port } = await setup(t);
    await api.addToxic('p', { type: 'latency', attributes: { latency: 300 } });
    const conn = await Conn.open(port, td);
    for (let i = 0; i < 3; i++) {
      const rtt = await conn.roundTrip(`ping-${i}`);
      assert.ok(rtt >= 300 - SLACK, `round trip ${rtt.toFixed(0)} ms < 300 ms`);
    }
  });

  test('upstream and downstream latencies add up', async (t) => {
    const { td, api, port } = await setup(t);
    await api.addToxic('p', { type: 'latency', stream: 'upstream', attributes: { latency: 150 } });
    await api.addToxic('p', { type: 'latency', stream: 'downstream', attributes: { latency: 200 } });
    const conn = await Conn.open(port, td);
    const rtt = await conn.roundTrip('both');
    assert.ok(rtt >= 350 - SLACK, `round trip ${rtt.toFixed(0)} ms < 350 ms`);
  });

  test('jitter: each delay within latency ± jitter, and they vary (20 connections)', async (t) => {
    const { td, api, port } = await setup(t);
    await api.addToxic('p', { type: 'latency', attributes: { latency: 200, jitter: 100 } });
    const conns = await Promise.all(Array.from({ length: 20 }, () => Conn.open(port, td)));
    const rtts = await Promise.all(conns.map((c, i) => c.roundTrip(`j${i}`, 5000)));
    const min = Math.min(...rtts);
    const max = Math.max(...rtts);
    assert.ok(min >= 100 - SLACK, `a delay of ${min.toFixed(0)} ms is under latency - jitter (100 ms)`);
    // Uniform in [100, 300): 20 delays spread over less than 60 ms has a chance of about 2e-9.
    // A loaded machine adds to every delay, which moves them all, not closer together.
    assert.ok(max - min >= 60, `delays ${rtts.map((r) => r.toFixed(0)).join(', ')} hardly vary: jitter not applied?`);
  });

  test('latency is pipelined: 10 chunks sent 20 ms apart take about one latency, not ten', async (t) => {
    const { td, api, port } = await setup(t);
    await api.addToxic('p', { type: 'latency', attributes: { latency: 400 } });
    const conn = await Conn.open(port, td);
    const sentAt: number[] = [];
    const chunk = 'chunk-xx|';
    for (let i = 0; i < 10; i++) {
      sentAt.push(conn.write(chunk.replace('xx', String(i).padStart(2, '0'))));
      await sleep(20);
    }
    await conn.waitBytes(10 * chunk.length, 8000);
    for (let i = 0; i < 10; i++) {
      const arrived = conn.timeOfByte((i + 1) * chunk.length)!;
      assert.ok(arrived - sentAt[i]! >= 400 - SLACK, `chunk ${i} took ${(arrived - sentAt[i]!).toFixed(0)} ms < 400 ms`);
    }
    const total = conn.timeOfByte(10 * chunk.length)! - sentAt[0]!;
    assert.ok(total < 10 * 400, `10 chunks took ${total.toFixed(0)} ms: delays are serialised, not pipelined (serial ≥ 4000 ms)`);
    assert.equal(conn.data.toString(), Array.from({ length: 10 }, (_, i) => `chunk-${String(i).padStart(2, '0')}|`).join(''));
  });

  test('upstream vs downstream: only the configured direction is delayed', async (t) => {
    const { td, api, port, peer } = await setup(t, { echo: false });
    const conn = await Conn.open(port, td);
    await peer.waitPeers(1, 3000);
    const upstreamSide = peer.peers[0]!;

    await api.addToxic('p', { name: 'up', type: 'latency', stream: 'upstream', attributes: { latency: 600 } });
    let sent = conn.write('to-server');
    await upstreamSide.waitBytes(9, 5000);
    const upDelay = upstreamSide.timeOfByte(9)! - sent;
    sent = upstreamSide.write('to-client');
    await conn.waitBytes(9, 5000);
    const downDelay = conn.timeOfByte(9)! - sent;
    assert.ok(upDelay >= 600 - SLACK, `upstream toxic: client→server took ${upDelay.toFixed(0)} ms`);
    assert.ok(downDelay < 600 - SLACK, `upstream toxic: server→client took ${downDelay.toFixed(0)} ms, as if delayed too`);
    await api.removeToxic('p', 'up');

    await api.addToxic('p', { name: 'down', type: 'latency', stream: 'downstream', attributes: { latency: 600 } });
    sent = conn.write('again-srv');
    await upstreamSide.waitBytes(18, 5000);
    const upDelay2 = upstreamSide.timeOfByte(18)! - sent;
    sent = upstreamSide.write('again-cli');
    await conn.waitBytes(18, 5000);
    const downDelay2 = conn.timeOfByte(18)! - sent;
    assert.ok(upDelay2 < 600 - SLACK, `downstream toxic: client→server took ${upDelay2.toFixed(0)} ms, as if delayed too`);
    assert.ok(downDelay2 >= 600 - SLACK, `downstream toxic: server→client took ${downDelay2.toFixed(0)} ms`);
  });
});

describe('bandwidth', () => {
  test('downstream rate 100 KB/s: 100 kB arrive in about 1 s (±35% on the rate)', async (t) => {
    const { td, api, port } = await setup(t);
    await api.addToxic('p', { type: 'bandwidth', attributes: { rate: 100 } });
    const conn = await Conn.open(port, td);
    const payload = pattern(100_000);
    const start = conn.write(payload);
    await conn.waitBytes(payload.length, 10_000);
    const elapsed = conn.timeOfByte(payload.length)! - start;
    const rate = payload.length / (elapsed / 1000);
    assert.ok(rate <= 135_000, `rate ${(rate / 1000).toFixed(1)} KB/s over 100 KB/s + 35% (took ${elapsed.toFixed(0)} ms)`);
    assert.ok(rate >= 40_000, `rate ${(rate / 1000).toFixed(1)} KB/s far under 100 KB/s (took ${elapsed.toFixed(0)} ms)`);
    assert.ok(conn.data.equals(payload), 'data intact');
  });

  test('upstream bandwidth limits only client→server', async (t) => {
    const { td, api, port, peer } = await setup(t, { echo: false });
    await api.addToxic('p', { type: 'bandwidth', stream: 'upstream', attributes: { rate: 50 } });
    const conn = await Conn.open(port, td);
    await peer.waitPeers(1, 3000);
    const server = peer.peers[0]!;
    const payload = pattern(50_000);
    const start = server.write(payload);
    await conn.waitBytes(payload.length, 5000);
    const down = conn.timeOfByte(payload.length)! - start;
    assert.ok(down < 500, `server→client unthrottled, took ${down.toFixed(0)} ms`);
    const start2 = conn.write(payload);
    await server.waitBytes(payload.length, 10_000);
    const up = server.timeOfByte(payload.length)! - start2;
    const rate = payload.length / (up / 1000);
    assert.ok(rate <= 50_000 * 1.35, `upstream rate ${(rate / 1000).toFixed(1)} KB/s over 50 KB/s + 35%`);
    assert.ok(rate >= 20_000, `upstream rate ${(rate / 1000).toFixed(1)} KB/s`);
  });
});

describe('slow_close', () => {
  test('the close from upstream reaches the client only after the delay', async (t) => {
    const { td, api, port, peer } = await setup(t);
    await api.addToxic('p', { type: 'slow_close', attributes: { delay: 500 } });
    const conn = await Conn.open(port, td);
    await conn.roundTrip('hello');
    const upstreamSide = peer.peers[0]!;
    const closedAt = now();
    upstreamSide.socket.end();
    await conn.waitEndOrClose(5000);
    const delay = conn.goneAt! - closedAt;
    assert.ok(delay >= 500 - SLACK, `close passed on after ${delay.toFixed(0)} ms < 500 ms`);
    assert.ok(delay < 500 + 2500, `close passed on after ${delay.toFixed(0)} ms`);
  });

  test('without the toxic the close passes at once (control)', async (t) => {
    const { td, port, peer } = await setup(t);
    const conn = await Conn.open(port, td);
    await conn.roundTrip('hello');
    const closedAt = now();
    peer.peers[0]!.socket.end();
    await conn.waitEndOrClose(3000);
    assert.ok(conn.goneAt! - closedAt < 400, `close took ${(conn.goneAt! - closedAt).toFixed(0)} ms`);
  });
});

describe('timeout', () => {
  test('timeout 0 stalls: no data, no close for 1 s; removing the toxic closes the connection', async (t) => {
    const { td, api, port, peer } = await setup(t);
    await api.addToxic('p', { name: 'hole', type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
    const conn = await Conn.open(port, td);
    conn.write('into the void');
    await sleep(1000);
    assert.equal(conn.received, 0, 'no data came back');
    assert.equal(conn.goneAt, undefined, 'connection still open');
    await peer.waitPeers(1, 1000);
    assert.equal(peer.peers[0]!.received, 0, 'upstream got nothing');
    await api.removeToxic('p', 'hole');
    await conn.waitEndOrClose(3000);
    assert.equal(conn.received, 0, 'stalled data is dropped, not delivered');
  });

  test('downstream timeout 0: the upstream gets the data, the client gets nothing', async (t) => {
    const { td, api, port, peer } = await setup(t);
    await api.addToxic('p', { type: 'timeout', attributes: { timeout: 0 } });
    const conn = await Conn.open(port, td);
    conn.write('echo me');
    await peer.waitPeers(1, 3000);
    await peer.peers[0]!.waitBytes(7, 3000);
    await sleep(800);
    assert.equal(conn.received, 0);
    assert.equal(conn.goneAt, undefined);
  });

  test('timeout N closes after N ms without data, the timer restarting on data', async (t) => {
    const { td, api, port } = await setup(t);
    await api.addToxic('p', { type: 'timeout', stream: 'upstream', attributes: { timeout: 600 } });
    const idle = await Conn.open(port, td);
    const busy = await Conn.open(port, td);
    let lastWrite = now();
    for (let i = 0; i < 6; i++) {
      lastWrite = busy.write('tick');
      await sleep(150);
    }
    assert.equal(busy.goneAt, undefined, 'data every 150 ms keeps a 600 ms timeout from firing');
    await idle.waitEndOrClose(3000);
    const idleAfter = idle.goneAt! - idle.connectedAt;
    assert.ok(idleAfter >= 600 - SLACK, `idle connection closed after ${idleAfter.toFixed(0)} ms < 600 ms`);
    assert.ok(idleAfter < 600 + 2500, `idle connection closed after ${idleAfter.toFixed(0)} ms`);
    await busy.waitEndOrClose(3000);
    const busyAfter = busy.goneAt! - lastWrite;
    assert.ok(busyAfter >= 600 - SLACK - 20, `busy connection closed ${busyAfter.toFixed(0)} ms after its last data`);
    assert.equal(busy.received, 0, 'a timeout toxic drops the data');
  });
});

describe('reset_peer', () => {
  test('connections opened while it exists are reset (ECONNRESET) on their first data', async (t) => {
    const { td, api, port } = await setup(t);
    await api.addToxic('p', { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
    const conn = await Conn.open(port, td);
    const sent = conn.write('hello');
    await conn.waitClosed(3000);
    assert.equal(conn.error?.code, 'ECONNRESET', `expected a reset, got ${conn.error?.code ?? 'a clean close'}`);
    assert.ok(conn.closedAt! - sent < 1500);
  });

  test('its timeout delays the reset', async (t) => {
    const { td, api, port } = await setup(t);
    await api.addToxic('p', { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 400 } });
    const conn = await Conn.open(port, td);
    await sleep(100);
    assert.equal(conn.closed, false, 'no reset before any data');
    const sent = conn.write('hello');
    await conn.waitClosed(4000);
    assert.equal(conn.error?.code, 'ECONNRESET');
    const after = conn.closedAt! - sent;
    assert.ok(after >= 400 - SLACK, `reset after ${after.toFixed(0)} ms < 400 ms`);
    assert.ok(after < 400 + 2500);
  });

  test('connections opened before it was added get a plain FIN, not a reset', async (t) => {
    const { td, api, port } = await setup(t);
    const conn = await Conn.open(port, td);
    await conn.roundTrip('before');
    await api.addToxic('p', { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
    conn.write('after');
    await conn.waitClosed(3000);
    assert.equal(conn.error, undefined, `expected FIN, got ${conn.error?.code}`);
    assert.notEqual(conn.endedAt, undefined, 'the client saw a FIN (end)');
    assert.equal(conn.received, 'before'.length, 'nothing after the toxic');
  });
});

describe('slicer', () => {
  test('data arrives intact in several chunks', async (t) => {
    const { td, api, port } = await setup(t);
    await api.addToxic('p', { type: 'slicer', attributes: { average_size: 100, size_variation: 20, delay: 10_000 } });
    const conn = await Conn.open(port, td);
    const payload = pattern(5000);
    conn.write(payload);
    await conn.waitBytes(payload.length, 10_000);
    assert.ok(conn.data.equals(payload), 'data intact and in order');
    assert.ok(conn.chunks.length >= 5, `arrived in ${conn.chunks.length} chunks; expected it sliced`);
    const span = conn.chunks.at(-1)!.at - conn.chunks[0]!.at;
    assert.ok(span >= 100, `slices spread over ${span.toFixed(0)} ms; ~50 slices 10 ms apart expected`);
  });
});

describe('limit_data', () => {
  test('downstream: exactly N bytes reach the client, then it is closed; per connection', async (t) => {
    const { td, api, port } = await setup(t);
    await api.addToxic('p', { type: 'limit_data', attributes: { bytes: 1000 } });
    for (let i = 0; i < 2; i++) {
      const conn = await Conn.open(port, td);
      const payload = pattern(3000, i);
      conn.write(payload);
      await conn.waitEndOrClose(5000);
      await sleep(100);
      assert.equal(conn.received, 1000, `connection ${i}: got ${conn.received} bytes`);
      assert.ok(conn.data.equals(payload.subarray(0, 1000)));
    }
  });

  test('upstream: exactly N bytes reach the server; the other direction is not limited', async (t) => {
    const { td, api, port, peer } = await setup(t, { echo: false });
    await api.addToxic('p', { type: 'limit_data', stream: 'upstream', attributes: { bytes: 1000 } });
    const conn = await Conn.open(port, td);
    await peer.waitPeers(1, 3000);
    const server = peer.peers[0]!;
    const down = pattern(3000, 1);
    server.write(down);
    await conn.waitBytes(3000, 3000);
    assert.ok(conn.data.equals(down), 'server→client not limited');
    const up = pattern(3000, 2);
    conn.write(up);
    await conn.waitEndOrClose(5000);
    await server.waitEndOrClose(3000);
    assert.equal(server.received, 1000, `server got ${server.received} bytes`);
    assert.ok(server.data.equals(up.subarray(0, 1000)));
  });
});

describe('toxicity', () => {
  test('toxicity 0 never applies; 1 always does (5 connections each)', async (t) => {
    const { td, api, port } = await setup(t);
    await api.addToxic('p', { name: 'never', type: 'latency', toxicity: 0, attributes: { latency: 600 } });
    const free = await Promise.all(Array.from({ length: 5 }, () => Conn.open(port, td)));
    const fast = await Promise.all(free.map((c, i) => c.roundTrip(`f${i}`)));
    for (const rtt of fast) assert.ok(rtt < 450, `toxicity 0 applied? round trip ${rtt.toFixed(0)} ms`);
    await api.removeToxic('p', 'never');

    await api.addToxic('p', { name: 'always', type: 'latency', toxicity: 1, attributes: { latency: 600 } });
    const hit = await Promise.all(Array.from({ length: 5 }, () => Conn.open(port, td)));
    const slow = await Promise.all(hit.map((c, i) => c.roundTrip(`s${i}`)));
    for (const rtt of slow) assert.ok(rtt >= 600 - SLACK, `toxicity 1 not applied? round trip ${rtt.toFixed(0)} ms`);
  });
});

describe('toxics on live connections', () => {
  test('adding latency delays an open connection; removing it restores it', async (t) => {
    const { td, api, port } = await setup(t);
    const conn = await Conn.open(port, td);
    const before = await conn.roundTrip('before');
    assert.ok(before < 450, `baseline ${before.toFixed(0)} ms`);
    await api.addToxic('p', { name: 'lat', type: 'latency', attributes: { latency: 500 } });
    const during = await conn.roundTrip('during');
    assert.ok(during >= 500 - SLACK, `after adding latency: ${during.toFixed(0)} ms`);
    await api.updateToxic('p', 'lat', { attributes: { latency: 900 } });
    const updated = await conn.roundTrip('updated');
    assert.ok(updated >= 900 - SLACK, `after raising latency: ${updated.toFixed(0)} ms`);
    await api.removeToxic('p', 'lat');
    const after = await conn.roundTrip('after');
    assert.ok(after < 450, `after removing latency: ${after.toFixed(0)} ms`);
    assert.equal(conn.data.toString(), 'beforeduringupdatedafter');
  });
});

describe('enable / disable', () => {
  test('disabling closes live connections (both sides) and refuses new ones; re-enabling accepts again', async (t) => {
    const { td, api, port, peer } = await setup(t);
    const a = await Conn.open(port, td);
    const b = await Conn.open(port, td);
    await a.roundTrip('a');
    await b.roundTrip('b');
    const cutAt = now();
    await api.updateProxy('p', { enabled: false });
    await a.waitEndOrClose(1500);
    await b.waitEndOrClose(1500);
    await waitUntil(() => peer.peers.every((s) => s.goneAt !== undefined), 1500, 'the upstream sides to close');
    assert.ok(a.goneAt! - cutAt < 1500);
    assert.equal(await expectRefused(port, td), 'ECONNREFUSED');
    await api.updateProxy('p', { enabled: true });
    const c = await Conn.open(port, td);
    await c.roundTrip('again');
  });
});

describe('upstream failures', () => {
  test('an unreachable upstream closes the client at once', async (t) => {
    const { td, api } = await setup(t);
    const dead = await closedPort();
    const p = await api.createProxy('dead', `127.0.0.1:${dead}`);
    const conn = await Conn.open(portOf(p.listen), td);
    await conn.waitEndOrClose(1500);
    assert.ok(conn.goneAt! - conn.connectedAt < 1500);
    assert.equal(conn.received, 0);
  });

  test('one failing upstream connection affects only its own client', async (t) => {
    const { td, port, peer } = await setup(t);
    const a = await Conn.open(port, td);
    await a.roundTrip('a');
    const b = await Conn.open(port, td);
    await b.roundTrip('b');
    const aSide = peer.peers.find((p) => p.data.toString() === 'a')!;
    assert.ok(aSide, 'found the upstream side of client a');
    aSide.socket.destroy();
    await a.waitEndOrClose(2000);
    await b.roundTrip('still here');
    assert.equal(b.goneAt, undefined);
    const c = await Conn.open(port, td);
    await c.roundTrip('new one');
  });

  test('a loopback upstream given by host name (localhost) is dialled', async (t) => {
    const { td, api, peer } = await setup(t);
    const p = await api.createProxy('named', `localhost:${peer.port}`);
    assert.equal(p.upstream, `localhost:${peer.port}`);
    const conn = await Conn.open(portOf(p.listen), td);
    await conn.roundTrip('by name');
  });

  test('IPv6 loopback works for listen and upstream', async (t) => {
    const { td, api, peer } = await setup(t);
    const res = await api.call('POST', '/proxies', { name: 'v6', listen: '[::1]:0', upstream: `127.0.0.1:${peer.port}` });
    if (res.status === 500 && /cannot assign requested address/.test(res.text)) {
      t.skip('no IPv6 loopback on this machine');
      return;
    }
    assert.equal(res.status, 201, res.text);
    const p = JSON.parse(res.text) as { listen: string };
    const m = /^\[::1\]:(\d+)$/.exec(p.listen);
    assert.ok(m, `listen ${p.listen}`);
    const conn = await Conn.open(Number(m[1]), td, '::1');
    await conn.roundTrip('over v6');
  });

  test('an upstream outside loopback is refused without dialling (client closed promptly)', async (t) => {
    const { td, api } = await setup(t);
    // TEST-NET-1 (RFC 5737): nothing there; a real dial would hang until the OS connect timeout.
    const p = await api.createProxy('remote', '192.0.2.1:1883');
    const conn = await Conn.open(portOf(p.listen), td);
    conn.write('anyone?');
    await conn.waitEndOrClose(1500);
    assert.ok(conn.goneAt! - conn.connectedAt < 1500, 'closed well under any connect timeout');
    assert.equal(conn.received, 0);
    // The API still shows it as Toxiproxy would: the check is at dial time only.
    const shown = await api.getProxy('remote');
    assert.equal(shown.upstream, '192.0.2.1:1883');
    assert.equal(shown.enabled, true);
  });
});
