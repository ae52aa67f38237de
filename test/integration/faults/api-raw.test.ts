/**
 * The embedded fault server's HTTP API by raw HTTP, against the recorded exchange with a
 * real Toxiproxy 2.12.0 (test/fixtures/toxiproxy/transcript-2.12.0.txt) and the Go
 * source (api.go, proxy.go, proxy_collection.go, toxic_collection.go): status codes,
 * exact bodies, Content-Type, and the request-id header on matched routes only.
 * Listen addresses are 127.0.0.1:0; the real ports are substituted into expected bodies.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, test } from 'node:test';
import {
  ERROR_CT,
  JSON_CT,
  REQUEST_ID,
  VERSION_BODY,
  VERSION_CT,
  expectApiError,
  expectBadBody,
  expectMethodNotAllowed,
  expectNoContent,
  expectOk,
  expectPageNotFound,
  expectResponse,
  listenPortIn,
  proxyBody,
  seenRequestIds,
  toxicBody,
} from '../../helpers/api-expect.js';
import { Api, portOf, startServer, type FaultServerHandle } from '../../helpers/faults.js';
import { rawExchange, rawRequest, type RawResponse } from '../../helpers/http.js';
import { Conn, PeerServer, expectRefused, occupiedPort, sleep, waitUntil } from '../../helpers/tcp.js';
import { Teardown, useTeardown } from '../../helpers/teardown.js';

const UA = { 'User-Agent': 'mqtt-chaos-tests/1.0' };

function client(server: FaultServerHandle) {
  return (method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) =>
    rawRequest(server.url, method, path, {
      ...(body === undefined ? {} : { body }),
      headers: { ...UA, ...headers },
    });
}

const LAT500 = toxicBody('{"latency":500,"jitter":0}', 'lat', 'latency', 'downstream', 1);
const LAT_DEFAULT = toxicBody('{"latency":10,"jitter":0}', 'latency_downstream', 'latency', 'downstream', 1);
const Z = toxicBody('{"latency":0,"jitter":0}', 'z', 'latency', 'downstream', 2);
const TO = toxicBody('{"timeout":1000}', 'to', 'timeout', 'upstream', 1);
const RP = toxicBody('{"timeout":200}', 'rp', 'reset_peer', 'upstream', 0.5);
const BW = toxicBody('{"rate":100}', 'bw', 'bandwidth', 'downstream', 1);
const SC = toxicBody('{"delay":100}', 'sc', 'slow_close', 'downstream', 1);
const SL = toxicBody('{"average_size":16,"size_variation":8,"delay":10}', 'sl', 'slicer', 'downstream', 1);
const LD = toxicBody('{"bytes":4096}', 'ld', 'limit_data', 'downstream', 1);

describe('transcript replay (real 2.12.0 exchange, port-0 listens)', () => {
  const td = new Teardown();
  let server: FaultServerHandle;
  let echo: PeerServer;
  let req: ReturnType<typeof client>;
  let UP = '';
  let M = 0; // the "mqtt" proxy's port
  let A = 0; // the "auto" proxy's port
  let mqtt = (_enabled: boolean, _toxics: string[] = []): string => '';
  let auto = (): string => '';

  before(async () => {
    echo = await PeerServer.start(td);
    server = await startServer(td);
    req = client(server);
    UP = echo.address;
  });
  after(() => td.run());

  it('GET /version', async () => {
    expectResponse(await req('GET', '/version'), { status: 200, body: VERSION_BODY, contentType: VERSION_CT }, 'version');
  });

  it('GET /proxies when empty', async () => {
    expectOk(await req('GET', '/proxies'), '{}', 'index');
  });

  it('POST /proxies creates "mqtt" (201, listen :0 comes back as the real port)', async () => {
    const res = await req('POST', '/proxies', `{"name":"mqtt","listen":"127.0.0.1:0","upstream":"${UP}","enabled":true}`);
    M = listenPortIn(res.text);
    mqtt = (enabled, toxics = []) => proxyBody('mqtt', `127.0.0.1:${M}`, UP, enabled, toxics);
    expectOk(res, mqtt(true), 'create mqtt', 201);
    const conn = await Conn.open(M, td);
    assert.ok((await conn.roundTrip('via-proxy')) >= 0);
    conn.destroy();
  });

  it('POST /proxies with an existing name → 409', async () => {
    const res = await req('POST', '/proxies', `{"name":"mqtt","listen":"127.0.0.1:0","upstream":"${UP}"}`);
    expectApiError(res, 409, 'proxy already exists', 'duplicate');
  });

  it('POST /proxies on a listen address in use → 500 with Go\'s bind text', async () => {
    const res = await req('POST', '/proxies', `{"name":"mqtt2","listen":"127.0.0.1:${M}","upstream":"${UP}"}`);
    expectApiError(res, 500, `listen tcp 127.0.0.1:${M}: bind: address already in use`, 'bind');
    expectApiError(await req('GET', '/proxies/mqtt2'), 404, 'proxy not found', 'mqtt2 not created');
  });

  it('POST /proxies without name / upstream → 400', async () => {
    expectApiError(
      await req('POST', '/proxies', `{"listen":"127.0.0.1:0","upstream":"${UP}"}`),
      400,
      'missing required field: name',
      'no name',
    );
    expectApiError(
      await req('POST', '/proxies', '{"name":"noup","listen":"127.0.0.1:0"}'),
      400,
      'missing required field: upstream',
      'no upstream',
    );
  });

  it('POST /proxies with truncated JSON → 400 unexpected EOF', async () => {
    expectApiError(await req('POST', '/proxies', '{"name":"bad json"'), 400, 'bad request body: unexpected EOF', 'bad json');
  });

  it('POST /proxies "auto" on port 0', async () => {
    const res = await req('POST', '/proxies', `{"name":"auto","listen":"127.0.0.1:0","upstream":"${UP}"}`);
    A = listenPortIn(res.text);
    assert.notEqual(A, M);
    auto = () => proxyBody('auto', `127.0.0.1:${A}`, UP, true);
    expectOk(res, auto(), 'create auto', 201);
  });

  it('GET /proxies lists both, keys sorted', async () => {
    expectOk(await req('GET', '/proxies'), `{"auto":${auto()},"mqtt":${mqtt(true)}}`, 'index');
  });

  it('GET /proxies/{name} and an unknown name', async () => {
    expectOk(await req('GET', '/proxies/mqtt'), mqtt(true), 'show');
    expectApiError(await req('GET', '/proxies/nope'), 404, 'proxy not found', 'show nope');
  });

  it('POST a latency toxic → 200 (not 201), and it delays the proxied traffic', async () => {
    const res = await req(
      'POST',
      '/proxies/mqtt/toxics',
      '{"name":"lat","type":"latency","stream":"downstream","toxicity":1.0,"attributes":{"latency":500,"jitter":0}}',
    );
    expectOk(res, LAT500, 'add lat');
    const conn = await Conn.open(M, td);
    const rtt = await conn.roundTrip('slow', 5000);
    assert.ok(rtt >= 495, `round trip ${rtt.toFixed(0)} ms should be ≥ 500 ms`);
    conn.destroy();
  });

  it('toxic defaults: name <type>_<stream>, stream downstream, toxicity 1, zero attributes', async () => {
    expectOk(await req('POST', '/proxies/mqtt/toxics', '{"type":"latency","attributes":{"latency":10}}'), LAT_DEFAULT, 'default name');
  });

  it('toxic errors: 409 duplicate, 400 invalid type, 400 invalid stream', async () => {
    expectApiError(
      await req('POST', '/proxies/mqtt/toxics', '{"name":"lat","type":"latency","attributes":{"latency":10}}'),
      409,
      'toxic already exists',
      'dup toxic',
    );
    expectApiError(await req('POST', '/proxies/mqtt/toxics', '{"name":"x","type":"no_such_toxic"}'), 400, 'invalid toxic type', 'bad type');
    expectApiError(
      await req('POST', '/proxies/mqtt/toxics', '{"name":"y","type":"latency","stream":"sideways"}'),
      400,
      'stream was invalid, can be either upstream or downstream',
      'bad stream',
    );
  });

  it('toxicity 2 is accepted as given', async () => {
    expectOk(await req('POST', '/proxies/mqtt/toxics', '{"name":"z","type":"latency","toxicity":2}'), Z, 'toxicity 2');
  });

  it('a string for an int64 attribute → 400 with Go\'s unmarshal text', async () => {
    expectApiError(
      await req('POST', '/proxies/mqtt/toxics', '{"name":"badattr","type":"latency","attributes":{"latency":"abc"}}'),
      400,
      'bad request body: json: cannot unmarshal string into Go struct field LatencyToxic.attributes.latency of type int64',
      'bad attr',
    );
  });

  it('toxic on an unknown proxy → 404', async () => {
    expectApiError(
      await req('POST', '/proxies/nope/toxics', '{"type":"latency","attributes":{"latency":10}}'),
      404,
      'proxy not found',
      'toxic on nope',
    );
  });

  it('one toxic of each other type', async () => {
    const cases: Array<[string, string]> = [
      ['{"name":"to","type":"timeout","stream":"upstream","toxicity":1,"attributes":{"timeout":1000}}', TO],
      ['{"name":"rp","type":"reset_peer","stream":"upstream","toxicity":0.5,"attributes":{"timeout":200}}', RP],
      ['{"name":"bw","type":"bandwidth","stream":"downstream","attributes":{"rate":100}}', BW],
      ['{"name":"sc","type":"slow_close","attributes":{"delay":100}}', SC],
      ['{"name":"sl","type":"slicer","attributes":{"average_size":16,"size_variation":8,"delay":10}}', SL],
      ['{"name":"ld","type":"limit_data","attributes":{"bytes":4096}}', LD],
    ];
    for (const [body, want] of cases) expectOk(await req('POST', '/proxies/mqtt/toxics', body), want, body);
  });

  it('GET toxics: upstream ones first, then downstream, each in order of creation', async () => {
    expectOk(
      await req('GET', '/proxies/mqtt/toxics'),
      `[${[TO, RP, LAT500, LAT_DEFAULT, Z, BW, SC, SL, LD].join(',')}]`,
      'toxic index',
    );
  });

  it('GET one toxic, and an unknown one → 404', async () => {
    expectOk(await req('GET', '/proxies/mqtt/toxics/lat'), LAT500, 'show lat');
    expectApiError(await req('GET', '/proxies/mqtt/toxics/nope'), 404, 'toxic not found', 'show nope');
  });

  it('POST (older update form) merges attributes, then toxicity', async () => {
    expectOk(
      await req('POST', '/proxies/mqtt/toxics/lat', '{"attributes":{"latency":50}}'),
      toxicBody('{"latency":50,"jitter":0}', 'lat', 'latency', 'downstream', 1),
      'update attrs',
    );
    expectOk(
      await req('POST', '/proxies/mqtt/toxics/lat', '{"toxicity":0.25}'),
      toxicBody('{"latency":50,"jitter":0}', 'lat', 'latency', 'downstream', 0.25),
      'update toxicity',
    );
  });

  it('GET the proxy shows every toxic', async () => {
    const lat = toxicBody('{"latency":50,"jitter":0}', 'lat', 'latency', 'downstream', 0.25);
    expectOk(await req('GET', '/proxies/mqtt'), mqtt(true, [TO, RP, lat, LAT_DEFAULT, Z, BW, SC, SL, LD]), 'show');
  });

  it('DELETE toxics → 204; again → 404', async () => {
    for (const name of ['lat', 'latency_downstream', 'to', 'rp', 'bw', 'sc', 'sl', 'ld']) {
      expectNoContent(await req('DELETE', `/proxies/mqtt/toxics/${name}`), `delete ${name}`);
    }
    expectApiError(await req('DELETE', '/proxies/mqtt/toxics/lat'), 404, 'toxic not found', 'delete again');
    expectOk(await req('GET', '/proxies/mqtt/toxics'), `[${Z}]`, 'only z left');
  });

  it('timeout 0 upstream: the proxied connection stalls, and closes when the toxic goes', async () => {
    expectOk(
      await req('POST', '/proxies/mqtt/toxics', '{"name":"to","type":"timeout","stream":"upstream","attributes":{"timeout":0}}'),
      toxicBody('{"timeout":0}', 'to', 'timeout', 'upstream', 1),
      'add timeout 0',
    );
    const conn = await Conn.open(M, td);
    conn.write('stalled');
    await sleep(1000);
    assert.equal(conn.received, 0, 'no data through a timeout 0 toxic');
    assert.equal(conn.closed, false, 'timeout 0 never closes');
    expectNoContent(await req('DELETE', '/proxies/mqtt/toxics/to'), 'delete to');
    await conn.waitEndOrClose(3000);
  });

  it('reset_peer 0 upstream: a new connection is reset on its first data', async () => {
    expectOk(
      await req('POST', '/proxies/mqtt/toxics', '{"name":"rp","type":"reset_peer","stream":"upstream","attributes":{"timeout":0}}'),
      toxicBody('{"timeout":0}', 'rp', 'reset_peer', 'upstream', 1),
      'add reset_peer',
    );
    const conn = await Conn.open(M, td);
    conn.write('hello');
    await conn.waitClosed(3000);
    assert.equal(conn.error?.code, 'ECONNRESET');
    expectNoContent(await req('DELETE', '/proxies/mqtt/toxics/rp'), 'delete rp');
  });

  it('POST {"enabled":false} disables: connections refused; toxics kept', async () => {
    expectOk(await req('POST', '/proxies/mqtt', '{"enabled":false}'), mqtt(false, [Z]), 'disable');
    assert.equal(await expectRefused(M, td), 'ECONNREFUSED');
    expectOk(await req('GET', '/proxies/mqtt'), mqtt(false, [Z]), 'show disabled');
  });

  it('POST {"enabled":true} re-enables on the same port', async () => {
    expectOk(await req('POST', '/proxies/mqtt', '{"enabled":true}'), mqtt(true, [Z]), 'enable');
    const conn = await Conn.open(M, td);
    await conn.roundTrip('back');
    conn.destroy();
  });

  it('PATCH with identical listen/upstream/enabled changes nothing', async () => {
    expectOk(
      await req('PATCH', '/proxies/mqtt', `{"upstream":"${UP}","listen":"127.0.0.1:${M}","enabled":true}`),
      mqtt(true, [Z]),
      'patch same',
    );
  });

  it('update of an unknown proxy → 404', async () => {
    expectApiError(await req('POST', '/proxies/nope', '{"enabled":false}'), 404, 'proxy not found', 'update nope');
  });

  it('a disabled proxy keeps its toxics in the listing', async () => {
    expectOk(
      await req('POST', '/proxies/mqtt/toxics', '{"name":"lat","type":"latency","attributes":{"latency":20}}'),
      toxicBody('{"latency":20,"jitter":0}', 'lat', 'latency', 'downstream', 1),
      'add lat 20',
    );
    expectOk(
      await req('POST', '/proxies/mqtt', '{"enabled":false}'),
      mqtt(false, [Z, toxicBody('{"latency":20,"jitter":0}', 'lat', 'latency', 'downstream', 1)]),
      'disable again',
    );
  });

  it('POST /reset → 204: re-enabled, toxics gone, nothing deleted', async () => {
    expectNoContent(await req('POST', '/reset'), 'reset');
    expectOk(await req('GET', '/proxies'), `{"auto":${auto()},"mqtt":${mqtt(true)}}`, 'after reset');
    const conn = await Conn.open(M, td);
    await conn.roundTrip('after-reset');
    conn.destroy();
  });

  it('POST /populate: same entry kept, new disabled one created (listen as given)', async () => {
    const res = await req(
      'POST',
      '/populate',
      `[{"name":"mqtt","listen":"127.0.0.1:${M}","upstream":"${UP}"},` +
        `{"name":"mqtt-b","listen":"127.0.0.1:0","upstream":"${UP}","enabled":false}]`,
    );
    expectOk(res, `{"proxies":[${mqtt(true)},${proxyBody('mqtt-b', '127.0.0.1:0', UP, false)}]}`, 'populate', 201);
  });

  it('POST /populate with an object → 400 JSON (not text/plain) with "proxies":null', async () => {
    const res = await req('POST', '/populate', '{"not":"an array"}');
    expectResponse(
      res,
      {
        status: 400,
        contentType: JSON_CT,
        body:
          '{"error":"bad request body: json: cannot unmarshal object into Go value of type []struct { toxiproxy.Proxy; Enabled *bool \\"json:\\\\\\"enabled\\\\\\"\\" }","status":400,"proxies":null}',
      },
      'populate object',
    );
  });

  it('POST /populate on a port in use → 500 JSON with "proxies":null', async () => {
    const res = await req('POST', '/populate', `[{"name":"mqtt-c","listen":"127.0.0.1:${M}","upstream":"${UP}"}]`);
    expectResponse(
      res,
      {
        status: 500,
        contentType: JSON_CT,
        body: `{"error":"listen tcp 127.0.0.1:${M}: bind: address already in use","status":500,"proxies":null}`,
      },
      'populate bind',
    );
  });

  it('GET /proxies after populate', async () => {
    expectOk(
      await req('GET', '/proxies'),
      `{"auto":${auto()},"mqtt":${mqtt(true)},"mqtt-b":${proxyBody('mqtt-b', '127.0.0.1:0', UP, false)}}`,
      'index',
    );
  });

  it('a Mozilla User-Agent → 403 "User agent not allowed"', async () => {
    const res = await req('GET', '/proxies', undefined, { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64)' });
    expectResponse(res, { status: 403, body: 'User agent not allowed\n', contentType: ERROR_CT }, 'browser');
  });

  it('/metrics and unknown routes → Go\'s plain 404', async () => {
    expectPageNotFound(await req('GET', '/metrics'), 'metrics');
    expectPageNotFound(await req('GET', '/nope'), 'nope');
  });

  it('DELETE proxies → 204, again → 404; listeners closed', async () => {
    expectNoContent(await req('DELETE', '/proxies/mqtt'), 'delete mqtt');
    expectApiError(await req('DELETE', '/proxies/mqtt'), 404, 'proxy not found', 'delete mqtt again');
    expectNoContent(await req('DELETE', '/proxies/mqtt-b'), 'delete mqtt-b');
    expectNoContent(await req('DELETE', '/proxies/auto'), 'delete auto');
    expectOk(await req('GET', '/proxies'), '{}', 'empty');
    assert.equal(await expectRefused(M, td), 'ECONNREFUSED');
    assert.equal(await expectRefused(A, td), 'ECONNREFUSED');
  });

  it('request ids were 20-char xids, all different', () => {
    assert.ok(seenRequestIds.length > 40, `${seenRequestIds.length} ids seen`);
    for (const id of seenRequestIds) assert.match(id, REQUEST_ID);
    assert.equal(new Set(seenRequestIds).size, seenRequestIds.length, 'request ids repeat');
  });
});

describe('routing, methods and the browser guard', () => {
  const td = new Teardown();
  let req: ReturnType<typeof client>;
  let echo: PeerServer;
  let server: FaultServerHandle;
  before(async () => {
    echo = await PeerServer.start(td);
    server = await startServer(td);
    req = client(server);
    const res = await req('POST', '/proxies', `{"name":"p","listen":"127.0.0.1:0","upstream":"${echo.address}"}`);
    assert.equal(res.status, 201, res.text);
    const t = await req('POST', '/proxies/p/toxics', '{"name":"t","type":"latency"}');
    assert.equal(t.status, 200, t.text);
  });
  after(() => td.run());

  it('a wrong method on a known path → 405, empty body, no request id', async () => {
    const cases: Array<[string, string]> = [
      ['PUT', '/proxies'],
      ['DELETE', '/proxies'],
      ['GET', '/reset'],
      ['DELETE', '/reset'],
      ['GET', '/populate'],
      ['POST', '/version'],
      ['DELETE', '/version'],
      ['PUT', '/proxies/p'],
      ['PUT', '/proxies/p/toxics'],
      ['DELETE', '/proxies/p/toxics'],
      ['PUT', '/proxies/p/toxics/t'],
    ];
    for (const [method, path] of cases) {
      const body = method === 'GET' || method === 'DELETE' ? undefined : '{}';
      expectMethodNotAllowed(await req(method, path, body), `${method} ${path}`);
    }
  });

  it('unknown paths → 404 page not found, no request id', async () => {
    for (const path of ['/', '/proxies/', '/proxies/p/', '/proxies/p/toxics/', '/proxies/p/toxics/t/x', '/versions', '/metrics']) {
      expectPageNotFound(await req('GET', path), `GET ${path}`);
    }
    expectPageNotFound(await req('POST', '/nope', '{}'), 'POST /nope');
  });

  it('the browser guard applies to every matched route (with a request id), not to 404/405', async () => {
    const mozilla = { 'User-Agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' };
    for (const [method, path, body] of [
      ['GET', '/version', undefined],
      ['GET', '/proxies/p', undefined],
      ['POST', '/proxies', '{"name":"browser","listen":"127.0.0.1:0","upstream":"127.0.0.1:1"}'],
      ['DELETE', '/proxies/p', undefined],
      ['POST', '/reset', undefined],
    ] as const) {
      const res = await req(method, path, body, mozilla);
      expectResponse(res, { status: 403, body: 'User agent not allowed\n', contentType: ERROR_CT }, `browser ${method} ${path}`);
    }
    expectPageNotFound(await req('GET', '/nope', undefined, mozilla), 'browser on unknown route');
    expectMethodNotAllowed(await req('PUT', '/proxies', '{}', mozilla), 'browser on wrong method');
    // Nothing happened behind the guard.
    expectApiError(await req('GET', '/proxies/browser'), 404, 'proxy not found', 'not created');
    expectOk(
      await req('GET', '/proxies/p/toxics'),
      `[${toxicBody('{"latency":0,"jitter":0}', 't', 'latency', 'downstream', 1)}]`,
      'not reset, not deleted',
    );
  });

  it('the guard is a case-sensitive prefix match on "Mozilla/"', async () => {
    for (const ua of ['mozilla/5.0', 'curl/8.5.0 Mozilla/5.0', 'Mozilla', 'Go-http-client/1.1']) {
      expectResponse(await req('GET', '/version', undefined, { 'User-Agent': ua }), { status: 200, body: VERSION_BODY }, ua);
    }
    // No User-Agent header at all (node:http sends none unless told).
    const bare = await rawRequest(server.url, 'GET', '/version');
    expectResponse(bare, { status: 200, body: VERSION_BODY, contentType: VERSION_CT }, 'no User-Agent');
  });

  it('request ids differ between requests', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await req('GET', '/version');
      const id = res.headers['x-toxiproxy-request-id'];
      assert.match(String(id), REQUEST_ID);
      ids.add(String(id));
    }
    assert.equal(ids.size, 20);
  });
});

describe('proxy create and update', () => {
  test('a proxy created disabled keeps its listen as given and opens no port', async (t) => {
    const td = useTeardown(t);
    const echo = await PeerServer.start(td);
    const req = client(await startServer(td));
    const res = await req('POST', '/proxies', `{"name":"off","listen":"127.0.0.1:0","upstream":"${echo.address}","enabled":false}`);
    expectOk(res, proxyBody('off', '127.0.0.1:0', echo.address, false), 'create disabled', 201);
    const on = await req('PATCH', '/proxies/off', '{"enabled":true}');
    const port = listenPortIn(on.text);
    expectOk(on, proxyBody('off', `127.0.0.1:${port}`, echo.address, true), 'enable');
    const conn = await Conn.open(port, td);
    await conn.roundTrip('x');
  });

  test('PATCH and POST both update; omitted fields keep their values', async (t) => {
    const td = useTeardown(t);
    const echo = await PeerServer.start(td);
    const req = client(await startServer(td));
    const created = await req('POST', '/proxies', `{"name":"u","listen":"127.0.0.1:0","upstream":"${echo.address}"}`);
    const port = listenPortIn(created.text);
    const body = (enabled: boolean) => proxyBody('u', `127.0.0.1:${port}`, echo.address, enabled);
    expectOk(await req('PATCH', '/proxies/u', '{"enabled":false}'), body(false), 'PATCH disable');
    expectOk(await req('PATCH', '/proxies/u', '{}'), body(false), 'PATCH {} keeps disabled');
    expectOk(await req('POST', '/proxies/u', '{}'), body(false), 'POST {} keeps disabled');
    expectOk(await req('POST', '/proxies/u', '{"enabled":true}'), body(true), 'POST enable');
    expectOk(await req('PATCH', '/proxies/u', '{"enabled":true}'), body(true), 'PATCH enable again');
    expectOk(await req('PATCH', '/proxies/u', '{"name":"renamed","toxics":[1]}'), body(true), 'name/toxics ignored');
    expectOk(await req('GET', '/proxies/u'), body(true), 'show');
  });

  test('changing listen restarts the proxy on the new address', async (t) => {
    const td = useTeardown(t);
    const echo = await PeerServer.start(td);
    const req = client(await startServer(td));
    const created = await req('POST', '/proxies', `{"name":"m","listen":"127.0.0.1:0","upstream":"${echo.address}"}`);
    const oldPort = listenPortIn(created.text);
    const live = await Conn.open(oldPort, td);
    await live.roundTrip('before');
    const moved = await req('PATCH', '/proxies/m', '{"listen":"127.0.0.1:0"}');
    const newPort = listenPortIn(moved.text);
    assert.notEqual(newPort, oldPort);
    expectOk(moved, proxyBody('m', `127.0.0.1:${newPort}`, echo.address, true), 'moved');
    await live.waitEndOrClose(3000);
    assert.equal(await expectRefused(oldPort, td), 'ECONNREFUSED');
    const conn = await Conn.open(newPort, td);
    await conn.roundTrip('after');
  });

  test('changing upstream restarts: live connections closed, new ones go to the new upstream', async (t) => {
    const td = useTeardown(t);
    const first = await PeerServer.start(td);
    const second = await PeerServer.start(td);
    const req = client(await startServer(td));
    const created = await req('POST', '/proxies', `{"name":"m","listen":"127.0.0.1:0","upstream":"${first.address}"}`);
    const port = listenPortIn(created.text);
    const live = await Conn.open(port, td);
    await live.roundTrip('one');
    expectOk(
      await req('PATCH', '/proxies/m', `{"upstream":"${second.address}"}`),
      proxyBody('m', `127.0.0.1:${port}`, second.address, true),
      'new upstream',
    );
    await live.waitEndOrClose(3000);
    const conn = await Conn.open(port, td);
    await conn.roundTrip('two');
    assert.equal(first.peers.length, 1);
    assert.equal(second.peers.length, 1);
  });

  test('a listen address in use (not ours) → 500 "bind: address already in use"', async (t) => {
    const td = useTeardown(t);
    const taken = await occupiedPort(td);
    const server = await startServer(td);
    const req = client(server);
    expectApiError(
      await req('POST', '/proxies', `{"name":"x","listen":"127.0.0.1:${taken}","upstream":"127.0.0.1:1"}`),
      500,
      `listen tcp 127.0.0.1:${taken}: bind: address already in use`,
      'taken',
    );
    expectApiError(
      await req('POST', '/proxies', `{"name":"y","listen":"127.0.0.1:${server.port}","upstream":"127.0.0.1:1"}`),
      500,
      `listen tcp 127.0.0.1:${server.port}: bind: address already in use`,
      'the API port',
    );
    expectOk(await req('GET', '/proxies'), '{}', 'nothing created');
    // Enabling a disabled proxy whose port is now taken fails the same way, and it stays disabled.
    expectOk(
      await req('POST', '/proxies', `{"name":"z","listen":"127.0.0.1:${taken}","upstream":"127.0.0.1:1","enabled":false}`),
      proxyBody('z', `127.0.0.1:${taken}`, '127.0.0.1:1', false),
      'created disabled on a taken port',
      201,
    );
    expectApiError(
      await req('PATCH', '/proxies/z', '{"enabled":true}'),
      500,
      `listen tcp 127.0.0.1:${taken}: bind: address already in use`,
      'enable on taken port',
    );
    expectOk(await req('GET', '/proxies/z'), proxyBody('z', `127.0.0.1:${taken}`, '127.0.0.1:1', false), 'still disabled');
  });

  test('DELETE closes the listener and live connections; the name is then unknown everywhere', async (t) => {
    const td = useTeardown(t);
    const echo = await PeerServer.start(td);
    const req = client(await startServer(td));
    const created = await req('POST', '/proxies', `{"name":"d","listen":"127.0.0.1:0","upstream":"${echo.address}"}`);
    const port = listenPortIn(created.text);
    const live = await Conn.open(port, td);
    await live.roundTrip('x');
    expectNoContent(await req('DELETE', '/proxies/d'), 'delete');
    await live.waitEndOrClose(3000);
    assert.equal(await expectRefused(port, td), 'ECONNREFUSED');
    expectApiError(await req('GET', '/proxies/d'), 404, 'proxy not found', 'show');
    expectApiError(await req('PATCH', '/proxies/d', '{}'), 404, 'proxy not found', 'update');
    expectApiError(await req('DELETE', '/proxies/d'), 404, 'proxy not found', 'delete');
    expectApiError(await req('GET', '/proxies/d/toxics'), 404, 'proxy not found', 'toxics');
    expectApiError(await req('GET', '/proxies/d/toxics/x'), 404, 'proxy not found', 'toxic');
    expectApiError(await req('PATCH', '/proxies/d/toxics/x', '{}'), 404, 'proxy not found', 'toxic update');
    expectApiError(await req('DELETE', '/proxies/d/toxics/x'), 404, 'proxy not found', 'toxic delete');
    // The name can be used again.
    const again = await req('POST', '/proxies', `{"name":"d","listen":"127.0.0.1:0","upstream":"${echo.address}"}`);
    assert.equal(again.status, 201, again.text);
  });
});

describe('toxic create and update', () => {
  const td = new Teardown();
  let req: ReturnType<typeof client>;
  before(async () => {
    req = client(await startServer(td));
    const res = await req('POST', '/proxies', '{"name":"p","listen":"127.0.0.1:0","upstream":"127.0.0.1:1"}');
    assert.equal(res.status, 201, res.text);
  });
  after(() => td.run());

  it('default attributes of every type', async () => {
    const cases: Array<[string, string]> = [
      ['latency', '{"latency":0,"jitter":0}'],
      ['bandwidth', '{"rate":0}'],
      ['slow_close', '{"delay":0}'],
      ['timeout', '{"timeout":0}'],
      ['reset_peer', '{"timeout":0}'],
      ['slicer', '{"average_size":0,"size_variation":0,"delay":0}'],
      ['limit_data', '{"bytes":0}'],
    ];
    for (const [type, attrs] of cases) {
      expectOk(
        await req('POST', '/proxies/p/toxics', `{"type":"${type}","stream":"upstream"}`),
        toxicBody(attrs, `${type}_upstream`, type, 'upstream', 1),
        type,
      );
    }
    expectNoContent(await req('POST', '/reset'), 'reset');
  });

  it('the "noop" type (registered in Go\'s toxics/noop.go) is accepted, with no attributes', async () => {
    expectOk(
      await req('POST', '/proxies/p/toxics', '{"type":"noop","attributes":{"x":1}}'),
      toxicBody('{}', 'noop_downstream', 'noop', 'downstream', 1),
      'noop',
    );
    expectNoContent(await req('POST', '/reset'), 'reset');
  });

  it('"down" and others are not toxic types', async () => {
    for (const type of ['down', 'Latency', 'LATENCY', '', 'latency ']) {
      expectApiError(await req('POST', '/proxies/p/toxics', JSON.stringify({ name: 'd', type })), 400, 'invalid toxic type', `type ${JSON.stringify(type)}`);
    }
    expectApiError(await req('POST', '/proxies/p/toxics', '{}'), 400, 'invalid toxic type', 'no type');
  });

  it('the stream is checked before the type, case-insensitively, and kept as given', async () => {
    expectApiError(
      await req('POST', '/proxies/p/toxics', '{"type":"nope","stream":"sideways"}'),
      400,
      'stream was invalid, can be either upstream or downstream',
      'stream first',
    );
    expectApiError(
      await req('POST', '/proxies/p/toxics', '{"type":"latency","stream":""}'),
      400,
      'stream was invalid, can be either upstream or downstream',
      'empty stream',
    );
    expectOk(
      await req('POST', '/proxies/p/toxics', '{"type":"latency","stream":"UpStream"}'),
      toxicBody('{"latency":0,"jitter":0}', 'latency_UpStream', 'latency', 'UpStream', 1),
      'mixed case',
    );
    expectNoContent(await req('POST', '/reset'), 'reset');
  });

  it('names are unique across both streams', async () => {
    expectOk(
      await req('POST', '/proxies/p/toxics', '{"name":"same","type":"latency","stream":"downstream"}'),
      toxicBody('{"latency":0,"jitter":0}', 'same', 'latency', 'downstream', 1),
      'first',
    );
    expectApiError(
      await req('POST', '/proxies/p/toxics', '{"name":"same","type":"timeout","stream":"upstream"}'),
      409,
      'toxic already exists',
      'same name upstream',
    );
    expectApiError(
      await req('POST', '/proxies/p/toxics', '{"name":"same","type":"nope"}'),
      400,
      'invalid toxic type',
      'type checked before the name',
    );
    expectNoContent(await req('POST', '/reset'), 'reset');
  });

  it('unknown attribute keys are ignored (a typo leaves the zero value)', async () => {
    expectOk(
      await req('POST', '/proxies/p/toxics', '{"name":"typo","type":"latency","attributes":{"latncy":100,"jitter":5},"extra":true}'),
      toxicBody('{"latency":0,"jitter":5}', 'typo', 'latency', 'downstream', 1),
      'typo',
    );
    expectNoContent(await req('POST', '/reset'), 'reset');
  });

  it('wrong value types → 400 bad request body, nothing added', async () => {
    for (const body of [
      '{"name":"w","type":"latency","attributes":{"latency":1.5}}',
      '{"name":"w","type":"latency","attributes":{"latency":true}}',
      '{"name":"w","type":"latency","attributes":[]}',
      '{"name":"w","type":"latency","attributes":"x"}',
      '{"name":"w","type":"latency","toxicity":"1"}',
      '{"name":"w","type":"latency","stream":5}',
      '{"name":5,"type":"latency"}',
      '{"name":"w","type":["latency"]}',
      '{"name":"w","type":"bandwidth","attributes":{"rate":"fast"}}',
      '{"name":"w","type":"slicer","attributes":{"average_size":"16"}}',
      '{"name":"w","type":"limit_data","attributes":{"bytes":-1.5}}',
    ]) {
      expectBadBody(await req('POST', '/proxies/p/toxics', body), body);
    }
    expectOk(await req('GET', '/proxies/p/toxics'), '[]', 'nothing added');
  });

  it('malformed JSON → 400 bad request body', async () => {
    expectApiError(await req('POST', '/proxies/p/toxics', ''), 400, 'bad request body: EOF', 'empty');
    expectApiError(await req('POST', '/proxies/p/toxics', '{"type":"latency"'), 400, 'bad request body: unexpected EOF', 'truncated');
    for (const body of ['{"type":}', '{type:"latency"}', "{'type':'latency'}", 'nonsense', '{"type":"latency",}', '\u0000']) {
      expectBadBody(await req('POST', '/proxies/p/toxics', body), JSON.stringify(body));
    }
  });

  it('update: PATCH and POST merge attributes and keep toxicity; name/type/stream cannot change', async () => {
    expectOk(
      await req('POST', '/proxies/p/toxics', '{"name":"l","type":"latency","toxicity":0.5,"attributes":{"latency":100,"jitter":10}}'),
      toxicBody('{"latency":100,"jitter":10}', 'l', 'latency', 'downstream', 0.5),
      'create',
    );
    expectOk(
      await req('PATCH', '/proxies/p/toxics/l', '{"attributes":{"jitter":20}}'),
      toxicBody('{"latency":100,"jitter":20}', 'l', 'latency', 'downstream', 0.5),
      'PATCH jitter',
    );
    expectOk(
      await req('POST', '/proxies/p/toxics/l', '{"attributes":{"latency":300}}'),
      toxicBody('{"latency":300,"jitter":20}', 'l', 'latency', 'downstream', 0.5),
      'POST latency',
    );
    expectOk(
      await req('PATCH', '/proxies/p/toxics/l', '{"toxicity":1,"name":"other","type":"timeout","stream":"upstream","attributes":{"nope":1}}'),
      toxicBody('{"latency":300,"jitter":20}', 'l', 'latency', 'downstream', 1),
      'only toxicity changes',
    );
    expectOk(await req('GET', '/proxies/p/toxics/l'), toxicBody('{"latency":300,"jitter":20}', 'l', 'latency', 'downstream', 1), 'show');
    expectApiError(await req('PATCH', '/proxies/p/toxics/nope', '{"toxicity":1}'), 404, 'toxic not found', 'update unknown');
    expectApiError(await req('PATCH', '/proxies/nope/toxics/l', '{"toxicity":1}'), 404, 'proxy not found', 'update on unknown proxy');
    expectApiError(await req('PATCH', '/proxies/p/toxics/l', ''), 400, 'bad request body: EOF', 'update empty');
    expectBadBody(await req('PATCH', '/proxies/p/toxics/l', '{"toxicity":"high"}'), 'update bad toxicity');
    expectBadBody(await req('PATCH', '/proxies/p/toxics/l', '{"toxicity":1'), 'update truncated');
    expectNoContent(await req('DELETE', '/proxies/p/toxics/l'), 'delete');
    expectApiError(await req('DELETE', '/proxies/p/toxics/l'), 404, 'toxic not found', 'delete again');
  });
});

describe('proxy bodies: malformed JSON and wrong types', () => {
  const td = new Teardown();
  let req: ReturnType<typeof client>;
  before(async () => {
    req = client(await startServer(td));
    const res = await req('POST', '/proxies', '{"name":"p","listen":"127.0.0.1:0","upstream":"127.0.0.1:1"}');
    assert.equal(res.status, 201, res.text);
  });
  after(() => td.run());

  it('create', async () => {
    expectApiError(await req('POST', '/proxies', ''), 400, 'bad request body: EOF', 'empty');
    expectApiError(await req('POST', '/proxies', 'null'), 400, 'missing required field: name', 'null decodes to nothing');
    expectApiError(await req('POST', '/proxies', '{"name":"","upstream":"127.0.0.1:1"}'), 400, 'missing required field: name', 'empty name');
    expectApiError(await req('POST', '/proxies', '{"name":"n","upstream":""}'), 400, 'missing required field: upstream', 'empty upstream');
    for (const body of [
      '[]',
      '"proxy"',
      '42',
      '{"name":}',
      '{"name":"n","upstream":5}',
      '{"name":"n","upstream":"127.0.0.1:1","enabled":"yes"}',
      '{"name":"n","upstream":"127.0.0.1:1","listen":8474}',
      '{"name":["n"],"upstream":"127.0.0.1:1"}',
      '{"name":"n",,"upstream":"127.0.0.1:1"}',
    ]) {
      expectBadBody(await req('POST', '/proxies', body), body);
    }
    expectOk(await req('GET', '/proxies/p'), proxyBody('p', listenOf(await req('GET', '/proxies/p')), '127.0.0.1:1', true), 'p intact');
    const index = await req('GET', '/proxies');
    assert.deepEqual(Object.keys(JSON.parse(index.text) as object), ['p'], 'nothing else created');
  });

  it('update', async () => {
    const before = (await req('GET', '/proxies/p')).text;
    expectApiError(await req('PATCH', '/proxies/p', ''), 400, 'bad request body: EOF', 'empty');
    for (const body of ['{"enabled":"no"}', '{"enabled":0}', '[]', '{"listen":1}', '{"enabled":false', 'garbage']) {
      expectBadBody(await req('PATCH', '/proxies/p', body), body);
      expectBadBody(await req('POST', '/proxies/p', body), `POST ${body}`);
    }
    assert.equal((await req('GET', '/proxies/p')).text, before, 'unchanged');
  });
});

function listenOf(res: RawResponse): string {
  return (JSON.parse(res.text) as { listen: string }).listen;
}

describe('populate', () => {
  test('identical entries are kept as they are: same object, enabled flag, toxics, live connections', async (t) => {
    const td = useTeardown(t);
    const echo = await PeerServer.start(td);
    const req = client(await startServer(td));
    const UP = echo.address;
    const a = listenPortIn((await req('POST', '/proxies', `{"name":"a","listen":"127.0.0.1:0","upstream":"${UP}"}`)).text);
    const b = listenPortIn((await req('POST', '/proxies', `{"name":"b","listen":"127.0.0.1:0","upstream":"${UP}"}`)).text);
    const lat = toxicBody('{"latency":1,"jitter":0}', 'lat', 'latency', 'downstream', 1);
    expectOk(await req('POST', '/proxies/a/toxics', '{"name":"lat","type":"latency","attributes":{"latency":1}}'), lat, 'toxic on a');
    expectOk(await req('PATCH', '/proxies/b', '{"enabled":false}'), proxyBody('b', `127.0.0.1:${b}`, UP, false), 'disable b');
    const live = await Conn.open(a, td);
    await live.roundTrip('before');

    const entries = `[{"name":"a","listen":"127.0.0.1:${a}","upstream":"${UP}"},{"name":"b","listen":"127.0.0.1:${b}","upstream":"${UP}"}]`;
    for (let round = 1; round <= 2; round++) {
      expectOk(
        await req('POST', '/populate', entries),
        `{"proxies":[${proxyBody('a', `127.0.0.1:${a}`, UP, true, [lat])},${proxyBody('b', `127.0.0.1:${b}`, UP, false)}]}`,
        `populate round ${round}`,
        201,
      );
    }
    await live.roundTrip('still alive');
    assert.equal(live.closed, false);
    assert.equal(echo.peers.length, 1, 'no reconnection happened');
  });

  test('a differing entry replaces the proxy (toxics lost, live connections closed); unlisted ones are kept', async (t) => {
    const td = useTeardown(t);
    const echo = await PeerServer.start(td);
    const other = await PeerServer.start(td);
    const req = client(await startServer(td));
    const UP = echo.address;
    const a = listenPortIn((await req('POST', '/proxies', `{"name":"a","listen":"127.0.0.1:0","upstream":"${UP}"}`)).text);
    const keep = listenPortIn((await req('POST', '/proxies', `{"name":"keep","listen":"127.0.0.1:0","upstream":"${UP}"}`)).text);
    expectOk(
      await req('POST', '/proxies/a/toxics', '{"name":"lat","type":"latency"}'),
      toxicBody('{"latency":0,"jitter":0}', 'lat', 'latency', 'downstream', 1),
      'toxic',
    );
    const live = await Conn.open(a, td);
    await live.roundTrip('before');

    expectOk(
      await req('POST', '/populate', `[{"name":"a","listen":"127.0.0.1:${a}","upstream":"${other.address}"}]`),
      `{"proxies":[${proxyBody('a', `127.0.0.1:${a}`, other.address, true)}]}`,
      'replace a',
      201,
    );
    await live.waitEndOrClose(3000);
    const conn = await Conn.open(a, td);
    await conn.roundTrip('to the other upstream');
    assert.equal(other.peers.length, 1);
    expectOk(await req('GET', '/proxies/keep'), proxyBody('keep', `127.0.0.1:${keep}`, UP, true), 'keep untouched');
  });

  test('all entries are validated before any is created', async (t) => {
    const td = useTeardown(t);
    const req = client(await startServer(td));
    const populateError = (message: string) => `{"error":${JSON.stringify(message)},"status":400,"proxies":null}`;
    expectResponse(
      await req('POST', '/populate', '[{"name":"p1","listen":"127.0.0.1:0","upstream":"127.0.0.1:1"},{"listen":"127.0.0.1:0","upstream":"127.0.0.1:1"}]'),
      { status: 400, contentType: JSON_CT, body: populateError('missing required field: name at proxy 2') },
      'no name in 2',
    );
    expectResponse(
      await req('POST', '/populate', '[{"name":"p1","listen":"127.0.0.1:0"},{"name":"p2","listen":"127.0.0.1:0","upstream":"127.0.0.1:1"}]'),
      { status: 400, contentType: JSON_CT, body: populateError('missing required field: upstream at proxy 1') },
      'no upstream in 1',
    );
    expectResponse(
      await req('POST', '/populate', '[{"name":"p1","upstream":"127.0.0.1:1","listen":"127.0.0.1:0"},{"name":"p3","upstream":"127.0.0.1:1","listen":"127.0.0.1:0"},{"name":""}]'),
      { status: 400, contentType: JSON_CT, body: populateError('missing required field: name at proxy 3') },
      'empty name in 3',
    );
    expectOk(await req('GET', '/proxies'), '{}', 'nothing created');
  });

  test('bodies: empty array, malformed JSON, wrong types', async (t) => {
    const td = useTeardown(t);
    const req = client(await startServer(td));
    expectOk(await req('POST', '/populate', '[]'), '{"proxies":null}', 'empty array', 201);
    expectResponse(
      await req('POST', '/populate', ''),
      { status: 400, contentType: JSON_CT, body: '{"error":"bad request body: EOF","status":400,"proxies":null}' },
      'empty body',
    );
    expectResponse(
      await req('POST', '/populate', '[{"name":"x"'),
      { status: 400, contentType: JSON_CT, body: '{"error":"bad request body: unexpected EOF","status":400,"proxies":null}' },
      'truncated',
    );
    for (const body of ['"x"', '[1]', '[{"name":5,"upstream":"127.0.0.1:1"}]', '[{"name":"x","upstream":"127.0.0.1:1","enabled":"true"}]']) {
      const res = await req('POST', '/populate', body);
      expectResponse(res, { status: 400, contentType: JSON_CT }, body);
      assert.match(res.text, /^\{"error":"bad request body: [^\n]+","status":400,"proxies":null\}$/, body);
    }
    expectOk(await req('GET', '/proxies'), '{}', 'nothing created');
  });

  test('a failure part-way keeps the proxies made before it and lists them', async (t) => {
    const td = useTeardown(t);
    const taken = await occupiedPort(td);
    const req = client(await startServer(td));
    const res = await req(
      'POST',
      '/populate',
      `[{"name":"ok","listen":"127.0.0.1:0","upstream":"127.0.0.1:1","enabled":false},` +
        `{"name":"bad","listen":"127.0.0.1:${taken}","upstream":"127.0.0.1:1"}]`,
    );
    expectResponse(
      res,
      {
        status: 500,
        contentType: JSON_CT,
        body:
          `{"error":"listen tcp 127.0.0.1:${taken}: bind: address already in use","status":500,` +
          `"proxies":[${proxyBody('ok', '127.0.0.1:0', '127.0.0.1:1', false)}]}`,
      },
      'partial',
    );
    expectOk(await req('GET', '/proxies'), `{"ok":${proxyBody('ok', '127.0.0.1:0', '127.0.0.1:1', false)}}`, 'ok exists, bad not');
  });
});

describe('reset', () => {
  test('re-enables every proxy and removes every toxic; deletes nothing; ignores a body', async (t) => {
    const td = useTeardown(t);
    const echo = await PeerServer.start(td);
    const req = client(await startServer(td));
    const UP = echo.address;
    const p = listenPortIn((await req('POST', '/proxies', `{"name":"p","listen":"127.0.0.1:0","upstream":"${UP}"}`)).text);
    const q = listenPortIn((await req('POST', '/proxies', `{"name":"q","listen":"127.0.0.1:0","upstream":"${UP}"}`)).text);
    for (const body of [
      '{"name":"a","type":"latency","stream":"upstream","attributes":{"latency":1000}}',
      '{"name":"b","type":"timeout","attributes":{"timeout":0}}',
    ]) {
      assert.equal((await req('POST', '/proxies/p/toxics', body)).status, 200);
      assert.equal((await req('POST', '/proxies/q/toxics', body)).status, 200);
    }
    assert.equal((await req('PATCH', '/proxies/q', '{"enabled":false}')).status, 200);
    expectNoContent(await req('POST', '/reset', '{"anything":"at all"}'), 'reset');
    expectOk(
      await req('GET', '/proxies'),
      `{"p":${proxyBody('p', `127.0.0.1:${p}`, UP, true)},"q":${proxyBody('q', `127.0.0.1:${q}`, UP, true)}}`,
      'after reset',
    );
    for (const port of [p, q]) {
      const conn = await Conn.open(port, td);
      const rtt = await conn.roundTrip('clean', 3000);
      assert.ok(rtt < 900, `no latency left (${rtt.toFixed(0)} ms)`);
    }
    expectNoContent(await req('POST', '/reset'), 'reset again');
  });
});

describe('no request crashes the server', () => {
  const td = new Teardown();
  let server: FaultServerHandle;
  let req: ReturnType<typeof client>;
  before(async () => {
    server = await startServer(td);
    req = client(server);
    const res = await req('POST', '/proxies', '{"name":"p","listen":"127.0.0.1:0","upstream":"127.0.0.1:1"}');
    assert.equal(res.status, 201, res.text);
  });
  after(() => td.run());

  async function stillAnswers(label: string): Promise<void> {
    const res = await req('GET', '/version');
    assert.equal(res.status, 200, `${label}: server still answers`);
    assert.equal(res.text, VERSION_BODY);
  }

  /** A request that may legitimately be refused at the HTTP level (reset, 413) but not crash anything. */
  async function survive(method: string, path: string, body: Buffer | string, headers: Record<string, string> = {}) {
    try {
      return await req(method, path, body, headers);
    } catch {
      return undefined;
    }
  }

  it('a huge body (8 MB, unterminated string)', async () => {
    const body = Buffer.concat([Buffer.from('{"name":"'), Buffer.alloc(8 * 1024 * 1024, 0x61)]);
    for (const path of ['/proxies', '/proxies/p/toxics', '/populate', '/proxies/p']) {
      const res = await survive('POST', path, body);
      if (res) assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
      await stillAnswers(`huge body to ${path}`);
    }
  });

  it('a huge but valid body (4 MB name)', async () => {
    const name = 'n'.repeat(4 * 1024 * 1024);
    const res = await survive('POST', '/proxies/p/toxics', `{"name":"${name}","type":"latency"}`);
    if (res) assert.ok(res.status < 500, `status ${res.status}`);
    await stillAnswers('huge name');
    await req('POST', '/reset');
  });

  it('invalid UTF-8 inside strings', async () => {
    const bytes = Buffer.concat([Buffer.from('{"name":"bad'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('","type":"latency"}')]);
    const res = await survive('POST', '/proxies/p/toxics', bytes);
    if (res) assert.ok(res.status < 500, `status ${res.status}`);
    const res2 = await survive('POST', '/proxies', Buffer.concat([Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80])]));
    if (res2) assert.equal(res2.status, 400);
    await stillAnswers('invalid UTF-8');
    await req('POST', '/reset');
  });

  it('deeply nested JSON (200k levels)', async () => {
    for (const path of ['/proxies', '/proxies/p/toxics', '/populate', '/proxies/p', '/proxies/p/toxics/x']) {
      const res = await survive('POST', path, '['.repeat(200_000) + ']'.repeat(200_000));
      if (res) assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
      const res2 = await survive('POST', path, '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000));
      if (res2) assert.ok(res2.status >= 400 && res2.status < 500, `${path}: ${res2.status}`);
      await stillAnswers(`nesting on ${path}`);
    }
  });

  it('Content-Type is ignored, as Go does: valid JSON under any type is accepted', async () => {
    for (const [i, type] of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream'].entries()) {
      const res = await req('POST', '/proxies', `{"name":"ct${i}","listen":"127.0.0.1:0","upstream":"127.0.0.1:1","enabled":false}`, {
        'Content-Type': type,
      });
      expectOk(res, proxyBody(`ct${i}`, '127.0.0.1:0', '127.0.0.1:1', false), type, 201);
    }
    expectBadBody(await req('POST', '/proxies', 'name=x&upstream=y', { 'Content-Type': 'application/x-www-form-urlencoded' }), 'form body');
    await stillAnswers('content types');
  });

  it('a chunked body, and a body on GET/DELETE, are handled', async () => {
    const parts = ['{"name":"chunky', '","type":"latency"}'];
    const chunked = parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('') + '0\r\n\r\n';
    const res = await rawExchange(
      '127.0.0.1',
      server.port,
      'POST /proxies/p/toxics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' + chunked,
    );
    assert.match(res.data.toString('latin1'), /^HTTP\/1\.1 200 /, 'chunked request body');
    assert.equal((await req('GET', '/proxies/p', '{"ignored":true}')).status, 200);
    assert.equal((await req('DELETE', '/proxies/p/toxics/chunky', '{"ignored":true}')).status, 204);
    await stillAnswers('chunked');
  });

  it('raw garbage, truncated requests and abrupt disconnects on the API socket', async () => {
    const attempts: Array<Buffer | string> = [
      'GARBAGE\r\n\r\n',
      '\x00\x01\x02\x03\xff\xfe',
      'GET /version HTTP/9.9\r\n\r\n',
      'POST /proxies HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"name":',
      'POST /proxies HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /version HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(100_000)}\r\n\r\n`,
      'GET /proxies/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ];
    for (const bytes of attempts) {
      await rawExchange('127.0.0.1', server.port, bytes, 1500);
      await stillAnswers(`garbage ${JSON.stringify(bytes.toString().slice(0, 30))}`);
    }
  });

  it('many concurrent requests (bounded: 100)', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        i % 2 === 0 ? req('GET', '/proxies/p') : req('POST', '/proxies/p/toxics', `{"name":"c${i}","type":"latency"}`),
      ),
    );
    for (const res of results) assert.ok(res.status === 200, `status ${res.status} ${res.text}`);
    const toxics = JSON.parse((await req('GET', '/proxies/p/toxics')).text) as unknown[];
    assert.equal(toxics.length, 50);
    await req('POST', '/reset');
    await stillAnswers('concurrency');
  });

  it('a client that disconnects mid-request', async () => {
    for (let i = 0; i < 5; i++) {
      await rawExchange('127.0.0.1', server.port, 'POST /proxies HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{"na', 50);
    }
    await stillAnswers('disconnects');
  });

  it('the server still lists its proxy at the end', async () => {
    const res = await req('GET', '/proxies');
    assert.equal(res.status, 200);
    const names = Object.keys(JSON.parse(res.text) as object);
    assert.ok(names.includes('p'));
  });
});

describe('server close', () => {
  test('close() shuts the API, every proxy listener and every proxied connection', async (t) => {
    const td = useTeardown(t);
    const echo = await PeerServer.start(td);
    const own = new Teardown();
    td.add('server under test, if the test failed early', () => own.run());
    const server = await startServer(own);
    const api = new Api(server.url);
    const p = await api.createProxy('p', echo.address);
    const port = portOf(p.listen);
    const conn = await Conn.open(port, td);
    await conn.roundTrip('x');
    await own.run();
    await conn.waitEndOrClose(3000);
    await waitUntil(() => echo.peers.every((peer) => peer.closed), 3000, 'upstream side closed');
    assert.equal(await expectRefused(port, td), 'ECONNREFUSED');
    assert.equal(await expectRefused(server.port, td), 'ECONNREFUSED');
  });
});
