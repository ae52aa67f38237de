/**
 * Which sequence numbers of one (subscriber, publisher) pair have arrived: one bit per
 * seq in a bitmap that doubles when needed. Seqs are dense from 0, so this is far smaller
 * than a Set<number> and allocates only when it grows.
 */

/**
 * The largest seq accepted: 2^27 messages from one publisher to one topic (a 16 MiB
 * bitmap). A corrupted header must not make a worker allocate gigabytes.
 */
export const MAX_SEQ = 2 ** 27 - 1;

export class SeenSet {
  #bits = new Uint8Array(16);

  /** Marks `seq` seen; true if it was not seen before. */
  add(seq: number): boolean {
    if (!Number.isInteger(seq) || seq < 0 || seq > MAX_SEQ) throw new RangeError(`seq ${seq} is outside 0..${MAX_SEQ}`);
    const byte = seq >>> 3;
    if (byte >= this.#bits.length) this.#grow(byte + 1);
    const mask = 1 << (seq & 7);
    const bits = this.#bits;
    const old = bits[byte] ?? 0;
    if ((old & mask) !== 0) return false;
    bits[byte] = old | mask;
    return true;
  }

  #grow(minBytes: number): void {
    let size = this.#bits.length * 2;
    while (size < minBytes) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.#bits);
    this.#bits = bigger;
  }
}
