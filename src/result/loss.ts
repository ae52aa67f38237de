/** Why an expected message was lost, as result.json counts them (`redelivery.lostBy`). */
export type LossReason = 'queue-limit' | 'size-limit' | 'session-ended-early' | 'session-expired' | 'broker-restart' | 'never-released' | 'unknown';
export const LOSS_REASONS: readonly LossReason[] = ['queue-limit', 'size-limit', 'session-ended-early', 'session-expired', 'broker-restart', 'never-released', 'unknown'];
