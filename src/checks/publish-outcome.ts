import type { RunRecord } from '../engine/run-record.js';
import type { ClientLog, SentRun } from '../metrics/ledger.js';
import { closedByBroker } from './broker-closes.js';
import { faultWindows, type FaultWindow } from './faults.js';

/**
 * What became of one published message on the publisher's side: acknowledged (or, QoS 0,
 * written), refused by the broker (a reason code ≥ 0x80, or the broker closed the
 * connection it was sent on before acknowledging it), or never acknowledged at all.
 * Only an acknowledged message is the broker's to deliver.
 */
export type SendOutcome = 'acked' | 'refused' | 'unacknowledged';

export class PublishOutcomes {
  /** Publisher ref → close times of connections the broker ended. */
  readonly #closes = new Map<string, number[]>();

  constructor(logs: readonly ClientLog[], faultsOf: (ref: string) => readonly FaultWindow[]) {
    for (const log of logs) {
      const faults = faultsOf(log.ref);
      const closes = log.attempts.filter((a) => closedByBroker(a, faults)).map((a) => a.closedAt ?? a.connackAt!);
      if (closes.length > 0) this.#closes.set(log.ref, closes);
    }
  }

  of(run: SentRun, i: number): SendOutcome {
    if (run.ackedAt[i] !== null && run.ackedAt[i] !== undefined) return 'acked';
    if (run.refused?.[i] !== undefined) return 'refused';
    const sentAt = run.sentAt[i]!;
    return this.#closes.get(run.publisher)?.some((at) => at >= sentAt) ? 'refused' : 'unacknowledged';
  }
}

/** Every publisher of the run, with its group's faults. */
export function publishOutcomes(record: RunRecord): PublishOutcomes {
  const faults = faultWindows(record.timeline);
  const groupOf = (ref: string): string => ref.slice(0, ref.lastIndexOf('/'));
  return new PublishOutcomes(record.ledgers.flatMap((l) => l.clients), (ref) => faults.get(groupOf(ref)) ?? []);
}
