/**
 * The `takeover` command on one shard: every connected client of the groups opens its
 * second connection, straight to the broker, while the first is still open for the broker
 * (its upstream is black-holed by the takeover fault), then waits for the broker to close
 * the first. Done when each client's first connection closed or `closeWithinMs` passed
 * after its second CONNACK; the checks judge the ledger, this only says what is undone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimClient } from './client.js';
import type { Endpoint } from './protocol.js';

type Outcome = 'taken over' | 'not connected' | 'second connection failed' | 'first connection still open';

export async function runTakeoverPhase(clients: readonly SimClient[], broker: Endpoint | undefined, closeWithinMs: number): Promise<string | undefined> {
  if (!broker) throw new Error('takeover: the shard was given no direct broker endpoint');
  const outcomes = await Promise.all(clients.map((c) => takeOver(c, broker, closeWithinMs)));
  const counts = new Map<Outcome, number>();
  for (const o of outcomes) if (o !== 'taken over') counts.set(o, (counts.get(o) ?? 0) + 1);
  if (counts.size === 0) return undefined;
  return [...counts].map(([what, n]) => `${n} of ${clients.length}: ${what}${what === 'first connection still open' ? ` ${closeWithinMs} ms after the second CONNACK` : ''}`).join('; ');
}

async function takeOver(client: SimClient, broker: Endpoint, closeWithinMs: number): Promise<Outcome> {
  const taken = await client.takeover(broker);
  if (!taken) return 'not connected';
  if (taken.attempt.connackAt === undefined) return 'second connection failed';
  const late = new AbortController();
  const closed = await Promise.race([taken.old.closed.then(() => true), sleep(closeWithinMs, false, { signal: late.signal }).catch(() => false)]);
  late.abort();
  return closed ? 'taken over' : 'first connection still open';
}
