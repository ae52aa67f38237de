/**
 * Length-prefixed frames over a TCP socket: a 4-byte big-endian length, then the bytes.
 * The agent link (workers/agent-protocol.ts) sends JSON frames until the token is checked,
 * then `node:v8` serialized ones: the structured clone a MessagePort carries, so a ledger
 * with Maps and typed arrays arrives as it left. A frame over the limit ends the link
 * rather than buffering without bound.
 */
import type { Socket } from 'node:net';
import { deserialize, serialize } from 'node:v8';

const HEADER = 4;

export class FrameTooLarge extends Error {
  constructor(readonly bytes: number, readonly limit: number) {
    super(`a frame of ${bytes} bytes is over the limit of ${limit}`);
  }
}

/** Cuts a byte stream into frames; `maxBytes` can be raised once the peer is trusted. */
export class FrameReader {
  #pending: Buffer[] = [];
  #buffered = 0;
  constructor(public maxBytes: number) {}

  /** The whole frames completed by `chunk`, in order. Throws FrameTooLarge. */
  push(chunk: Buffer): Buffer[] {
    this.#pending.push(chunk);
    this.#buffered += chunk.length;
    const frames: Buffer[] = [];
    while (this.#buffered >= HEADER) {
      const head = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
      this.#pending = [head];
      const length = head.readUInt32BE(0);
      if (length > this.maxBytes) throw new FrameTooLarge(length, this.maxBytes);
      if (head.length < HEADER + length) break;
      frames.push(head.subarray(HEADER, HEADER + length));
      const rest = head.subarray(HEADER + length);
      this.#pending = rest.length > 0 ? [rest] : [];
      this.#buffered = rest.length;
    }
    return frames;
  }
}

export function frameOf(payload: Buffer): Buffer {
  const head = Buffer.alloc(HEADER);
  head.writeUInt32BE(payload.length, 0);
  return Buffer.concat([head, payload]);
}

export function writeJson(socket: Socket, value: unknown): void {
  socket.write(frameOf(Buffer.from(JSON.stringify(value))));
}

export function writeCloned(socket: Socket, value: unknown): void {
  socket.write(frameOf(serialize(value)));
}

export function readJson(frame: Buffer): unknown {
  return JSON.parse(frame.toString('utf8'));
}

export function readCloned(frame: Buffer): unknown {
  return deserialize(frame);
}
