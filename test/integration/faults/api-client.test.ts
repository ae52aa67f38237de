/**
 * The fault server through toxiproxy-node-client 4.x, the way users' scripts drive a real
 * Toxiproxy: every call succeeds and returns the expected data, and the toxics it sets
 * act on real traffic.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Toxiproxy, ToxiproxyError, type Proxy, type Toxic } from 'toxiproxy-node-client';
import { portOf, startServer } from '../../helpers/faults.js';
import { Conn, PeerServer, expectRefused } from '../../helpers/tcp.js';
import { Teardown } from '../../helpers/teardown.js';

interface LatencyAttrs {
  latency: number;
  jitter: number;
}

describe('toxiproxy-node-client lifecycle', () => {
  const td = new Teardown();
  let echo: PeerServer;
  let other: PeerServer;
  let toxiproxy: Toxiproxy;
  let proxy: Proxy;
  let port = 0;
  let toxic: Toxic<LatencyAttrs>;

  before(async () => {
    echo = await PeerServer.start(td);
    other = await PeerServer.start(td);
    const server = await startServer(td);
    toxiproxy = new Toxiproxy(server.url);
  });
  after(() => td.run());

  it('getVersion', async () => {
    assert.equal(await toxiproxy.getVersion(), '{"version": "2.12.0"}\n');
  });

  it('createProxy', async () => {
    proxy = await toxiproxy.createProxy({ name: 'client', listen: '127.0.0.1:0', upstream: echo.address });
    assert.equal(proxy.name, 'client');
    assert.match(proxy.listen, /^127\.0\.0\.1:\d+$/);
    port = portOf(proxy.listen);
    assert.ok(port > 0);
    assert.equal(proxy.upstream, echo.address);
    assert.equal(proxy.enabled, true);
    const conn = await Conn.open(port, td);
    await conn.roundTrip('hello');
    conn.destroy();
  });

  it('createProxy with a duplicate name rejects with a ToxiproxyError (409)', async () => {
    await assert.rejects(
      toxiproxy.createProxy({ name: 'client', listen: '127.0.0.1:0', upstream: echo.address }),
      (err: unknown) => err instanceof ToxiproxyError && /409/.test(err.message),
    );
  });

  it('createProxy on "localhost:0" (the client\'s own test helper does so)', async () => {
    const local = await toxiproxy.createProxy({ name: 'local', listen: 'localhost:0', upstream: echo.address });
    assert.match(local.listen, /^(127\.0\.0\.1|\[::1\]):\d+$/);
    await local.remove();
  });

  it('getAll', async () => {
    const all = await toxiproxy.getAll();
    assert.deepEqual(Object.keys(all), ['client']);
    const got = all['client']!;
    assert.deepEqual(got.toJson(), { enabled: true, listen: `127.0.0.1:${port}`, name: 'client', upstream: echo.address });
  });

  it('get, and get of an unknown proxy rejects (404)', async () => {
    const got = await toxiproxy.get('client');
    assert.deepEqual(got.toJson(), proxy.toJson());
    await assert.rejects(toxiproxy.get('nope'), (err: unknown) => err instanceof ToxiproxyError && /404/.test(err.message));
  });

  it('update enabled false closes the port; true opens it again', async () => {
    const off = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    assert.equal(off.enabled, false);
    assert.equal(off.listen, `127.0.0.1:${port}`);
    assert.equal(await expectRefused(port, td), 'ECONNREFUSED');
    const on = await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    assert.equal(on.enabled, true);
    assert.equal(on.listen, `127.0.0.1:${port}`);
    const conn = await Conn.open(port, td);
    await conn.roundTrip('back');
    conn.destroy();
  });

  it('addToxic, and it acts on traffic', async () => {
    toxic = await proxy.addToxic<LatencyAttrs>({
      name: 'lat',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 300, jitter: 0 },
    });
    assert.deepEqual(toxic.toJson(), {
      attributes: { latency: 300, jitter: 0 },
      name: 'lat',
      stream: 'downstream',
      toxicity: 1,
      type: 'latency',
    });
    const conn = await Conn.open(port, td);
    const rtt = await conn.roundTrip('slow');
    assert.ok(rtt >= 295, `round trip ${rtt.toFixed(0)} ms`);
    conn.destroy();
  });

  it('getToxic', async () => {
    const got = await proxy.getToxic<LatencyAttrs>('lat');
    assert.deepEqual(got.toJson(), toxic.toJson());
    await assert.rejects(proxy.getToxic('nope'), (err: unknown) => err instanceof ToxiproxyError && /404/.test(err.message));
  });

  it('the proxy lists its toxics', async () => {
    const res = await toxiproxy.getApi().get(`${toxiproxy.host}/proxies/client`);
    const data = res.data as { toxics: unknown[] };
    assert.deepEqual(data.toxics, [toxic.toJson()]);
  });

  it('toxic.update (the client posts the whole toxic back)', async () => {
    const updated = await toxic.update({ ...toxic.toJson(), toxicity: 0.5, attributes: { latency: 100, jitter: 10 } });
    assert.deepEqual(updated.toJson(), {
      attributes: { latency: 100, jitter: 10 },
      name: 'lat',
      stream: 'downstream',
      toxicity: 0.5,
      type: 'latency',
    });
    toxic = updated;
  });

  it('toxic.remove', async () => {
    // Made to delay every round trip by 2 s first, so its absence shows whatever the machine's speed.
    await toxic.update({ ...toxic.toJson(), toxicity: 1, attributes: { latency: 2000, jitter: 0 } });
    await toxic.remove();
    await assert.rejects(proxy.getToxic('lat'), ToxiproxyError);
    const conn = await Conn.open(port, td);
    const rtt = await conn.roundTrip('fast');
    assert.ok(rtt < 2000, `round trip ${rtt.toFixed(0)} ms: still delayed`);
    conn.destroy();
  });

  it('populate: keeps the identical entry, adds new ones', async () => {
    const proxies = await toxiproxy.populate([
      { name: 'client', listen: `127.0.0.1:${port}`, upstream: echo.address },
      { name: 'pop', listen: '127.0.0.1:0', upstream: other.address },
      { name: 'pop-off', listen: '127.0.0.1:0', upstream: other.address, enabled: false },
    ]);
    assert.deepEqual(Object.keys(proxies).sort(), ['client', 'pop', 'pop-off']);
    assert.deepEqual(proxies['client']!.toJson(), { enabled: true, listen: `127.0.0.1:${port}`, name: 'client', upstream: echo.address });
    assert.equal(proxies['pop']!.enabled, true);
    assert.match(proxies['pop']!.listen, /^127\.0\.0\.1:[1-9]\d*$/);
    assert.equal(proxies['pop-off']!.enabled, false);
    const conn = await Conn.open(portOf(proxies['pop']!.listen), td);
    await conn.roundTrip('populated');
    conn.destroy();
    assert.equal(other.peers.length, 1);
  });

  it('reset: re-enables and clears toxics', async () => {
    await proxy.addToxic({ name: 'to', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } });
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await toxiproxy.reset();
    const all = await toxiproxy.getAll();
    assert.deepEqual(Object.keys(all).sort(), ['client', 'pop', 'pop-off']);
    for (const p of Object.values(all)) assert.equal(p.enabled, true, p.name);
    await assert.rejects(proxy.getToxic('to'), ToxiproxyError);
    const conn = await Conn.open(port, td);
    await conn.roundTrip('after reset');
    conn.destroy();
  });

  it('remove', async () => {
    await proxy.remove();
    await assert.rejects(toxiproxy.get('client'), ToxiproxyError);
    assert.equal(await expectRefused(port, td), 'ECONNREFUSED');
    for (const p of Object.values(await toxiproxy.getAll())) await p.remove();
    assert.deepEqual(await toxiproxy.getAll(), {});
  });
});
