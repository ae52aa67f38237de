/**
 * The header every published payload starts with, so a subscriber knows who sent a
 * message, its sequence number, when it was sent and whether this invocation sent it —
 * without a lookup table shared between threads. Big-endian (network order), 24 bytes:
 *
 *   offset  size  field
 *        0     2  magic 0x6D64 ("md"); a later layout gets another magic
 *        2     2  publisher group: index into the run's group names, sorted
 *        4     4  invocation: the nonce of the `mqtt-chaos run` that sent it
 *        8     4  publisher index within its group
 *       12     4  seq, per (publisher, topic), from 0
 *       16     8  sent time, float64 ms on the shared performance.now() clock
 *
 * The rest of the payload (up to the phase's payloadBytes) is zero. A broker that outlives
 * a run can hand its queued messages to the next one: the invocation tells them apart.
 */
export const HEADER_BYTES = 24;
const MAGIC = 0x6d64;
/** The first layout (20 bytes, no invocation; read as invocation 0): sent by an older build, so never by this invocation. */
const MAGIC_V1 = 0x6d63;
const HEADER_V1_BYTES = 20;

export interface PayloadHeader {
  group: number;
  invocation: number;
  publisher: number;
  seq: number;
  sentAt: number;
}

/** Sent by this invocation, by an earlier one (a broker's leftover), or not a payload of ours. */
export type Origin = 'this-run' | 'earlier-run' | 'not-ours';

/** A payload of exactly `size` bytes. */
export function encodePayload(size: number, header: PayloadHeader): Buffer {
  if (!Number.isInteger(size) || size < HEADER_BYTES) {
    throw new RangeError(`payloadBytes ${size} is below the ${HEADER_BYTES}-byte message header`);
  }
  const buf = Buffer.alloc(size);
  buf.writeUInt16BE(MAGIC, 0);
  buf.writeUInt16BE(header.group, 2);
  buf.writeUInt32BE(header.invocation, 4);
  buf.writeUInt32BE(header.publisher, 8);
  buf.writeUInt32BE(header.seq, 12);
  buf.writeDoubleBE(header.sentAt, 16);
  return buf;
}

/**
 * Fills `out` (reused by the caller: nothing allocated per message) and says whose it is:
 * `invocation` is this invocation's nonce. `not-ours` (too short, wrong magic, a send time
 * no clock of ours could produce) leaves `out` alone.
 */
export function decodeHeader(buf: Buffer, out: PayloadHeader, invocation: number): Origin {
  const magic = buf.length >= HEADER_V1_BYTES ? buf.readUInt16BE(0) : 0;
  if (magic === MAGIC && buf.length >= HEADER_BYTES) {
    const sentAt = buf.readDoubleBE(16);
    if (!Number.isFinite(sentAt) || sentAt < 0) return 'not-ours';
    out.group = buf.readUInt16BE(2);
    out.invocation = buf.readUInt32BE(4);
    out.publisher = buf.readUInt32BE(8);
    out.seq = buf.readUInt32BE(12);
    out.sentAt = sentAt;
    return out.invocation === invocation ? 'this-run' : 'earlier-run';
  }
  if (magic === MAGIC_V1) {
    const sentAt = buf.readDoubleBE(12);
    if (!Number.isFinite(sentAt) || sentAt < 0) return 'not-ours';
    out.group = buf.readUInt16BE(2);
    out.invocation = 0;
    out.publisher = buf.readUInt32BE(4);
    out.seq = buf.readUInt32BE(8);
    out.sentAt = sentAt;
    return 'earlier-run';
  }
  return 'not-ours';
}
