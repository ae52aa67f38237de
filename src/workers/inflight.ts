/**
 * How many QoS 1/2 messages the broker has in flight to one client, counted at the packet
 * level as MQTT 5 §4.9 defines the broker's send quota: a QoS>0 PUBLISH received takes a
 * slot; the client's PUBACK, PUBCOMP, or PUBREC with a failure code (≥ 0x80) gives it
 * back. A PUBLISH that arrives while every slot the client's Receive Maximum allows is
 * taken breaks MQTT-3.3.4-9. Per packet: a few number operations, no allocation.
 */
import type { Packet } from 'mqtt';

export class InFlight {
  /** In flight now, on the current connection. */
  #now = 0;
  /** Highest in flight on any connection. */
  max = 0;
  /** PUBLISH packets that arrived with `cap` already in flight. */
  overCap = 0;

  /** `cap`: the Receive Maximum the client sent (absent: it sent none, so 65535 and nothing to break in practice). */
  constructor(readonly cap: number | undefined) {}

  /** A new connection: the quota starts full again (§4.9). */
  reset(): void {
    this.#now = 0;
  }

  received(packet: Packet): void {
    if (packet.cmd !== 'publish' || packet.qos === 0) return;
    if (this.cap !== undefined && this.#now >= this.cap) this.overCap++;
    this.#now++;
    if (this.#now > this.max) this.max = this.#now;
  }

  sent(packet: Packet): void {
    const frees = packet.cmd === 'puback' || packet.cmd === 'pubcomp' || (packet.cmd === 'pubrec' && (packet.reasonCode ?? 0) >= 0x80);
    if (frees && this.#now > 0) this.#now--;
  }
}
