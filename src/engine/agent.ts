/**
 * `mqtt-chaos agent --join HOST:PORT`: joins a coordinator, proves it holds the token, then
 * runs the shards it is handed in its own worker pool (pool.ts) and answers the typed
 * messages of agent-protocol.ts, nothing else. One pool per run; the link lives for the
 * coordinator's whole invocation. When the link ends (`bye`, the coordinator gone, or a
 * signal here) the pool is destroyed: no client, thread or socket outlives the agent.
 */
import { connect, type Socket } from 'node:net';
import { availableParallelism, hostname } from 'node:os';
import { FrameReader, readCloned, readJson, writeCloned, writeJson } from '../net/frames.js';
import { clientsOf, type ShardEvent } from '../workers/protocol.js';
import { startShards, type ShardPool } from '../workers/pool.js';
import { AgentFaultServer } from './agent-fault-server.js';
import { checkOpenFiles, openFileLimits } from '../net/open-files.js';
import { HARNESS_RESERVE } from './open-files-preflight.js';
import {
  AGENT_PROTOCOL_VERSION,
  asToAgent,
  HANDSHAKE_FRAME_LIMIT,
  newChallenge,
  proofMatches,
  proofOf,
  TOKEN_ENV,
  TRUSTED_FRAME_LIMIT,
  type Challenge,
  type FromAgent,
  type Reply,
  type ToAgent,
  type Verdict,
} from '../workers/agent-protocol.js';

export interface AgentOptions {
  host: string;
  port: number;
  token: string;
  log: (line: string) => void;
  signal: AbortSignal;
}

/** How the agent's link ended. `refused` and `unreachable` are the user's to fix. */
export type AgentEnd =
  | { kind: 'bye' }
  | { kind: 'coordinator-gone' }
  | { kind: 'interrupted' }
  | { kind: 'refused'; reason: string }
  | { kind: 'unreachable'; reason: string };

export function runAgent(options: AgentOptions): Promise<AgentEnd> {
  const { log } = options;
  const where = `${options.host}:${options.port}`;
  return new Promise<AgentEnd>((resolve) => {
    const socket: Socket = connect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    const reader = new FrameReader(HANDSHAKE_FRAME_LIMIT);
    let stage: 'challenge' | 'verdict' | 'joined' = 'challenge';
    const ours = newChallenge();
    let pool: ShardPool | undefined;
    let ended: AgentEnd | undefined;
    const faults = new AgentFaultServer(log);
    const send = (message: FromAgent): void => {
      if (!socket.destroyed) writeCloned(socket, message);
    };
    const end = async (how: AgentEnd): Promise<void> => {
      if (ended) return;
      ended = how;
      options.signal.removeEventListener('abort', onAbort);
      await pool?.destroy().catch(() => undefined);
      pool = undefined;
      await faults.stop();
      socket.destroy();
      resolve(how);
    };
    const onAbort = (): void => void end({ kind: 'interrupted' });
    options.signal.addEventListener('abort', onAbort, { once: true });

    const reply = async (id: number, work: () => Promise<Reply>): Promise<void> => {
      try {
        send({ kind: 'reply', id, reply: await work() });
      } catch (err) {
        send({ kind: 'failed', id, message: err instanceof Error ? err.message : String(err) });
      }
    };
    const onEvent = (event: ShardEvent): void => send({ kind: 'event', event });
    const onCrash = (shard: number, message: string): void => send({ kind: 'crash', shard, message });
    const needPool = (): ShardPool => {
      if (!pool) throw new Error('no shards started');
      return pool;
    };

    const act = (message: ToAgent): void => {
      switch (message.kind) {
        case 'clock':
          send({ kind: 'clock', id: message.id, at: performance.now() });
          return;
        case 'start':
          void reply(message.id, async () => {
            if (pool) throw new Error('shards already started');
            // This process holds its share's sockets: its own limit, said before any connects.
            const clients = message.inits.reduce((n, init) => n + clientsOf(init), 0);
            checkOpenFiles(clients + HARNESS_RESERVE, `agent ${hostname()} pid ${process.pid}`, openFileLimits());
            const inits = message.inits.map((init) => ({ ...init, clockOffsetMs: message.clockOffsetMs }));
            pool = await startShards(inits, onEvent, onCrash);
            log(`started ${inits.length} shard(s): ${inits.map((i) => i.shard).join(', ')}`);
            return { kind: 'started', shards: inits.map((i) => i.shard) };
          });
          return;
        case 'send':
          void reply(message.id, async () => ({ kind: 'dones', dones: await needPool().send(message.target, message.command) }));
          return;
        case 'status':
          void reply(message.id, async () => ({ kind: 'statuses', statuses: await needPool().status() }));
          return;
        case 'finish':
          void reply(message.id, async () => ({ kind: 'ledgers', ledgers: await needPool().finish(message.clear) }));
          return;
        case 'destroy':
          void reply(message.id, async () => {
            const ending = pool;
            pool = undefined;
            await ending?.destroy();
            await faults.stop();
            return { kind: 'destroyed' };
          });
          return;
        case 'proxies':
          void reply(message.id, async () => ({ kind: 'endpoints', endpoints: await faults.proxies(message) }));
          return;
        case 'fault':
          void reply(message.id, async () => {
            await faults.start(message.groups, message.fault);
            return { kind: 'applied', at: performance.now() };
          });
          return;
        case 'heal':
          void reply(message.id, async () => {
            await faults.heal(message.groups);
            return { kind: 'applied', at: performance.now() };
          });
          return;
        case 'bye':
          void end({ kind: 'bye' });
          return;
      }
    };

    const onFrame = (frame: Buffer): void => {
      if (stage === 'challenge') {
        const challenge = readJson(frame) as Challenge;
        if (challenge.kind !== 'challenge' || challenge.version !== AGENT_PROTOCOL_VERSION) {
          void end({ kind: 'refused', reason: `${where} does not speak agent protocol ${AGENT_PROTOCOL_VERSION}` });
          return;
        }
        writeJson(socket, { kind: 'hello', version: AGENT_PROTOCOL_VERSION, proof: proofOf(options.token, challenge.nonce), nonce: ours.nonce, host: hostname(), pid: process.pid, cores: availableParallelism(), timeOrigin: performance.timeOrigin });
        stage = 'verdict';
        return;
      }
      if (stage === 'verdict') {
        const verdict = readJson(frame) as Verdict;
        if (verdict.kind !== 'welcome') {
          void end({ kind: 'refused', reason: verdict.kind === 'refused' ? verdict.reason : 'no welcome' });
          return;
        }
        if (!proofMatches(options.token, ours.nonce, verdict.proof, 'coordinator')) {
          void end({ kind: 'refused', reason: `${where} could not prove it holds ${TOKEN_ENV}: not our coordinator` });
          return;
        }
        stage = 'joined';
        reader.maxBytes = TRUSTED_FRAME_LIMIT;
        log(`joined ${where} as agent ${verdict.agent}`);
        return;
      }
      const message = asToAgent(readCloned(frame));
      if (!message) {
        void end({ kind: 'refused', reason: 'the coordinator sent a message outside the agent protocol' });
        return;
      }
      act(message);
    };

    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) onFrame(frame);
      } catch (err) {
        void end({ kind: 'refused', reason: `bad frame from ${where}: ${err instanceof Error ? err.message : String(err)}` });
      }
    });
    socket.on('error', (err) => {
      if (stage === 'challenge') void end({ kind: 'unreachable', reason: `cannot reach the coordinator at ${where}: ${err.message}` });
    });
    socket.on('close', () => {
      if (stage === 'joined') void end({ kind: 'coordinator-gone' });
      else if (stage === 'verdict') void end({ kind: 'refused', reason: `${where} closed the link during the handshake` });
      else void end({ kind: 'unreachable', reason: `cannot reach the coordinator at ${where}` });
    });
  });
}
