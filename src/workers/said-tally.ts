/**
 * What the broker refused or changed, counted per group in one shard: one entry per
 * (group, packet, code or property value), with the first few occurrences verbatim. Per
 * client noise (10,000 identical CONNACKs) becomes one line with a count.
 */
import type { SaidEntry } from '../metrics/ledger.js';
import type { SaidPacket } from '../result/refusals.js';

export const EXAMPLES = 3;

export interface Said {
  packet: SaidPacket;
  code?: number;
  property?: string;
  value?: number | string | boolean;
}

export class SaidTally {
  readonly #entries = new Map<string, { entry: SaidEntry; clients: Set<string> }>();

  /** `client` is the client's ref; `example` is made only for the first few occurrences: most calls allocate nothing. */
  add(group: string, client: string, said: Said, example: () => string): void {
    const key = `${group}\u0000${said.packet}\u0000${said.code ?? ''}\u0000${said.property ?? ''}\u0000${String(said.value ?? '')}`;
    let slot = this.#entries.get(key);
    if (slot === undefined) {
      slot = { entry: { group, ...said, count: 0, clients: 0, examples: [], firstAt: performance.now() }, clients: new Set() };
      this.#entries.set(key, slot);
    }
    slot.entry.count++;
    slot.clients.add(client);
    if (slot.entry.examples.length < EXAMPLES) slot.entry.examples.push(example());
  }

  entries(): SaidEntry[] {
    return [...this.#entries.values()].map(({ entry, clients }) => ({ ...entry, clients: clients.size }));
  }
}
