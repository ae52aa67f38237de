/**
 * The typed conversation between a coordinator (`mqtt-chaos run --agents N` or `--listen`)
 * and an agent (`mqtt-chaos agent --join`), over TCP in frames (net/frames.ts). It is the
 * shard protocol of protocol.ts carried one level up: the coordinator builds every
 * ShardInit, hands each agent its shards, then sends the same Commands the engine sends a
 * worker pool; the agent runs them in its own pool (pool.ts) and returns ShardEvents and,
 * at finish, the ShardLedgers. An agent executes only these messages: no scenario, file
 * path or code ever crosses the link.
 *
 * Handshake, in JSON frames, both ways: the coordinator sends a challenge (a random nonce),
 * the agent answers with HMAC-SHA256(token, nonce), its own nonce and who it is; the
 * coordinator compares in constant time and welcomes it with its own proof over the
 * agent's nonce (or refuses it); the agent checks that proof before it acts on anything,
 * so a peer without the token can neither join nor pose as the coordinator and aim an
 * agent's clients somewhere. Only then do structured-clone frames flow.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ShardLedger } from '../metrics/ledger.js';
import type { ProxyFaultPlan } from '../scenario/plan.js';
import type { ClearRequest, Endpoint, ShardEvent, ShardInit, ShardStatus } from './protocol.js';
import type { PhaseCommand } from './shard.js';
import type { DoneEvent } from './shard-link.js';

export const AGENT_PROTOCOL_VERSION = 1;
/** The environment variable both sides read the shared token from. */
export const TOKEN_ENV = 'MQTT_CHAOS_TOKEN';
/** Before the token is checked a peer may send only this much in one frame. */
export const HANDSHAKE_FRAME_LIMIT = 16 * 1024;
/** Ledgers of a large shard are big; still bounded. */
export const TRUSTED_FRAME_LIMIT = 1024 * 1024 * 1024;

export interface Challenge {
  kind: 'challenge';
  version: number;
  nonce: string;
}

export interface Hello {
  kind: 'hello';
  version: number;
  proof: string;
  /** The agent's challenge to the coordinator. */
  nonce: string;
  host: string;
  pid: number;
  cores: number;
  /** performance.timeOrigin: on one host, the clock offset must match the two processes' origins. */
  timeOrigin: number;
}

export type Verdict = { kind: 'welcome'; agent: number; proof: string } | { kind: 'refused'; reason: string };

export type ToAgent =
  /** Answered at once with the agent's performance.now(): one NTP-style clock sample. */
  | { kind: 'clock'; id: number }
  /** Start a pool for these shards; `clockOffsetMs` is added to the shards' clock so they record on the coordinator's. */
  | { kind: 'start'; id: number; inits: ShardInit[]; clockOffsetMs: number }
  | { kind: 'send'; id: number; target: number | 'all'; command: PhaseCommand }
  | { kind: 'status'; id: number }
  | { kind: 'finish'; id: number; clear?: ClearRequest }
  /** Stop this run's shards and delete this run's proxies on the agent's fault server. */
  | { kind: 'destroy'; id: number }
  /**
   * Create proxies on the agent's own fault server (started on first use, on its
   * loopback), one per group, to the broker address given (as the agent reaches it);
   * beyond the agent's loopback only with `allowRemote` (the scenario's own opt-in).
   */
  | { kind: 'proxies'; id: number; run: string; groups: { name: string; upstream: Endpoint }[]; allowRemote: boolean; clients: number }
  /** Apply a fault to / heal the groups' proxies on the agent's fault server; answered with the agent's clock after. */
  | { kind: 'fault'; id: number; groups: string[]; fault: ProxyFaultPlan }
  | { kind: 'heal'; id: number; groups: string[] }
  /** The invocation is over: stop and exit. */
  | { kind: 'bye' };

export type Reply =
  | { kind: 'started'; shards: number[] }
  | { kind: 'dones'; dones: DoneEvent[] }
  | { kind: 'statuses'; statuses: ShardStatus[] }
  | { kind: 'ledgers'; ledgers: ShardLedger[] }
  | { kind: 'destroyed' }
  | { kind: 'endpoints'; endpoints: Record<string, Endpoint[]> }
  /** When the agent's fault server had applied it, on the agent's own clock. */
  | { kind: 'applied'; at: number };

export type FromAgent =
  | { kind: 'clock'; id: number; at: number }
  | { kind: 'reply'; id: number; reply: Reply }
  | { kind: 'failed'; id: number; message: string }
  | { kind: 'event'; event: ShardEvent }
  /** A worker thread of the agent died (pool.ts onCrash). */
  | { kind: 'crash'; shard: number; message: string };

const TO_AGENT_KINDS = new Set(['clock', 'start', 'send', 'status', 'finish', 'destroy', 'proxies', 'fault', 'heal', 'bye']);

/** The message, if it is one of the protocol's: anything else is refused, never acted on. */
export function asToAgent(value: unknown): ToAgent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const kind = (value as { kind?: unknown }).kind;
  return typeof kind === 'string' && TO_AGENT_KINDS.has(kind) ? (value as ToAgent) : undefined;
}

export function newChallenge(): Challenge {
  return { kind: 'challenge', version: AGENT_PROTOCOL_VERSION, nonce: randomBytes(32).toString('base64') };
}

/** The side is part of the MAC, so one side's proof cannot be replayed as the other's. */
export type Side = 'agent' | 'coordinator';

export function proofOf(token: string, nonce: string, side: Side = 'agent'): string {
  return createHmac('sha256', token).update(`${side}:${nonce}`).digest('base64');
}

/** Constant-time: how much of a wrong proof matched is not leaked by the answer's timing. */
export function proofMatches(token: string, nonce: string, proof: unknown, side: Side = 'agent'): boolean {
  if (typeof proof !== 'string') return false;
  const want = Buffer.from(proofOf(token, nonce, side));
  const got = Buffer.from(proof);
  return got.length === want.length && timingSafeEqual(got, want);
}
