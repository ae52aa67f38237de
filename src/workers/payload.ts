/**
 * The header every published payload starts with, so a subscriber knows who sent a
 * message, its sequence number and when it was sent — without a lookup table shared
 * between threads. Big-endian (network order), 20 bytes:
 *
 *   offset  size  field
 *        0     2  magic 0x6D63 ("mc"); a later layout gets another magic
 *        2     2  publisher group: index into the run's group names, sorted
 *        4     4  publisher index within its group
 *        8     4  seq, per (publisher, topic), from 0
 *       12     8  sent time, float64 ms on the shared performance.now() clock
 *
 * The rest of the payload (up to the phase's payloadBytes) is zero.
 */
export const HEADER_BYTES = 20;
const MAGIC = 0x6d63;

export interface PayloadHeader {
  group: number;
  publisher: number;
  seq: number;
  sentAt: number;
}

/** A payload of exactly `size` bytes. */
export function encodePayload(size: number, header: PayloadHeader): Buffer {
  if (!Number.isInteger(size) || size < HEADER_BYTES) {
    throw new RangeError(`payloadBytes ${size} is below the ${HEADER_BYTES}-byte message header`);
  }
  const buf = Buffer.alloc(size);
  buf.writeUInt16BE(MAGIC, 0);
  buf.writeUInt16BE(header.group, 2);
  buf.writeUInt32BE(header.publisher, 4);
  buf.writeUInt32BE(header.seq, 8);
  buf.writeDoubleBE(header.sentAt, 12);
  return buf;
}

/**
 * Fills `out` (reused by the caller: nothing allocated per message) and returns true, or
 * returns false for a payload that is not ours: too short, wrong magic, or a send time no
 * clock of ours could produce.
 */
export function decodeHeader(buf: Buffer, out: PayloadHeader): boolean {
  if (buf.length < HEADER_BYTES || buf.readUInt16BE(0) !== MAGIC) return false;
  const sentAt = buf.readDoubleBE(12);
  if (!Number.isFinite(sentAt) || sentAt < 0) return false;
  out.group = buf.readUInt16BE(2);
  out.publisher = buf.readUInt32BE(4);
  out.seq = buf.readUInt32BE(8);
  out.sentAt = sentAt;
  return true;
}
