import type { GroupPlan } from './plan.js';
import type { Report } from './problems.js';

/**
 * Groups with the same `share` form one shared group (MQTT 5 §4.8.2: a share is named by its
 * ShareName and Topic Filter). The harness judges a share by its name, so every group of it
 * must subscribe to the same topic and be a subscriber group.
 */
export function checkShares(groups: ReadonlyMap<string, GroupPlan>, report: Report): void {
  const first = new Map<string, GroupPlan>();
  for (const group of groups.values()) {
    if (group.share === undefined) continue;
    const seen = first.get(group.share);
    if (!seen) {
      first.set(group.share, group);
      continue;
    }
    if (seen.topic !== group.topic) {
      report(['groups', group.name, 'topic'], `differs from group ${seen.name}'s ("${seen.topic}"), which has the same share "${group.share}": groups of one share subscribe to one topic`);
    }
  }
}

/** The groups of each share, in file order: share name -> groups. */
export function sharesOf(groups: readonly GroupPlan[]): Map<string, GroupPlan[]> {
  const shares = new Map<string, GroupPlan[]>();
  for (const group of groups) {
    if (group.role !== 'subscriber' || group.share === undefined) continue;
    shares.set(group.share, [...(shares.get(group.share) ?? []), group]);
  }
  return shares;
}

/** What a shared group's members subscribe to. */
export function sharedFilter(share: string, topic: string): string {
  return `$share/${share}/${topic}`;
}
