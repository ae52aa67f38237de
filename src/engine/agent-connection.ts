/**
 * The coordinator's end of one agent's link: the handshake (challenge, constant-time proof
 * check, welcome or refusal), then requests with ids and their replies, the agent's shard
 * events, and the link's end. A request pending when the link ends is rejected, so no
 * phase waits on an agent that is gone.
 */
import type { Socket } from 'node:net';
import { FrameReader, readCloned, readJson, writeCloned, writeJson } from '../net/frames.js';
import {
  AGENT_PROTOCOL_VERSION,
  HANDSHAKE_FRAME_LIMIT,
  newChallenge,
  proofMatches,
  proofOf,
  TRUSTED_FRAME_LIMIT,
  type FromAgent,
  type Hello,
  type Reply,
  type ToAgent,
} from '../workers/agent-protocol.js';
import type { ShardEvent } from '../workers/protocol.js';

/** Who joined, as the agent said in its hello (the address is the socket's). */
export interface AgentInfo {
  agent: number;
  host: string;
  pid: number;
  cores: number;
  address: string;
  /** The agent's performance.timeOrigin, as it said. */
  timeOrigin: number;
}

/** A request without its id (the connection numbers it); clock samples have their own call. */
type Request<T = Exclude<ToAgent, { kind: 'bye' | 'clock' }>> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * A joined agent is pinged (a clock sample) every PING_MS; one that answers nothing for
 * SILENCE_MS — stopped, its host frozen, the network gone without a reset — is dropped as
 * lost, as if its link had closed. Its main thread only relays messages (the clients live in
 * its worker threads), so a busy agent still answers. Test hook: MQTT_CHAOS_TEST_AGENT_SILENCE_MS.
 */
const PING_MS = 1000;
const silenceMs = (): number => Number(process.env.MQTT_CHAOS_TEST_AGENT_SILENCE_MS) || 10_000;

type Pending = { resolve(reply: Reply): void; reject(err: Error): void };

export class AgentConnection {
  readonly #pending = new Map<number, Pending>();
  readonly #clocks = new Map<number, { resolve(at: number): void; reject(err: Error): void }>();
  #nextId = 1;
  #endedWith: string | undefined;
  #onEnd: ((why: string) => void)[] = [];
  #heardAt = performance.now();
  readonly #pinger: NodeJS.Timeout;
  /** Where the agent's shard events and worker crashes go (the current run's pool). */
  onEvent: (event: ShardEvent) => void = () => undefined;
  onCrash: (shard: number, message: string) => void = () => undefined;

  private constructor(
    readonly info: AgentInfo,
    private readonly socket: Socket,
    reader: FrameReader,
  ) {
    reader.maxBytes = TRUSTED_FRAME_LIMIT;
    socket.removeAllListeners('data');
    socket.on('data', (chunk: Buffer) => {
      this.#heardAt = performance.now();
      try {
        for (const frame of reader.push(chunk)) this.#onMessage(readCloned(frame) as FromAgent);
      } catch (err) {
        this.#end(`sent a bad frame (${err instanceof Error ? err.message : String(err)})`);
      }
    });
    socket.on('close', () => this.#end('its link closed'));
    const limit = silenceMs();
    this.#pinger = setInterval(() => {
      const silent = performance.now() - this.#heardAt;
      if (silent > limit) this.#end(`it answered nothing for ${Math.round(silent / 1000)} s`);
      else if (!socket.destroyed) writeCloned(socket, { kind: 'clock', id: 0 } satisfies ToAgent);
    }, PING_MS);
    this.#pinger.unref();
  }

  /**
   * Runs the handshake on an accepted socket. Resolves with the connection, or with the
   * reason the peer was refused (told to it, then the socket closed). `claim` is asked for
   * the agent's number only once its proof checks (undefined: no place left), so peers that
   * never prove anything cannot take the places of real agents.
   */
  static accept(socket: Socket, token: string, claim: () => number | undefined, full: string): Promise<AgentConnection | { refused: string }> {
    const address = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const challenge = newChallenge();
    const reader = new FrameReader(HANDSHAKE_FRAME_LIMIT);
    socket.setNoDelay(true);
    writeJson(socket, challenge);
    return new Promise((resolve) => {
      const refuse = (reason: string): void => {
        if (!socket.destroyed) writeJson(socket, { kind: 'refused', reason });
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
        resolve({ refused: `${address}: ${reason}` });
      };
      const limit = setTimeout(() => refuse('no hello within 10 s'), 10_000);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(limit);
        resolve({ refused: `${address}: closed before its hello` });
      });
      socket.on('data', (chunk: Buffer) => {
        let frames: Buffer[];
        try {
          frames = reader.push(chunk);
        } catch (err) {
          clearTimeout(limit);
          refuse(err instanceof Error ? err.message : String(err));
          return;
        }
        if (frames.length === 0) return;
        clearTimeout(limit);
        let hello: Hello;
        try {
          hello = readJson(frames[0]!) as Hello;
        } catch {
          refuse('its hello is not JSON');
          return;
        }
        if (hello.kind !== 'hello' || hello.version !== AGENT_PROTOCOL_VERSION) return refuse(`speak agent protocol ${AGENT_PROTOCOL_VERSION}`);
        if (!proofMatches(token, challenge.nonce, hello.proof)) return refuse('wrong token (MQTT_CHAOS_TOKEN differs from the coordinator\'s)');
        if (typeof hello.nonce !== 'string' || hello.nonce.length < 16) return refuse('its hello has no challenge for the coordinator');
        const agent = claim();
        if (agent === undefined) return refuse(full);
        socket.removeAllListeners('close');
        writeJson(socket, { kind: 'welcome', agent, proof: proofOf(token, hello.nonce, 'coordinator') });
        const info: AgentInfo = { agent, host: String(hello.host), pid: Number(hello.pid), cores: Number(hello.cores), address, timeOrigin: Number(hello.timeOrigin) };
        resolve(new AgentConnection(info, socket, reader));
      });
    });
  }

  get name(): string {
    return `agent ${this.info.agent} (pid ${this.info.pid} on ${this.info.host})`;
  }

  get ended(): string | undefined {
    return this.#endedWith;
  }

  /** Called once, with why, when the link ends for any reason. */
  whenEnded(listener: (why: string) => void): void {
    if (this.#endedWith !== undefined) listener(this.#endedWith);
    else this.#onEnd.push(listener);
  }

  request(message: Request): Promise<Reply> {
    if (this.#endedWith !== undefined) return Promise.reject(new Error(`${this.name} is gone: ${this.#endedWith}`));
    const id = this.#nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      writeCloned(this.socket, { ...message, id });
    });
  }

  /** One clock sample: the agent's performance.now() at the moment it answered. */
  clockSample(): Promise<number> {
    if (this.#endedWith !== undefined) return Promise.reject(new Error(`${this.name} is gone`));
    const id = this.#nextId++;
    return new Promise<number>((resolve, reject) => {
      this.#clocks.set(id, { resolve, reject });
      writeCloned(this.socket, { kind: 'clock', id } satisfies ToAgent);
    });
  }

  /** Tells the agent the invocation is over; it stops its pool and exits. */
  bye(): void {
    clearInterval(this.#pinger);
    if (this.#endedWith === undefined && !this.socket.destroyed) writeCloned(this.socket, { kind: 'bye' } satisfies ToAgent);
    this.socket.end();
  }

  /** The link's socket, for the listener that must close every other one. */
  socketOf(): Socket {
    return this.socket;
  }

  /** Drops the link at once (the agent then stops its pool). */
  close(): void {
    clearInterval(this.#pinger);
    this.socket.destroy();
  }

  #onMessage(message: FromAgent): void {
    switch (message.kind) {
      case 'clock':
        this.#clocks.get(message.id)?.resolve(message.at);
        this.#clocks.delete(message.id);
        return;
      case 'reply':
        this.#pending.get(message.id)?.resolve(message.reply);
        this.#pending.delete(message.id);
        return;
      case 'failed':
        this.#pending.get(message.id)?.reject(new Error(`${this.name}: ${message.message}`));
        this.#pending.delete(message.id);
        return;
      case 'event':
        this.onEvent(message.event);
        return;
      case 'crash':
        this.onCrash(message.shard, message.message);
        return;
    }
  }

  #end(why: string): void {
    if (this.#endedWith !== undefined) return;
    this.#endedWith = why;
    clearInterval(this.#pinger);
    this.socket.destroy();
    const err = new Error(`${this.name} is gone: ${why}`);
    for (const pending of [...this.#pending.values(), ...this.#clocks.values()]) pending.reject(err);
    this.#pending.clear();
    this.#clocks.clear();
    for (const listener of this.#onEnd.splice(0)) listener(why);
  }
}
