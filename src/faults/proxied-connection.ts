import type { Socket } from 'node:net';
import { Link } from './link.js';
import type { ToxicCollection } from './toxic-collection.js';

/**
 * A client socket and its upstream socket, joined by two links. As in Toxiproxy, when a
 * link's output ends its destination is closed outright (no half-close), and the other
 * link then sees its source gone; so a close on either side closes both.
 */
export class ProxiedConnection {
  readonly upstreamLink: Link;
  readonly downstreamLink: Link;
  /** Toxiproxy sets SO_LINGER 0 (close = RST) on connections opened while a reset_peer exists. */
  private readonly resetOnClose: boolean;

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    toxics: ToxicCollection,
    onGone: (connection: ProxiedConnection) => void,
  ) {
    this.resetOnClose = toxics.hasResetPeer();
    for (const socket of [client, upstream]) {
      socket.on('error', () => socket.destroy());
    }
    this.upstreamLink = new Link(client, upstream, 'upstream', toxics.chain('upstream'), () =>
      this.closeSocket(upstream),
    );
    this.downstreamLink = new Link(upstream, client, 'downstream', toxics.chain('downstream'), () =>
      this.closeSocket(client),
    );
    toxics.track(this.upstreamLink);
    toxics.track(this.downstreamLink);
    let open = 2;
    const closed = (): void => {
      open -= 1;
      if (open > 0) return;
      toxics.untrack(this.upstreamLink);
      toxics.untrack(this.downstreamLink);
      onGone(this);
    };
    client.once('close', closed);
    upstream.once('close', closed);
  }

  /** Closes both sockets at once (proxy disabled, deleted or the server stopping). */
  destroy(): void {
    this.closeSocket(this.client, true);
    this.closeSocket(this.upstream, true);
  }

  private closeSocket(socket: Socket, now = false): void {
    if (socket.destroyed) return;
    if (this.resetOnClose) socket.resetAndDestroy();
    else if (now) socket.destroy();
    else socket.destroySoon();
  }
}
