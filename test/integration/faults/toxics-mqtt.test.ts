/**
 * Toxics on real MQTT connections: MQTT.js → fault-server proxy → broker. The broker is an
 * in-process Aedes, and also Mosquitto when the binary is installed (spawned on a free
 * loopback port, stopped by its PID). Mirrors the "--- MQTT pub" lines of the 2.12.0
 * transcript: latency delays the PUBACK, timeout 0 hangs without closing, reset_peer loses
 * the connection, and a disabled proxy is a hard cut the broker sees at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAedes, startMosquitto, type TestBroker } from '../../helpers/brokers.js';
import { Api, portOf, startServer } from '../../helpers/faults.js';
import { clientId, mqttAttempt, mqttConnect } from '../../helpers/mqtt.js';
import { now, sleep, waitUntil } from '../../helpers/tcp.js';
import { Teardown, useTeardown } from '../../helpers/teardown.js';
import { requireMosquitto } from '../../helpers/requires.js';

const SLACK = 5;
const mosquitto = requireMosquitto();

const brokers: Array<{ name: string; start: (td: Teardown) => Promise<TestBroker>; skip: string | false }> = [
  { name: 'Aedes (in-process)', start: startAedes, skip: false },
  {
    name: 'Mosquitto',
    start: (td) => startMosquitto(td, mosquitto!),
    skip: mosquitto ? false : 'mosquitto is not installed',
  },
];

for (const { name, start, skip } of brokers) {
  describe(`MQTT through the fault server to ${name}`, { skip }, () => {
    const suite = new Teardown();
    let broker: TestBroker;
    let api: Api;
    let n = 0;

    before(async () => {
      broker = await start(suite);
      api = new Api((await startServer(suite)).url);
    });
    after(() => suite.run());

    /** A fresh proxy to the broker for one test; deleted when the test ends. */
    async function proxy(td: Teardown): Promise<{ name: string; port: number }> {
      n += 1;
      const proxyName = `mqtt${n}`;
      const p = await api.createProxy(proxyName, broker.address);
      td.add(`proxy ${proxyName}`, async () => {
        await api.call('DELETE', `/proxies/${proxyName}`);
      });
      return { name: proxyName, port: portOf(p.listen) };
    }

    it('no toxic: a QoS 1 publish round trip is quick', async (t) => {
      const td = useTeardown(t);
      const p = await proxy(td);
      const c = await mqttConnect(p.port, td);
      const rtt = await c.publishQos1('chaos/test', 'via-proxy');
      assert.ok(rtt < 1000, `PUBACK after ${rtt.toFixed(0)} ms`);
    });

    it('downstream latency: the PUBACK comes at least the latency later', async (t) => {
      const td = useTeardown(t);
      const p = await proxy(td);
      const c = await mqttConnect(p.port, td);
      await api.addToxic(p.name, { type: 'latency', attributes: { latency: 400 } });
      for (let i = 0; i < 2; i++) {
        const rtt = await c.publishQos1('chaos/test', `slow-${i}`);
        assert.ok(rtt >= 400 - SLACK, `PUBACK after ${rtt.toFixed(0)} ms < 400 ms`);
        assert.ok(rtt < 400 + 3000, `PUBACK after ${rtt.toFixed(0)} ms`);
      }
    });

    it('upstream + downstream latency add up; delivery to a subscriber behind the proxy is delayed', async (t) => {
      const td = useTeardown(t);
      const p = await proxy(td);
      const topic = `chaos/${clientId('lat')}`;
      const sub = await mqttConnect(p.port, td);
      await sub.client.subscribeAsync(topic, { qos: 1 });
      const direct = await mqttConnect(broker.port, td);
      await api.addToxic(p.name, { type: 'latency', stream: 'upstream', attributes: { latency: 200 } });
      await api.addToxic(p.name, { type: 'latency', stream: 'downstream', attributes: { latency: 300 } });
      const rtt = await sub.publishQos1(`${topic}/other`, 'x');
      assert.ok(rtt >= 500 - SLACK, `PUBACK after ${rtt.toFixed(0)} ms < 500 ms`);
      const sent = now();
      await direct.publishQos1(topic, 'to-sub');
      await sub.waitMessages(1, 5000);
      const delay = sub.messages[0]!.at - sent;
      assert.ok(delay >= 300 - SLACK, `delivery took ${delay.toFixed(0)} ms < 300 ms`);
      assert.equal(sub.messages[0]!.payload, 'to-sub');
    });

    it('timeout 0 upstream: no PUBACK, and the connection stays open', async (t) => {
      const td = useTeardown(t);
      const p = await proxy(td);
      const c = await mqttConnect(p.port, td);
      await api.addToxic(p.name, { name: 'hole', type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
      await assert.rejects(c.publishQos1('chaos/test', 'lost', 1500), /no PUBACK/);
      assert.equal(c.closedAt, undefined, 'a black hole does not close the connection');
      assert.equal(c.client.connected, true);
      // Toxiproxy closes the connection when a timeout toxic is removed.
      await api.removeToxic(p.name, 'hole');
      await c.waitClosed(3000);
    });

    it('timeout 0 on both streams: the broker does not see the client leave (a silent partition)', async (t) => {
      const td = useTeardown(t);
      const p = await proxy(td);
      const willTopic = `will/${clientId('silent')}`;
      const observer = await mqttConnect(broker.port, td);
      await observer.client.subscribeAsync(willTopic, { qos: 1 });
      const c = await mqttConnect(p.port, td, { will: { topic: willTopic, payload: Buffer.from('gone'), qos: 1, retain: false } });
      await api.addToxic(p.name, { name: 'up', type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
      await api.addToxic(p.name, { name: 'down', type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } });
      await sleep(1000);
      assert.equal(observer.messages.length, 0, 'no will: the broker still holds the connection');
      assert.equal(c.closedAt, undefined);
    });

    it('reset_peer: a new connection is lost with ECONNRESET', async (t) => {
      const td = useTeardown(t);
      const p = await proxy(td);
      await api.addToxic(p.name, { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
      const c = mqttAttempt(p.port, td);
      await c.waitClosed(5000);
      assert.equal(c.connectedAt, undefined, 'no CONNACK got through');
      assert.ok(c.errorCodes.includes('ECONNRESET'), `errors seen: ${c.errorCodes.join(', ') || 'none'}`);
    });

    it('reset_peer on an established connection: the client sees the connection lost', async (t) => {
      const td = useTeardown(t);
      const p = await proxy(td);
      const c = await mqttConnect(p.port, td);
      await api.addToxic(p.name, { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
      c.client.publish('chaos/test', 'trigger', { qos: 1 });
      await c.waitClosed(3000);
    });

    it('disabling the proxy: the client is cut, the broker sees it at once (will sent), new connections refused', async (t) => {
      const td = useTeardown(t);
      const p = await proxy(td);
      const id = clientId('cut');
      const willTopic = `will/${id}`;
      const observer = await mqttConnect(broker.port, td);
      await observer.client.subscribeAsync(willTopic, { qos: 1 });
      const c = await mqttConnect(p.port, td, {
        clientId: id,
        will: { topic: willTopic, payload: Buffer.from('gone'), qos: 1, retain: false },
      });
      let disconnectedAt: number | undefined;
      const onDisconnect = (client: { id: string }) => {
        if (client.id === id) disconnectedAt ??= now();
      };
      broker.aedes?.on('clientDisconnect', onDisconnect);
      td.add('aedes listener', () => broker.aedes?.off('clientDisconnect', onDisconnect));

      const cutAt = now();
      await api.updateProxy(p.name, { enabled: false });
      await c.waitClosed(2000);
      await observer.waitMessages(1, 3000);
      const willDelay = observer.messages[0]!.at - cutAt;
      assert.equal(observer.messages[0]!.payload, 'gone');
      assert.ok(willDelay < 2000, `will after ${willDelay.toFixed(0)} ms: the broker should see the cut at once`);
      if (broker.aedes) {
        await waitUntil(() => disconnectedAt !== undefined, 2000, "Aedes 'clientDisconnect'");
        assert.ok(disconnectedAt! - cutAt < 2000);
      }

      const refused = mqttAttempt(p.port, td);
      await refused.waitClosed(3000);
      assert.equal(refused.connectedAt, undefined);
      assert.ok(refused.errorCodes.includes('ECONNREFUSED'), `errors seen: ${refused.errorCodes.join(', ') || 'none'}`);

      await api.updateProxy(p.name, { enabled: true });
      const again = await mqttConnect(p.port, td, { clientId: id });
      await again.publishQos1('chaos/test', 'back');
    });
  });
}
