/**
 * How the shipped scenarios are run on a 2-core CI machine: the big groups shrunk by
 * --count (each scenario keeps its shape), and the runs that fail by design. Shared by the
 * e2e test (test/e2e/shipped-scenarios.test.ts) and the stability bench.
 */

/** Sizes that keep each scenario's shape and fit a 2-core CI machine; absent: as shipped. */
export const SHIPPED_COUNTS: Readonly<Record<string, string>> = {
  'capacity.yaml': 'devices=300',
  'persistent-session.yaml': 'devices=200',
  'reconnect-storm.yaml': 'devices=500',
  'session-expiry.yaml': 'devices=300',
};

/**
 * Runs that fail by design (`file/run id`): the trap the scenario exists to show, or a
 * spec violation of the Mosquitto these runs use (Debian 12's 2.0.11 has more than a v5
 * client's Receive Maximum 10 in flight while a backlog drains: docs/receive-maximum.md).
 */
export const FAILS_BY_DESIGN: ReadonlySet<string> = new Set([
  'persistent-session.yaml/5-no-expiry',
  'receive-maximum.yaml/5-receive-maximum-10',
  // The cut member's session ends while it is away: Mosquitto drops what it held for it (docs/shared-subscriptions.md).
  'shared-subscription.yaml/3.1.1-flaky-clean',
  'shared-subscription.yaml/5-flaky-expiry-1',
]);

/**
 * Ramps: where the knee is on the managed Mosquitto these runs use (the heap bound breaks
 * between the two steps), and the run-id prefix of the step that broke. Its runs fail by
 * design — the knee is what the ramp exists to find — and the invocation exits 0.
 */
export const RAMP_KNEES: Readonly<Record<string, { lastHeld: number; firstBroke: number; brokeRuns: string }>> = {
  'capacity-ramp.yaml': { lastHeld: 200, firstBroke: 400, brokeRuns: 'step3-' },
};

/** A run that fails by design: listed above, or a run of the step where a shipped ramp breaks. */
export function failsByDesign(file: string, runId: string): boolean {
  const knee = RAMP_KNEES[file];
  return FAILS_BY_DESIGN.has(`${file}/${runId}`) || (knee !== undefined && runId.startsWith(knee.brokeRuns));
}
