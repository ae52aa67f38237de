import type { RunRecord } from '../engine/run-record.js';
import type { Shortfall } from '../result/refusals.js';
import { count } from './words.js';

/**
 * An agent the run lost took its share's ledger with it: those clients' messages and
 * connections are unknown, so the run cannot pass. Named with the clients it ran.
 */
export function lostAgentShortfalls(record: RunRecord): Shortfall[] {
  return (record.agents ?? [])
    .filter((a) => a.lost !== undefined)
    .map((a) => {
      const share = a.share.map((s) => `${s.group} ${s.first}–${s.first + s.count - 1}`).join(', ');
      return {
        kind: 'agent-lost',
        done: 0,
        of: a.clients,
        text: `agent ${a.agent} (pid ${a.pid} on ${a.host}) was lost (${a.lost}): its ${count(a.clients)} clients (${share}) have no ledger`,
      };
    });
}
