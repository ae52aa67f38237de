import type { Link } from './link.js';
import type { Direction, Toxic } from './toxics/catalog.js';

/**
 * A proxy's toxics, one ordered chain per direction, and the live links they apply to:
 * every change reaches connections that are already open.
 */
export class ToxicCollection {
  private readonly chains: Record<Direction, Toxic[]> = { upstream: [], downstream: [] };
  private readonly links = new Set<Link>();

  /** Upstream toxics first, then downstream, each in the order added (as Toxiproxy lists them). */
  list(): Toxic[] {
    return [...this.chains.upstream, ...this.chains.downstream];
  }

  chain(direction: Direction): readonly Toxic[] {
    return this.chains[direction];
  }

  get(name: string): Toxic | undefined {
    return this.list().find((toxic) => toxic.name === name);
  }

  hasResetPeer(): boolean {
    return this.list().some((toxic) => toxic.type === 'reset_peer');
  }

  add(toxic: Toxic): void {
    this.chains[toxic.direction].push(toxic);
    for (const link of this.linksOf(toxic)) link.addToxic(toxic);
  }

  /** Call after changing a toxic's attributes or toxicity in place. */
  updated(toxic: Toxic): void {
    for (const link of this.linksOf(toxic)) link.updateToxic(toxic);
  }

  remove(toxic: Toxic): void {
    const chain = this.chains[toxic.direction];
    chain.splice(chain.indexOf(toxic), 1);
    for (const link of this.linksOf(toxic)) link.removeToxic(toxic);
  }

  reset(): void {
    for (const toxic of this.list()) this.remove(toxic);
  }

  track(link: Link): void {
    this.links.add(link);
  }

  untrack(link: Link): void {
    this.links.delete(link);
  }

  private *linksOf(toxic: Toxic): Iterable<Link> {
    for (const link of [...this.links]) if (link.direction === toxic.direction) yield link;
  }
}
