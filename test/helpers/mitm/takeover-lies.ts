/**
 * Lies about a session takeover (a second CONNECT with a client id whose first connection
 * is still open). Mosquitto does the takeover for real; the MITM changes only what the
 * client sees of it.
 */
import type { MitmConnection } from './connection.js';
import type { Lie, Mitm } from './server.js';

/** The chosen client's other connections still open through the MITM: the ones a CONNECT on `conn` takes over. */
function othersOpen(mitm: Mitm, conn: MitmConnection): MitmConnection[] {
  return [...mitm.connections].filter((c) => c !== conn && !c.closed && c.clientId === conn.clientId);
}

/**
 * The connection taken over stays open for the client: the broker's DISCONNECT (v5) is
 * swallowed and, when the broker closes its side, the client's side is kept open, so
 * the client never learns its old connection is gone.
 */
export function keepTakenOverOpen(clients: RegExp): Lie {
  const kept = new Set<MitmConnection>();
  return {
    name: 'keep-open',
    beforeConnect(conn, packet, mitm) {
      if (!clients.test(packet.clientId)) return;
      for (const old of othersOpen(mitm, conn)) kept.add(old);
    },
    fromBroker(conn, packet) {
      return packet.cmd === 'disconnect' && kept.has(conn);
    },
    keepsClient(conn, mitm) {
      if (!kept.delete(conn)) return false;
      mitm.record({ lie: 'keep-open', clientId: conn.clientId });
      return true;
    },
  };
}

/** The takeover's CONNACK reaches the client with Session Present 0, whatever the broker answered. */
export function denySessionAtTakeover(clients: RegExp): Lie {
  const takingOver = new Set<MitmConnection>();
  return {
    name: 'deny-session',
    beforeConnect(conn, packet, mitm) {
      if (clients.test(packet.clientId) && othersOpen(mitm, conn).length > 0) takingOver.add(conn);
    },
    fromBroker(conn, packet, mitm) {
      if (packet.cmd !== 'connack' || !takingOver.delete(conn)) return false;
      mitm.record({ lie: 'deny-session', clientId: conn.clientId, detail: `broker said session present ${packet.sessionPresent ? 1 : 0}` });
      conn.toClient({ ...packet, sessionPresent: false });
      return true;
    },
  };
}

/**
 * When the broker closes a connection it took over, the client first gets a DISCONNECT
 * with `code` from the MITM (MQTT 5 only), then the close: 0x8E shows what the spec names
 * (Mosquitto 2.0.11 closes without one), another code a broker that names the wrong cause.
 */
export function disconnectAtTakeover(clients: RegExp, code: number): Lie {
  const takenOver = new Set<MitmConnection>();
  return {
    name: 'disconnect',
    beforeConnect(conn, packet, mitm) {
      if (!clients.test(packet.clientId) || conn.protocol !== 5) return;
      for (const old of othersOpen(mitm, conn)) takenOver.add(old);
    },
    keepsClient(conn, mitm) {
      if (!takenOver.delete(conn)) return false;
      conn.toClient({ cmd: 'disconnect', reasonCode: code });
      mitm.record({ lie: 'disconnect', clientId: conn.clientId, detail: `0x${code.toString(16)}` });
      // Ended, not destroyed, so the DISCONNECT is delivered before the close.
      conn.client.end();
      return true;
    },
  };
}
