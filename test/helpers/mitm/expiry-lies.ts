/**
 * Lies about MQTT 5 Message Expiry, aimed at chosen clients (by client id) and at PUBLISHes
 * that carry a Message Expiry Interval:
 * - `holdPastLifetime`: every such PUBLISH to a chosen client is held back and forwarded, in
 *   order, `holdMs` after the first was held: it arrives after its lifetime ended, as from a
 *   broker that delivered an expired message;
 * - `forwardOriginalInterval`: every such PUBLISH to a chosen client has its interval set back
 *   to `originalSec`, as from a broker that forwards the received interval, not what is left.
 */
import type { IPublishPacket } from 'mqtt-packet';
import type { MitmConnection } from './connection.js';
import { seqOf } from './lies.js';
import type { Lie } from './server.js';

function withInterval(conn: MitmConnection, packet: { cmd: string }, clients: RegExp): packet is IPublishPacket {
  return packet.cmd === 'publish' && clients.test(conn.clientId) && (packet as IPublishPacket).properties?.messageExpiryInterval !== undefined;
}

export function holdPastLifetime(clients: RegExp, holdMs: number): Lie {
  const held = new Map<MitmConnection, IPublishPacket[]>();
  return {
    name: 'hold-past-lifetime',
    fromBroker(conn, packet, mitm) {
      if (!withInterval(conn, packet, clients)) return false;
      let queue = held.get(conn);
      if (!queue) {
        const mine: IPublishPacket[] = [];
        held.set(conn, mine);
        queue = mine;
        const timer = setTimeout(() => {
          held.delete(conn);
          for (const p of mine) {
            conn.toClient(p);
            mitm.record({ lie: 'hold-past-lifetime', clientId: conn.clientId, seq: seqOf(p)!, detail: String(p.properties?.messageExpiryInterval) });
          }
        }, holdMs);
        timer.unref();
      }
      queue.push(packet);
      return true;
    },
    closed(conn) {
      held.delete(conn);
    },
  };
}

export function forwardOriginalInterval(clients: RegExp, originalSec: number): Lie {
  return {
    name: 'original-interval',
    fromBroker(conn, packet, mitm) {
      if (!withInterval(conn, packet, clients)) return false;
      mitm.record({ lie: 'original-interval', clientId: conn.clientId, seq: seqOf(packet)!, detail: `${packet.properties!.messageExpiryInterval} -> ${originalSec}` });
      conn.toClient({ ...packet, properties: { ...packet.properties, messageExpiryInterval: originalSec } });
      return true;
    },
  };
}
