/**
 * A lie about the client's window: a chosen v5 client's CONNECT reaches the broker with
 * its Receive Maximum removed (the broker then applies its own limit; Mosquitto's
 * max_inflight_messages, 20) or set to `to`, so the broker may send more QoS 1/2
 * messages at once than the client asked for. Each rewritten CONNECT is recorded, with
 * what the client had asked (a CONNECT already as the lie wants it is left alone).
 */
import type { Lie } from './server.js';

export function rewriteReceiveMaximum(clients: RegExp, to?: number): Lie {
  return {
    name: 'receive-maximum',
    beforeConnect(conn, packet, mitm) {
      if (conn.protocol !== 5 || !clients.test(packet.clientId)) return;
      const asked = packet.properties?.receiveMaximum;
      if (asked === to) return;
      const { receiveMaximum: _asked, ...rest } = packet.properties ?? {};
      packet.properties = to === undefined ? rest : { ...rest, receiveMaximum: to };
      mitm.record({ lie: 'receive-maximum', clientId: packet.clientId, detail: `${asked ?? 'none'} -> ${to ?? 'none'}` });
    },
  };
}
