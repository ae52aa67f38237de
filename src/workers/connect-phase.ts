/**
 * A `connect` command on one shard: each group's owned clients start connecting at the
 * shard's share of the group's rate, evenly spread. Done when every one has a CONNACK or
 * has failed its first attempt; a failed client keeps retrying in the background.
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import type { ConnectAttempt } from '../metrics/ledger.js';
import { isOutOfFiles, outOfFilesAtRuntime } from '../net/open-files.js';
import type { SimClient } from './client.js';

export interface ConnectGroup {
  /** The clients of the group this shard owns. */
  clients: SimClient[];
  /** The group's size over all shards. */
  groupCount: number;
  /** The group's rate over all shards; absent = unlimited. */
  ratePerSec?: number;
}

/** Starts between yields when not sleeping (unpaced, or behind schedule), so status and sockets are served. */
const YIELD_EVERY = 200;
/** How long clients whose first attempt failed get to connect before the phase ends without them. */
const RETRY_WINDOW_MS = 10_000;
const RETRY_POLL_MS = 100;

/**
 * When client k of this shard starts, in ms after the phase began; undefined = at once.
 * The shard's rate is rate × owned / groupCount, so its clients are groupCount / rate
 * apart. Shards are offset by a fraction of that gap so they interleave, not coincide.
 */
export function startOffsetMs(k: number, owned: number, group: ConnectGroup, shard: number, shards: number): number | undefined {
  if (!group.ratePerSec || owned === 0) return undefined;
  const gapMs = (1000 * group.groupCount) / (group.ratePerSec * owned);
  return (k + shard / shards) * gapMs;
}

export async function runConnectPhase(groups: ConnectGroup[], shard: number, shards: number): Promise<string | undefined> {
  const firsts = (await Promise.all(groups.map((g) => startGroup(g, shard, shards)))).flat();
  const failed = firsts.filter((a): a is ConnectAttempt => a !== undefined && a.connackAt === undefined);
  if (failed.length === 0) return undefined;
  // Out of descriptors: retrying only fails again, so the run stops (the engine says why in one line).
  const outOfFiles = failed.find((a) => a.error !== undefined && isOutOfFiles(a.error));
  if (outOfFiles) throw new Error(outOfFilesAtRuntime(outOfFiles.error ?? '', 'the harness process'));
  const example = failed.find((a) => a.error)?.error ?? 'closed before CONNACK';
  // A refusal that a retry may overcome (a busy broker) is given a while; one that holds
  // (a connection limit, a denied login) leaves the phase short, and the checks say so.
  const clients = groups.flatMap((g) => g.clients);
  const until = performance.now() + RETRY_WINDOW_MS;
  while (clients.some((c) => !c.connected) && performance.now() < until) await sleep(RETRY_POLL_MS);
  const still = clients.filter((c) => !c.connected).length;
  return `${failed.length} of ${firsts.length} failed their first attempt (e.g. ${example}); ${still} still not connected`;
}

async function startGroup(group: ConnectGroup, shard: number, shards: number): Promise<(ConnectAttempt | undefined)[]> {
  const started = performance.now();
  const pending: Promise<ConnectAttempt | undefined>[] = [];
  for (const [k, client] of group.clients.entries()) {
    const offset = startOffsetMs(k, group.clients.length, group, shard, shards);
    const wait = offset !== undefined ? started + offset - performance.now() : 0;
    if (wait >= 1) await sleep(wait);
    else if (k % YIELD_EVERY === YIELD_EVERY - 1) await yieldToLoop();
    pending.push(client.connect());
  }
  return Promise.all(pending);
}
